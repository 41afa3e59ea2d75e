package load

import (
	"strings"

	"cuelang.org/go/cue/ast"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
)

// checkOwnership enforces that f defines only the field at path — kind
// ("tenants", "clusters" or "platform") and, for the first two, the entry's
// name — and nothing else: no imports, no other top-level fields, no other
// entries of kind. It returns where the field is defined.
func checkOwnership(f *ast.File, path []string) (model.Pos, diag.List) {
	var errs diag.List
	var at model.Pos
	kind, only := path[0], strings.Join(path, ": ")
	refuse := func(n ast.Node, what string) {
		errs = append(errs, diag.Errorf(toPos(n.Pos()), "", "%s may define only %s; %s is not allowed here", f.Filename, only, what))
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.Package, *ast.CommentGroup, *ast.Attribute:
		case *ast.ImportDecl:
			refuse(d, "an import")
		case *ast.Field:
			label, _, err := ast.LabelName(d.Label)
			if err != nil || label != kind {
				refuse(d, "the field "+labelText(d.Label))
				continue
			}
			if len(path) == 1 {
				if at.File == "" {
					at = toPos(d.Label.Pos())
				}
				continue
			}
			name := path[1]
			s, ok := d.Value.(*ast.StructLit)
			if !ok {
				refuse(d.Value, "this value")
				continue
			}
			for _, e := range s.Elts {
				switch e := e.(type) {
				case *ast.CommentGroup:
				case *ast.Field:
					if l, _, err := ast.LabelName(e.Label); err != nil || l != name {
						refuse(e, kind+": "+labelText(e.Label))
					} else if at.File == "" {
						at = toPos(e.Label.Pos())
					}
				default:
					refuse(e, "this declaration")
				}
			}
		default:
			refuse(d, "this declaration")
		}
	}
	if at.File == "" && len(errs) == 0 {
		errs = append(errs, diag.Errorf(model.Pos{File: f.Filename, Line: 1, Col: 1}, "", "%s must define %s", f.Filename, only))
	}
	return at, errs
}

func labelText(l ast.Label) string {
	if name, _, err := ast.LabelName(l); err == nil {
		return name
	}
	return "(dynamic label)"
}
