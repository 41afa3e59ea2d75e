package policy

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Parsing the generated workloads with yaml.v3 is most of the checks'
// time. The generated YAML is canonical — what encode.YAML writes: block
// mappings and sequences indented by two spaces, "{}" and "[]" for empty
// ones, one scalar a line — so parseCanonical reads that layout directly,
// and declines (false) anything else, which yaml.v3 then reads.
// Scalars that are not plainly strings are read by yaml.v3 itself, once
// each (memo), so that they resolve as it resolves them.
// TestParseCanonical compares the two on every generated file.

// parseCanonical returns the document data as yaml.v3 would unmarshal it
// into a map[string]any.
func parseCanonical(data []byte, memo map[string]any) (object, bool) {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
		lines = lines[1:]
	}
	p := &canonical{lines: lines, memo: memo}
	if len(lines) == 0 || indentOf(lines[0]) != 0 || strings.HasPrefix(lines[0], "- ") {
		return nil, false
	}
	m, ok := p.mapping(0, "", false)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	return m, true
}

type canonical struct {
	lines []string
	i     int
	memo  map[string]any
}

func indentOf(line string) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// block reads the mapping or sequence whose lines start at indent n.
func (p *canonical) block(n int) (any, bool) {
	if p.i >= len(p.lines) || indentOf(p.lines[p.i]) != n {
		return nil, false
	}
	if strings.HasPrefix(p.lines[p.i][n:], "- ") {
		return p.seq(n)
	}
	return p.mapping(n, "", false)
}

// mapping reads a mapping whose keys are at indent n; when inline, its
// first entry is first, which followed a "- ".
func (p *canonical) mapping(n int, first string, inline bool) (object, bool) {
	m := object{}
	for {
		var content string
		if inline {
			content, inline = first, false
		} else {
			if p.i >= len(p.lines) {
				break
			}
			line := p.lines[p.i]
			ind := indentOf(line)
			if ind < n {
				break
			}
			if ind > n || strings.HasPrefix(line[n:], "- ") {
				return nil, false
			}
			content = line[n:]
			p.i++
		}
		var key, val string
		nested := false
		if k, ok := strings.CutSuffix(content, ":"); ok && !strings.Contains(k, ": ") {
			key, nested = k, true
		} else if i := strings.Index(content, ": "); i >= 0 {
			key, val = content[:i], content[i+2:]
		} else {
			return nil, false
		}
		if !plainString(key) {
			return nil, false
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		var v any
		var ok bool
		switch {
		case nested:
			v, ok = p.block(n + 2)
		case val == "|" || val == "|-":
			v, ok = p.literal(n, val == "|")
		default:
			v, ok = p.value(val)
		}
		if !ok {
			return nil, false
		}
		m[key] = v
	}
	return m, true
}

// literal reads the lines of a literal block scalar below a key at indent
// n: indented as its first line is, empty lines kept; clip keeps one final
// line break ("|"), else none ("|-"). Anything else declines.
func (p *canonical) literal(n int, clip bool) (string, bool) {
	start := p.i
	for p.i < len(p.lines) && (p.lines[p.i] == "" || indentOf(p.lines[p.i]) > n) {
		p.i++
	}
	lines := p.lines[start:p.i]
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 || lines[0] == "" || p.i < len(p.lines) && p.i > start && p.lines[p.i-1] == "" {
		return "", false
	}
	ind := indentOf(lines[0])
	var b strings.Builder
	for i, l := range lines {
		if l != "" && indentOf(l) < ind || strings.TrimSpace(l) == "" && l != "" {
			return "", false
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		if l != "" {
			b.WriteString(l[ind:])
		}
	}
	if clip {
		b.WriteByte('\n')
	}
	return b.String(), true
}

// seq reads a sequence whose "- " are at indent n.
func (p *canonical) seq(n int) ([]any, bool) {
	var s []any
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		ind := indentOf(line)
		if ind < n {
			break
		}
		if ind > n || !strings.HasPrefix(line[n:], "- ") {
			return nil, false
		}
		item := line[n+2:]
		p.i++
		var v any
		var ok bool
		switch {
		case item == "" || item[0] == '"' || item[0] == '\'':
			v, ok = p.value(item)
		case strings.HasSuffix(item, ":") || strings.Contains(item, ": "):
			v, ok = p.mapping(n+2, item, true)
		default:
			v, ok = p.value(item)
		}
		if !ok {
			return nil, false
		}
		s = append(s, v)
	}
	return s, true
}

// value reads a scalar, or an empty mapping or sequence.
func (p *canonical) value(s string) (any, bool) {
	switch {
	case s == "{}":
		return object{}, true
	case s == "[]":
		return []any{}, true
	case s == "" || s[0] == '|' || s[0] == '>' || s[0] == '{' || s[0] == '[' || s[0] == '&' || s[0] == '*' || s[0] == '!':
		return nil, false
	case plainString(s):
		return s, true
	}
	if v, ok := p.memo[s]; ok {
		return v, true
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte("v: "+s), &m); err != nil || len(m) != 1 {
		return nil, false
	}
	v, ok := m["v"]
	if !ok {
		return nil, false
	}
	if _, scalar := v.(map[string]any); scalar {
		return nil, false
	}
	if _, seq := v.([]any); seq {
		return nil, false
	}
	p.memo[s] = v
	return v, true
}

// plainString reports whether s, written plain, is certainly a string to
// yaml.v3: it starts with a letter, is no boolean or null, and holds
// nothing that would end or change a plain scalar.
func plainString(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	return !strings.Contains(s, " #") && !strings.Contains(s, ": ") && !strings.HasSuffix(s, ":") && !strings.HasSuffix(s, " ")
}
