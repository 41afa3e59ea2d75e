package encode

import (
	"bytes"
	"encoding/json"

	yaml "go.yaml.in/yaml/v3"
)

// YAML encodes v as one YAML document, preceded by header lines as
// comments. Map keys are sorted. The bytes are YAMLv3's, written faster
// where the value allows it (fast.go).
func YAML(v any, header ...string) ([]byte, error) {
	b := comments(header)
	if out, ok := appendFast(b.Bytes(), v); ok {
		return out, nil
	}
	return encodeV3(b, v)
}

// YAMLv3 is YAML with go.yaml.in/yaml/v3 alone, two-space indented: the
// reference YAML's bytes are checked against.
func YAMLv3(v any, header ...string) ([]byte, error) {
	return encodeV3(comments(header), v)
}

func comments(header []string) *bytes.Buffer {
	var b bytes.Buffer
	for _, h := range header {
		b.WriteString("# ")
		b.WriteString(h)
		b.WriteByte('\n')
	}
	return &b
}

func encodeV3(b *bytes.Buffer, v any) ([]byte, error) {
	enc := yaml.NewEncoder(b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// JSON encodes v as indented JSON with sorted map keys and a final newline.
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
