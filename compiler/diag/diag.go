package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
)

// Pos is a position in a CUE source file; File is slash-separated and
// relative to the platform root. Line and Col are 1-based;
// a zero Line is the whole file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	if p.File == "" {
		return "-"
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity says whether a Diagnostic fails the command.
type Severity string

const (
	Error   Severity = "error"   // the platform is refused
	Warning Severity = "warning" // printed; the command goes on
)

// Diagnostic is one problem found in the platform.
type Diagnostic struct {
	Pos      Pos
	Path     string // the CUE path of the field, e.g. tenants.billing.services.api.replicas; "" if none
	Severity Severity
	Check    string // the policy check that reported it; "" for the others
	Message  string
}

// Errorf is an error at pos, about the field at path.
func Errorf(pos Pos, path, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Path: path, Severity: Error, Message: fmt.Sprintf(format, args...)}
}

// Warningf is a warning at pos, about the field at path.
func Warningf(pos Pos, path, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Path: path, Severity: Warning, Message: fmt.Sprintf(format, args...)}
}

// String is the diagnostic as the commands print it:
// "file:line:col: [warning: ][path: ][[check] ]message".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Pos.File != "" {
		b.WriteString(d.Pos.String())
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	if d.Check != "" {
		b.WriteString("[" + d.Check + "] ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// List is the errors that refuse a platform, as one error.
type List []Diagnostic

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Compare orders diagnostics by file, line, column, path, check and
// message.
func Compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Check, b.Check),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sorted sorts l by Compare and drops repeats.
func Sorted(l []Diagnostic) []Diagnostic {
	slices.SortFunc(l, Compare)
	return slices.Compact(l)
}

// Path is the CUE path of the field with these labels, as CUE writes it:
// Path("tenants", "billing", "services") is tenants.billing.services, and
// a label that is not an identifier is quoted: clusters."prod-1".region.
func Path(labels ...string) string {
	var b strings.Builder
	for i, l := range labels {
		if i > 0 {
			b.WriteByte('.')
		}
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "_") || !ast.IsValidIdent(l) {
			l = literal.Label.Quote(l)
		}
		b.WriteString(l)
	}
	return b.String()
}
