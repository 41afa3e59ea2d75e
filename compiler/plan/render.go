package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/platformc/platformc/internal/words"
)

// JSON writes the plan as {"steps": [...]}, indented, steps never null.
func (p Plan) JSON(w io.Writer) error {
	if p.Steps == nil {
		p.Steps = []Step{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// shown is how many stacks or paths a step lists in text and Markdown;
// JSON lists them all.
const shown = 12

// Text writes the plan for a terminal: each step numbered, with its
// reason and what it acts on.
func (p Plan) Text(w io.Writer, base string) error {
	var b strings.Builder
	if len(p.Steps) == 0 {
		fmt.Fprintf(&b, "Nothing to deliver: the work tree and %s make the same platform.\n", base)
	} else {
		fmt.Fprintf(&b, "Delivering the work tree takes %s (base %s):\n", words.Plural(len(p.Steps), "step"), base)
	}
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "\n%d. %s %s\n   %s\n", i+1, s.Action, s.what(), s.Reason)
		for _, x := range list(s) {
			fmt.Fprintf(&b, "     %s\n", x)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown writes the plan for a pull request comment.
func (p Plan) Markdown(w io.Writer, base string) error {
	var b strings.Builder
	b.WriteString("### platformc plan\n\n")
	if len(p.Steps) == 0 {
		fmt.Fprintf(&b, "Nothing to deliver: the change and %s make the same platform.\n", base)
	} else {
		fmt.Fprintf(&b, "Delivered in %s, in this order (base %s):\n\n", words.Plural(len(p.Steps), "step"), base)
	}
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "%d. **%s** %s: %s\n", i+1, s.Action, s.what(), s.Reason)
		items := list(s)
		if len(items) > 0 {
			fmt.Fprintf(&b, "   <details><summary>%s</summary>\n\n", s.what())
			for _, x := range items {
				fmt.Fprintf(&b, "   - `%s`\n", x)
			}
			b.WriteString("   </details>\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// what counts what a step acts on: "3 stacks", "12 paths".
func (s Step) what() string {
	if len(s.Stacks) > 0 {
		return words.Plural(len(s.Stacks), "stack")
	}
	return words.Plural(len(s.Paths), "path")
}

// list is what a step acts on, the first of them when there are many.
func list(s Step) []string {
	items := s.Stacks
	if len(items) == 0 {
		items = s.Paths
	}
	if len(items) <= shown {
		return items
	}
	return append(items[:shown:shown], fmt.Sprintf("… and %d more (--format json lists all)", len(items)-shown))
}
