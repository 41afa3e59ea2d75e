package cueedit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Kinds of workload, as the schema names their fields.
const (
	Services = "services"
	Jobs     = "jobs"
)

// Change is one value SetImage replaced or added.
type Change struct {
	Pos token.Position // where the value is in the new source
	Old string         // its source text before, "" if it was added
	New string         // its source text now
}

// NotFoundError says that a tenant file does not define the workload asked
// for. Services and Jobs list the names it does define.
type NotFoundError struct {
	File, Tenant, Kind, Name string
	Services, Jobs           []string
}

func (e *NotFoundError) Error() string {
	kind := strings.TrimSuffix(e.Kind, "s")
	msg := fmt.Sprintf("%s: tenant %q has no %s %q (services: %s; jobs: %s)", e.File, e.Tenant, kind, e.Name, orNone(e.Services), orNone(e.Jobs))
	switch {
	case e.Kind == Services && slices.Contains(e.Jobs, e.Name):
		msg += fmt.Sprintf("; %q is a job: use --job", e.Name)
	case e.Kind == Jobs && slices.Contains(e.Services, e.Name):
		msg += fmt.Sprintf("; %q is a service: leave out --job", e.Name)
	}
	return msg
}

// SetImage returns src, the source of a tenant file named filename, with
// the image of workload name of kind (Services or Jobs) of the tenant set to
// image, and what changed.
//
// Every place the file writes that image is changed, and only the bytes of
// the old values: the rest of the file stays as written, byte for byte.
// When the workload is defined but writes no image, an image field is
// added to its (braced) struct and the file is formatted as "cue fmt" does.
// When the tenant or the workload is not defined, the error is a
// *NotFoundError. The result is not validated: see Overlay.
func SetImage(filename string, src []byte, tenant, kind, name, image string) ([]byte, []Change, error) {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return nil, nil, err
	}
	workloads := lookup(f.Decls, "tenants", tenant, kind, name)
	if len(workloads) == 0 {
		services, jobs := Workloads(f, tenant)
		return nil, nil, &NotFoundError{File: filename, Tenant: tenant, Kind: kind, Name: name, Services: services, Jobs: jobs}
	}
	lit := literal.String.Quote(image)
	var images []*ast.Field
	for _, w := range workloads {
		images = append(images, fields(elts(w), "image")...)
	}
	if len(images) == 0 {
		return addImage(f, workloads, lit)
	}
	// Replace the values from the last to the first, so that the offsets
	// of those before stay right.
	slices.SortFunc(images, func(a, b *ast.Field) int { return b.Value.Pos().Offset() - a.Value.Pos().Offset() })
	out := slices.Clone(src)
	var changes []Change
	for _, fd := range images {
		start, end := fd.Value.Pos().Offset(), fd.Value.End().Offset()
		if start < 0 || end > len(out) || start > end {
			return nil, nil, fmt.Errorf("%s: cannot locate the image of %s %q", filename, strings.TrimSuffix(kind, "s"), name)
		}
		old := string(out[start:end])
		out = slices.Concat(out[:start], []byte(lit), out[end:])
		changes = append(changes, Change{Pos: fd.Value.Pos().Position(), Old: old, New: lit})
	}
	// Each value still starts where the old one did, unless an old value
	// spanned lines, which an image does not.
	slices.Reverse(changes)
	if _, err := parser.ParseFile(filename, out, parser.ParseComments); err != nil {
		return nil, nil, fmt.Errorf("%s: the edited file does not parse (a bug in platformc): %w", filename, err)
	}
	return out, changes, nil
}

// addImage adds an image field to the last braced struct that defines the
// workload, and formats the file.
func addImage(f *ast.File, workloads []ast.Expr, lit string) ([]byte, []Change, error) {
	var target *ast.StructLit
	for _, w := range workloads {
		if s, ok := w.(*ast.StructLit); ok && s.Lbrace.IsValid() {
			target = s
		}
	}
	if target == nil {
		p := workloads[0].Pos().Position()
		return nil, nil, fmt.Errorf("%s: the workload defined here writes no image, and it is not a {...} struct that one can be added to: add image: %s by hand", p, lit)
	}
	value := ast.NewLit(token.STRING, lit)
	target.Elts = append(target.Elts, &ast.Field{Label: ast.NewIdent("image"), Value: value})
	out, err := format.Node(f)
	if err != nil {
		return nil, nil, err
	}
	// Find where the new value ended up.
	nf, err := parser.ParseFile(f.Filename, out, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: the edited file does not parse (a bug in platformc): %w", f.Filename, err)
	}
	var pos token.Position
	for _, fd := range fields(allElts(nf), "image") {
		if bl, ok := fd.Value.(*ast.BasicLit); ok && bl.Value == lit {
			pos = fd.Value.Pos().Position()
		}
	}
	return out, []Change{{Pos: pos, New: lit}}, nil
}

// Workloads returns the names of the services and the jobs that f, a
// tenant file, defines for tenant, sorted.
func Workloads(f *ast.File, tenant string) (services, jobs []string) {
	names := func(kind string) []string {
		var out []string
		for _, s := range lookup(f.Decls, "tenants", tenant, kind) {
			for _, fd := range fields(elts(s), "") {
				if n, ok := labelName(fd.Label); ok && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	return names(Services), names(Jobs)
}

// ParseWorkloads is Workloads over a file's source; a file that does not
// parse defines nothing.
func ParseWorkloads(filename string, src []byte, tenant string) (services, jobs []string) {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return nil, nil
	}
	return Workloads(f, tenant)
}

// Image returns the image that the tenant file src writes for a workload,
// if it writes exactly one as a plain string.
func Image(filename string, src []byte, tenant, kind, name string) (string, bool) {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return "", false
	}
	var found []string
	for _, w := range lookup(f.Decls, "tenants", tenant, kind, name) {
		for _, fd := range fields(elts(w), "image") {
			bl, ok := fd.Value.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return "", false
			}
			s, err := literal.Unquote(bl.Value)
			if err != nil {
				return "", false
			}
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// lookup returns the values that decls give to the field at path, in
// every place they write it: a file may write tenants: t: services: api
// more than once, and CUE unifies them.
func lookup(decls []ast.Decl, path ...string) []ast.Expr {
	values := []ast.Expr{&ast.StructLit{Elts: decls}}
	for _, label := range path {
		var next []ast.Expr
		for _, v := range values {
			for _, fd := range fields(elts(v), label) {
				next = append(next, fd.Value)
			}
		}
		values = next
	}
	return values
}

// elts returns the declarations of v if it is a struct literal, including
// those of structs embedded in it.
func elts(v ast.Expr) []ast.Decl {
	s, ok := v.(*ast.StructLit)
	if !ok {
		return nil
	}
	var out []ast.Decl
	for _, d := range s.Elts {
		if e, ok := d.(*ast.EmbedDecl); ok {
			out = append(out, elts(e.Expr)...)
			continue
		}
		out = append(out, d)
	}
	return out
}

// allElts returns every declaration of f, at any depth.
func allElts(f *ast.File) []ast.Decl {
	var out []ast.Decl
	ast.Walk(f, func(n ast.Node) bool {
		if d, ok := n.(ast.Decl); ok {
			out = append(out, d)
		}
		return true
	}, nil)
	return out
}

// fields returns the regular fields of decls with the given label, or all
// of them if label is "".
func fields(decls []ast.Decl, label string) []*ast.Field {
	var out []*ast.Field
	for _, d := range decls {
		fd, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if n, ok := labelName(fd.Label); ok && (label == "" || n == label) {
			out = append(out, fd)
		}
	}
	return out
}

// labelName is the name of a regular field's label: an identifier or a
// string, not a definition, a hidden field or a pattern.
func labelName(l ast.Label) (string, bool) {
	name, isIdent, err := ast.LabelName(l)
	if err != nil {
		return "", false
	}
	if isIdent && (strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_")) {
		return "", false
	}
	return name, true
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// IsFormatted reports whether src is as "cue fmt" would write it.
func IsFormatted(filename string, src []byte) bool {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return false
	}
	out, err := format.Node(f)
	return err == nil && bytes.Equal(out, src)
}
