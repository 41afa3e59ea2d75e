package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A little of the POSIX shell's syntax, enough to find the platformc
// commands that the documentation and the CI recipes run: words, quotes,
// comments, line continuations, operators and redirections. Nothing is
// expanded.

// shellWord is a word of a command, unquoted. Dynamic words hold a $
// outside single quotes: their value is known only when a shell runs them.
type shellWord struct {
	text    string
	dynamic bool
}

// shellCommand is a simple command: its words (leading VAR=value
// assignments apart), and what the line around it does.
type shellCommand struct {
	line     int               // 1-based, in the script
	env      map[string]string // leading assignments
	words    []shellWord
	stdout   string   // file that stdout is redirected to, if any
	ops      []string // operators on the line besides a stdout redirection
	comment  string   // the line's trailing comment
	segments int      // number of simple commands on the line
}

func (c shellCommand) args() []string {
	out := make([]string, len(c.words))
	for i, w := range c.words {
		out[i] = w.text
	}
	return out
}

// shellLines splits a script into logical lines (continuations joined),
// each with the number of its first line.
func shellLines(script string) (lines []string, numbers []int) {
	var cur strings.Builder
	start := 0
	for i, l := range strings.Split(script, "\n") {
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(l, `\`) && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			cur.WriteString(strings.TrimSuffix(l, `\`))
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(l)
		lines, numbers = append(lines, cur.String()), append(numbers, start)
		cur.Reset()
	}
	if cur.Len() > 0 {
		lines, numbers = append(lines, cur.String()), append(numbers, start)
	}
	return lines, numbers
}

// shellCommands returns the simple commands of a script.
func shellCommands(script string) ([]shellCommand, error) {
	var out []shellCommand
	lines, numbers := shellLines(script)
	for i, l := range lines {
		cmds, err := parseShellLine(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", numbers[i], err)
		}
		for _, c := range cmds {
			c.line = numbers[i]
			out = append(out, c)
		}
	}
	return out, nil
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// parseShellLine splits one logical line into simple commands.
func parseShellLine(line string) ([]shellCommand, error) {
	type tok struct {
		word shellWord
		op   string
	}
	var toks []tok
	var comment string
	var w strings.Builder
	inWord, dynamic := false, false
	flush := func() {
		if inWord {
			toks = append(toks, tok{word: shellWord{text: w.String(), dynamic: dynamic}})
		}
		w.Reset()
		inWord, dynamic = false, false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			comment = strings.TrimSpace(line[i+1:])
			i = len(line)
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(line) {
					return nil, fmt.Errorf("unterminated \" in %q", line)
				}
				if line[i] == '"' {
					break
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				} else if line[i] == '$' || line[i] == '`' {
					dynamic = true
				}
				w.WriteByte(line[i])
			}
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '$' && i+1 < len(line) && line[i+1] == '(':
			flush()
			toks = append(toks, tok{op: "$("})
			i++
		case c == '$' || c == '`':
			w.WriteByte(c)
			inWord, dynamic = true, true
		case strings.IndexByte("&|;()<>", c) >= 0:
			fd := ""
			if (c == '>' || c == '<') && inWord && !dynamic && (w.String() == "1" || w.String() == "2") {
				fd = w.String()
				w.Reset()
				inWord = false
			}
			flush()
			op := string(c)
			for _, two := range []string{"&&", "||", ">>", ">&", "<&"} {
				if strings.HasPrefix(line[i:], two) {
					op = two
					break
				}
			}
			i += len(op) - 1
			if op == ">&" || op == "<&" {
				// A duplication, as in 2>&1.
				j := i + 1
				for j < len(line) && line[j] >= '0' && line[j] <= '9' {
					j++
				}
				op += line[i+1 : j]
				i = j - 1
			}
			toks = append(toks, tok{op: fd + op})
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flush()

	var out []shellCommand
	cur := shellCommand{env: map[string]string{}, comment: comment}
	var ops []string
	end := func() {
		if len(cur.words) > 0 || len(cur.env) > 0 {
			out = append(out, cur)
		}
		cur = shellCommand{env: map[string]string{}, comment: comment}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.op {
		case "":
			if len(cur.words) == 0 && assignment.MatchString(t.word.text) && !t.word.dynamic {
				k, v, _ := strings.Cut(t.word.text, "=")
				cur.env[k] = v
				continue
			}
			cur.words = append(cur.words, t.word)
		case ">", "1>", ">>", "1>>", "2>", "2>>", "<":
			if i+1 >= len(toks) || toks[i+1].op != "" {
				return nil, fmt.Errorf("%s with no file in %q", t.op, line)
			}
			if t.op == ">" || t.op == "1>" {
				cur.stdout = toks[i+1].word.text
			} else {
				ops = append(ops, t.op)
			}
			i++
		default:
			if strings.ContainsAny(t.op, "<>") {
				ops = append(ops, t.op) // a duplication, 2>&1
				continue
			}
			ops = append(ops, t.op)
			end()
		}
	}
	end()
	for i := range out {
		out[i].ops = ops
		out[i].segments = len(out)
	}
	return out, nil
}

// platformcArgs returns the arguments of a command that runs platformc,
// after words such as "if", "!" or "exec" that only wrap it.
func platformcArgs(c shellCommand) ([]shellWord, bool) {
	words := c.words
	for len(words) > 0 {
		switch words[0].text {
		case "if", "then", "elif", "else", "do", "!", "exec", "time", "{":
			words = words[1:]
			continue
		}
		break
	}
	if len(words) == 0 || words[0].text != "platformc" {
		return nil, false
	}
	return words[1:], true
}

// expectedExit reads the exit code a documentation line announces in its
// comment, "# exit 1" or "# refused: exits 1"; 0 if none.
func expectedExit(comment string) int {
	m := regexp.MustCompile(`\bexits? (\d+)\b`).FindStringSubmatch(comment)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
