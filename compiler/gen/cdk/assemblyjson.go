package cdk

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// The assembly's JSON files — the manifest and StacksFile — hold one
// entry per artifact of every stack, a few megabytes for a thousand
// tenants, rewritten by every build. Decoding every entry into values and
// encoding them again took most of a build that reuses every stack, so
// the entries stay JSON: each is kept as encode.JSON indents it at its
// depth in StacksFile (rawJSON), and moved to another depth by shifting
// its lines, which JSON allows as no string holds a raw newline. The
// files are the bytes encode.JSON makes of the same values
// (TestAssemblyJSON); an entry not in that form (a StacksFile edited by
// hand) sends the whole file through encode.JSON.

// artifactDepth is the depth of an artifact entry in StacksFile:
// {"stacks": {name: {"artifacts": {id: entry}}}}.
const artifactDepth = 4

// rawJSON is v as JSON, indented as encode.JSON indents it at
// artifactDepth; a json.RawMessage is taken as it is.
func rawJSON(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat("  ", artifactDepth), "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// jsonWriter writes indented JSON as encode.JSON does.
type jsonWriter struct {
	b  []byte
	ok bool // every entry was in the form the writer needs
}

func (w *jsonWriter) newline(depth int) {
	w.b = append(w.b, '\n')
	for range depth {
		w.b = append(w.b, ' ', ' ')
	}
}

// str writes s as a JSON string, without HTML escaping.
func (w *jsonWriter) str(s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\'
	}
	if plain {
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	w.b = append(w.b, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// key writes the key of a member at depth, after a comma unless first.
func (w *jsonWriter) key(depth int, k string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.newline(depth)
	w.str(k)
	w.b = append(w.b, ':', ' ')
}

// object writes a map with sorted keys at depth, each value by value.
func object[V any](w *jsonWriter, depth int, m map[string]V, value func(V)) {
	if len(m) == 0 {
		w.b = append(w.b, '{', '}')
		return
	}
	w.b = append(w.b, '{')
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		w.key(depth+1, k, i == 0)
		value(m[k])
	}
	w.newline(depth)
	w.b = append(w.b, '}')
}

// entry writes an artifact entry, indented at artifactDepth, at depth.
func (w *jsonWriter) entry(raw json.RawMessage, depth int) {
	if !indentedAt(raw, artifactDepth) {
		w.ok = false
		return
	}
	from := 1 + 2*artifactDepth
	for {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			w.b = append(w.b, raw...)
			return
		}
		w.b = append(w.b, raw[:i]...)
		w.newline(depth)
		raw = raw[i+from:]
	}
}

// indentedAt reports whether raw is an object or array in the form
// encode.JSON gives it at depth: its lines indented by at least that
// depth, its last line the closing bracket at it.
func indentedAt(raw json.RawMessage, depth int) bool {
	if len(raw) < 2 || (raw[0] != '{' && raw[0] != '[') {
		return false
	}
	indent := "\n" + strings.Repeat("  ", depth)
	if string(raw) == "{}" || string(raw) == "[]" {
		return true
	}
	if !bytes.HasSuffix(raw, []byte(indent+string(raw[0]+2))) {
		return false
	}
	for rest := raw; ; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return true
		}
		if !bytes.HasPrefix(rest[i:], []byte(indent)) {
			return false
		}
		rest = rest[i+1:]
	}
}

// assemblyJSON returns the manifest and StacksFile, or false if an entry
// is not in the form needed.
func assemblyJSON(manifest map[string]json.RawMessage, idx stacksFile) (m, c []byte, ok bool) {
	size := 1 << 10 // the files' length, about: growing them cost more than writing them
	for _, raw := range manifest {
		size += len(raw) + 128
	}
	w := jsonWriter{ok: true, b: make([]byte, 0, size)}
	w.b = append(w.b, '{')
	w.key(1, "version", true)
	w.str(idx.Version)
	w.key(1, "artifacts", false)
	object(&w, 1, manifest, func(raw json.RawMessage) { w.entry(raw, 2) })
	w.newline(0)
	w.b = append(w.b, '}', '\n')
	m, w.b = w.b, make([]byte, 0, size+len(idx.Stacks)*512)

	w.b = append(w.b, '{')
	w.key(1, "comment", true)
	w.str(idx.Comment)
	w.key(1, "generator", false)
	w.str(idx.Generator)
	w.key(1, "assemblyVersion", false)
	w.str(idx.Version)
	w.key(1, "stacks", false)
	object(&w, 1, idx.Stacks, func(s cachedStack) {
		w.b = append(w.b, '{')
		w.key(3, "input", true)
		w.str(s.Input)
		w.key(3, "files", false)
		object(&w, 3, s.Files, w.str)
		w.key(3, "artifacts", false)
		object(&w, 3, s.Artifacts, func(raw json.RawMessage) { w.entry(raw, artifactDepth) })
		w.newline(2)
		w.b = append(w.b, '}')
	})
	w.newline(0)
	w.b = append(w.b, '}', '\n')
	return m, w.b, w.ok
}
