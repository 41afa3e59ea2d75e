package e2e

import (
	"fmt"
	"os"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
)

// editCUE changes a platform source file as a person would in an editor:
// the field at path gets value (CUE syntax), created where it is missing;
// an empty value removes the field. The file is then formatted as "cue
// fmt" does.
func editCUE(file string, path []string, value string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(file, src, parser.ParseComments)
	if err != nil {
		return err
	}
	decls, i := &f.Decls, 0
	var field *ast.Field
	for ; i < len(path); i++ {
		fl, idx := findField(*decls, path[i])
		if fl == nil {
			break
		}
		if i == len(path)-1 {
			field = fl
			if value == "" {
				*decls = append((*decls)[:idx:idx], (*decls)[idx+1:]...)
			}
			break
		}
		st, ok := fl.Value.(*ast.StructLit)
		if !ok {
			return fmt.Errorf("%s: %s is not a struct", file, strings.Join(path[:i+1], "."))
		}
		decls = &st.Elts
	}
	switch {
	case value == "" && field == nil:
		return fmt.Errorf("%s: no field %s to remove", file, strings.Join(path, "."))
	case value == "":
	case field != nil:
		x, err := parser.ParseExpr("value", value)
		if err != nil {
			return err
		}
		field.Value = x
	default:
		var b strings.Builder
		for _, l := range path[i:] {
			fmt.Fprintf(&b, "%q: ", l)
		}
		b.WriteString(value)
		nf, err := parser.ParseFile("new", b.String())
		if err != nil {
			return err
		}
		*decls = append(*decls, nf.Decls...)
	}
	out, err := format.Node(f, format.Simplify())
	if err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}

// findField returns the first field of decls labelled name, and its index.
func findField(decls []ast.Decl, name string) (*ast.Field, int) {
	for i, d := range decls {
		fl, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if l, _, err := ast.LabelName(fl.Label); err == nil && l == name {
			return fl, i
		}
	}
	return nil, -1
}
