package encode

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// A direct YAML writer for the values generators build — maps with string
// keys, slices, strings, ints and bools — that writes exactly what
// go.yaml.in/yaml/v3 writes for them with a two-space indent, several
// times faster. It declines (ok == false) anything it is not certain
// about, and YAML then falls back to yaml.v3 for the whole document:
// other types, non-ASCII keys, nested sequences, long keys, block scalars
// that need indentation or chomping indicators. Strings that might need
// quoting are rendered by yaml.v3 itself, once each (scalarCache).
// The tests compare it with YAMLv3 on tricky and random values, and on
// every file of generated platforms (TestFastYAML).

// appendFast appends v as a YAML document to b.
func appendFast(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return append(b, "{}\n"...), true
		}
		return appendMap(b, v, 0, false)
	case map[string]string:
		if len(v) == 0 {
			return append(b, "{}\n"...), true
		}
		return appendMap(b, v, 0, false)
	case []map[string]any, []any, []string:
		return appendSeq(b, v, 0)
	}
	if s, ok := v.(string); ok && strings.IndexByte(s, '\n') >= 0 {
		return b, false
	}
	b, ok := appendScalar(b, v)
	return append(b, '\n'), ok
}

func indent(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// appendKey writes "key:" at the indent, or right after "- " when inline.
func appendKey(b []byte, k string, n int, inline bool) ([]byte, bool) {
	if !inline {
		b = indent(b, n)
	}
	if len(k) > 100 || strings.IndexByte(k, '\n') >= 0 {
		return b, false // yaml.v3 writes long or multi-line keys as complex keys
	}
	b = appendString(b, k)
	return append(b, ':'), true
}

// appendMap writes a non-empty mapping (of any values, or of strings)
// whose keys are at indent n; when inline, the first key follows a "- "
// already written.
func appendMap[V any](b []byte, m map[string]V, n int, inline bool) ([]byte, bool) {
	keys, ok := sortedKeys(m)
	if !ok {
		return b, false
	}
	for i, k := range keys {
		if b, ok = appendKey(b, k, n, inline && i == 0); !ok {
			return b, false
		}
		if b, ok = appendValue(b, m[k], n); !ok {
			return b, false
		}
	}
	return b, true
}

// appendValue writes what follows "key:" of a mapping at indent n.
func appendValue(b []byte, v any, n int) ([]byte, bool) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return append(b, " {}\n"...), true
		}
		return appendMap(append(b, '\n'), v, n+2, false)
	case map[string]string:
		if len(v) == 0 {
			return append(b, " {}\n"...), true
		}
		return appendMap(append(b, '\n'), v, n+2, false)
	case []map[string]any, []any, []string:
		if seqLen(v) == 0 {
			return append(b, " []\n"...), true
		}
		return appendSeq(append(b, '\n'), v, n+2)
	case string:
		if strings.IndexByte(v, '\n') >= 0 {
			return appendLiteral(b, v, n+2)
		}
	}
	b = append(b, ' ')
	b, ok := appendScalar(b, v)
	return append(b, '\n'), ok
}

func seqLen(v any) int {
	switch v := v.(type) {
	case []map[string]any:
		return len(v)
	case []any:
		return len(v)
	case []string:
		return len(v)
	}
	return 0
}

// appendSeq writes a sequence whose "- " are at indent n; an empty one
// only at the top level.
func appendSeq(b []byte, v any, n int) ([]byte, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return appendItems(b, v, n)
	case []any:
		return appendItems(b, v, n)
	case []string:
		return appendItems(b, v, n)
	}
	return b, true
}

func appendItems[T any](b []byte, items []T, n int) ([]byte, bool) {
	if len(items) == 0 {
		return append(b, "[]\n"...), true
	}
	var ok bool
	for _, x := range items {
		if b, ok = appendItem(b, x, n); !ok {
			return b, false
		}
	}
	return b, true
}

func appendItem(b []byte, v any, n int) ([]byte, bool) {
	b = append(indent(b, n), "- "...)
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return append(b, "{}\n"...), true
		}
		return appendMap(b, v, n+2, true)
	case map[string]string:
		if len(v) == 0 {
			return append(b, "{}\n"...), true
		}
		return appendMap(b, v, n+2, true)
	case []map[string]any, []any, []string:
		return b, false
	case string:
		if strings.IndexByte(v, '\n') >= 0 {
			return b, false
		}
	}
	b, ok := appendScalar(b, v)
	return append(b, '\n'), ok
}

// appendLiteral writes a multi-line string as a literal block scalar with
// its lines at indent n, as yaml.v3 does, when it needs no indentation
// indicator, keeps no trailing blank lines and has only printable ASCII
// characters, no blank lines and no space before a line break.
func appendLiteral(b []byte, s string, n int) ([]byte, bool) {
	if s[0] == ' ' || s[0] == '\n' || strings.Contains(s, "\n\n") || strings.Contains(s, " \n") || s[len(s)-1] == ' ' {
		return b, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\n' && (c < 0x20 || c > 0x7e) {
			return b, false
		}
	}
	body := s
	if strings.HasSuffix(s, "\n") {
		b = append(b, " |\n"...)
		body = s[:len(s)-1]
	} else {
		b = append(b, " |-\n"...)
	}
	for line := range strings.SplitSeq(body, "\n") {
		b = append(indent(b, n), line...)
		b = append(b, '\n')
	}
	return b, true
}

func appendScalar(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		return appendString(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case bool:
		return strconv.AppendBool(b, v), true
	case nil:
		return append(b, "null"...), true
	}
	return b, false
}

// appendString writes a one-line string: plain when it is certainly plain
// to yaml.v3, else as yaml.v3 renders it.
func appendString(b []byte, s string) []byte {
	if plain(s) {
		return append(b, s...)
	}
	return append(b, scalar(s)...)
}

// plain reports whether yaml.v3 certainly writes s as it is: it starts
// with a letter or "/", has only letters, digits and -./_@= besides, and
// a colon only inside; or it is such a string after "../" once or more
// (a kustomization's resources: thousands of paths, each distinct). Short
// words that YAML might read as booleans or null, and everything else,
// are left to yaml.v3.
func plain(s string) bool {
	if rest := trimParents(s); len(rest) < len(s) {
		return rest != "" && isLetter(rest[0]) && rest[len(rest)-1] != ':' && plainChars(rest)
	}
	if len(s) <= 5 || !(isLetter(s[0]) || s[0] == '/') || s[len(s)-1] == ':' {
		return false
	}
	return plainChars(s)
}

// trimParents removes every "../" that s starts with.
func trimParents(s string) string {
	for strings.HasPrefix(s, "../") {
		s = s[3:]
	}
	return s
}

// plainChars reports whether the bytes of s after its first are letters,
// digits, or any of -./_@=:.
func plainChars(s string) bool {
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || isDigit(c) || c == '-' || c == '.' || c == '/' || c == '_' || c == '@' || c == '=' || c == ':') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// scalarCache holds how yaml.v3 writes one-line strings that plain
// declines: there are few distinct ones (quantities, CIDRs, schedules,
// descriptions), written many times.
var scalarCache sync.Map

func scalar(s string) string {
	if r, ok := scalarCache.Load(s); ok {
		return r.(string)
	}
	out, err := yaml.Marshal(map[string]string{"k": s})
	r := strings.TrimSuffix(strings.TrimPrefix(string(out), "k: "), "\n")
	if err != nil || strings.Contains(r, "\n") {
		r = strconv.Quote(s) // not reached for one-line strings
	}
	scalarCache.Store(s, r)
	return r
}

// sortedKeys returns m's keys in yaml.v3's order (see keyLess), or false
// for keys that are not all ASCII.
func sortedKeys[V any](m map[string]V) ([]string, bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		for i := 0; i < len(k); i++ {
			if k[i] >= 0x80 {
				return nil, false
			}
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	return keys, true
}

// keyLess is yaml.v3's order of string map keys (keyList.Less), for ASCII
// keys: letters before other characters, digit runs compared as numbers.
func keyLess(a, b string) bool {
	digits := false
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			digits = isDigit(a[i])
			continue
		}
		al, bl := isLetter(a[i]), isLetter(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			if digits {
				return al
			}
			return bl
		}
		var ai, bi int
		var an, bn int64
		if a[i] == '0' || b[i] == '0' {
			for j := i - 1; j >= 0 && isDigit(a[j]); j-- {
				if a[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(a) && isDigit(a[ai]); ai++ {
			an = an*10 + int64(a[ai]-'0')
		}
		for bi = i; bi < len(b) && isDigit(b[bi]); bi++ {
			bn = bn*10 + int64(b[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}
