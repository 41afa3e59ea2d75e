package encode

import (
	"bytes"
	"encoding/json"

	yaml "go.yaml.in/yaml/v3"
)

// YAML encodes v as one YAML document, preceded by header lines as
// comments. Map keys are sorted.
func YAML(v any, header ...string) ([]byte, error) {
	var b bytes.Buffer
	for _, h := range header {
		b.WriteString("# ")
		b.WriteString(h)
		b.WriteByte('\n')
	}
	if !onlyV3 {
		if out, ok := appendFast(b.Bytes(), v); ok {
			return out, nil // the same bytes as below, faster (fast.go)
		}
	}
	enc := yaml.NewEncoder(&b)
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
