package load

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
)

// fromCUE turns a CUE error into diag.List positioned in file, the user's file,
// rather than in the schema that the value failed against: where CUE gives
// no position in file, the error is placed at the nearest field of its path
// that f, the file's syntax (nil if it did not parse), writes. Of several
// errors at one path (a failed disjunction explains each alternative), only
// the last, the most specific, is kept.
func fromCUE(err error, file string, f *ast.File) diag.List {
	var out diag.List
	last := map[string]int{}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if strings.HasSuffix(msg, "errors in empty disjunction:") {
			continue
		}
		path := strings.Join(e.Path(), ".")
		pos := pickPos(e, file)
		if pos.File != file && f != nil {
			pos = fieldPos(f, e.Path())
		}
		if pos.Line == 0 && pos.File == file {
			pos = filePos(f, file)
		}
		ce := diag.Diagnostic{Severity: diag.Error, Pos: pos, Path: path, Message: msg}
		if i, ok := last[path]; ok && path != "" {
			out[i] = ce
			continue
		}
		last[path] = len(out)
		out = append(out, ce)
	}
	return out
}

// filePos places an error of a file that CUE gives no line, such as one
// of an @embed attribute, at the file's first attribute, or at its start.
func filePos(f *ast.File, file string) model.Pos {
	at := model.Pos{File: file, Line: 1, Col: 1}
	if f == nil {
		return at
	}
	found := false
	ast.Walk(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.Attribute); ok && !found {
			if p := toPos(a.Pos()); p.Line > 0 {
				at, found = p, true
			}
		}
		return !found
	}, nil)
	return at
}

// pickPos prefers a position in the user's file over one in the schema.
func pickPos(e cueerrors.Error, file string) model.Pos {
	all := append([]token.Pos{e.Position()}, e.InputPositions()...)
	for _, p := range all {
		if p.IsValid() && p.Filename() == file {
			return toPos(p)
		}
	}
	for _, p := range all {
		if p.IsValid() {
			return toPos(p)
		}
	}
	return model.Pos{File: file}
}

// fieldPos is the position of the value at path in f if f writes it,
// else of the label of the deepest field along path that f writes, else
// the start of f.
func fieldPos(f *ast.File, path []string) model.Pos {
	fd, whole := findField(f, path)
	switch {
	case fd == nil:
		return model.Pos{File: f.Filename, Line: 1, Col: 1}
	case whole:
		return toPos(fd.Value.Pos())
	}
	return toPos(fd.Label.Pos())
}

// findField returns the deepest field along path that f writes, and
// whether that is the whole path. Selectors may be quoted, as CUE prints
// them in error paths.
func findField(f *ast.File, path []string) (*ast.Field, bool) {
	var found *ast.Field
	decls := f.Decls
	for _, sel := range path {
		if u, err := strconv.Unquote(sel); err == nil {
			sel = u
		}
		var match *ast.Field
		var next []ast.Decl
		for _, d := range decls {
			fd, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			if name, _, err := ast.LabelName(fd.Label); err != nil || name != sel {
				continue
			}
			if match == nil {
				match = fd
			}
			if s, ok := fd.Value.(*ast.StructLit); ok {
				next = append(next, s.Elts...)
			}
		}
		if match == nil {
			return found, false
		}
		found, decls = match, next
	}
	return found, found != nil
}

func toPos(p token.Pos) model.Pos {
	if !p.IsValid() {
		return model.Pos{}
	}
	pp := p.Position()
	return model.Pos{File: pp.Filename, Line: pp.Line, Col: pp.Column}
}
