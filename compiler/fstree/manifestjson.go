package fstree

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// The manifest has tens of thousands of entries: encoding/json takes a
// tenth of a second to write it and as long to read it. encodeManifest
// writes the same bytes as encode.JSON (indented by two spaces, keys
// sorted, HTML not escaped) directly; decodeManifest reads that layout
// and leaves anything else to encoding/json.

// manifestLine is a file of the manifest.
type manifestLine struct {
	path   string
	origin Origin
	sum    [32]byte
}

// encodeManifest writes the manifest of entries, sorted by path.
func encodeManifest(comment string, entries []manifestLine) []byte {
	n := 64 + len(comment)
	for _, e := range entries {
		n += 2*len(e.path) + 160
	}
	b := make([]byte, 0, n)
	b = append(b, "{\n  \"comment\": "...)
	b = appendJSONString(b, comment)
	if len(entries) == 0 {
		b = append(b, ",\n  \"files\": {}\n}\n"...)
		return b
	}
	b = append(b, ",\n  \"files\": {"...)
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = appendJSONString(b, e.path)
		b = append(b, ": {"...)
		if e.origin.Tenant != "" {
			b = append(b, "\n      \"tenant\": "...)
			b = appendJSONString(b, e.origin.Tenant)
			b = append(b, ',')
		}
		if e.origin.Cluster != "" {
			b = append(b, "\n      \"cluster\": "...)
			b = appendJSONString(b, e.origin.Cluster)
			b = append(b, ',')
		}
		b = append(b, "\n      \"sha256\": \""...)
		b = hex.AppendEncode(b, e.sum[:])
		b = append(b, "\"\n    }"...)
	}
	b = append(b, "\n  }\n}\n"...)
	return b
}

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping off.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// decodeManifest reads a manifest.
func decodeManifest(data string) (*Manifest, error) {
	if m, ok := decodeManifestFast(data); ok {
		return m, nil
	}
	var m Manifest
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// decodeManifestFast reads the layout encodeManifest writes, with no
// escapes in strings; it reports false for anything else.
func decodeManifestFast(s string) (*Manifest, bool) {
	rest, ok := strings.CutPrefix(s, "{\n  \"comment\": \"")
	if !ok {
		return nil, false
	}
	comment, rest, ok := cutPlain(rest)
	if !ok {
		return nil, false
	}
	// Sized at once for its files, one per "sha256" (a few more if
	// strings hold it): growing a map of 44,000 step by step allocates it
	// twice over.
	n := strings.Count(rest, `"sha256": "`)
	m := &Manifest{Comment: comment, Files: make(map[string]ManifestEntry, n), order: make([]string, 0, n)}
	if rest == ",\n  \"files\": {}\n}\n" {
		return m, true
	}
	if rest, ok = strings.CutPrefix(rest, ",\n  \"files\": {"); !ok {
		return nil, false
	}
	for first := true; ; first = false {
		if r, ok := strings.CutPrefix(rest, "\n  }\n}\n"); ok && !first && r == "" {
			return m, true
		}
		if !first {
			if rest, ok = strings.CutPrefix(rest, ","); !ok {
				return nil, false
			}
		}
		var p string
		if rest, ok = strings.CutPrefix(rest, "\n    \""); !ok {
			return nil, false
		}
		if p, rest, ok = cutPlain(rest); !ok {
			return nil, false
		}
		if rest, ok = strings.CutPrefix(rest, ": {"); !ok {
			return nil, false
		}
		var e ManifestEntry
		if r, ok := strings.CutPrefix(rest, "\n      \"tenant\": \""); ok {
			if e.Tenant, rest, ok = cutPlain(r); !ok || e.Tenant == "" {
				return nil, false
			}
			if rest, ok = strings.CutPrefix(rest, ","); !ok {
				return nil, false
			}
		}
		if r, ok := strings.CutPrefix(rest, "\n      \"cluster\": \""); ok {
			if e.Cluster, rest, ok = cutPlain(r); !ok || e.Cluster == "" {
				return nil, false
			}
			if rest, ok = strings.CutPrefix(rest, ","); !ok {
				return nil, false
			}
		}
		if rest, ok = strings.CutPrefix(rest, "\n      \"sha256\": \""); !ok {
			return nil, false
		}
		if e.SHA256, rest, ok = cutPlain(rest); !ok {
			return nil, false
		}
		if rest, ok = strings.CutPrefix(rest, "\n    }"); !ok {
			return nil, false
		}
		if _, dup := m.Files[p]; dup {
			return nil, false
		}
		m.Files[p] = e
		m.order = append(m.order, p)
	}
}

// cutPlain returns the string up to the closing quote, and what follows
// it, if it has no escapes nor bytes that encodeManifest would escape.
func cutPlain(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i], s[i+1:], true
		case c < 0x20 || c == '\\' || c >= 0x7f:
			return "", "", false
		}
	}
	return "", "", false
}
