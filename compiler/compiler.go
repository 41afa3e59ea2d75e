package compiler

import (
	"fmt"
	"io/fs"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/argocd"
	"github.com/platformc/platformc/compiler/gen/kustomize"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/policy"
)

// Generators returns every generator, in the order they run.
func Generators() []gen.Generator {
	return []gen.Generator{
		kustomize.Generator{},
		argocd.Generator{},
	}
}

// Compile loads the platform rooted at fsys and generates every output.
// Invalid input, and outputs that a cluster's Kubernetes version would
// refuse, are reported as load.Errors.
func Compile(fsys fs.FS, opts ...load.Option) (*fstree.Tree, *model.Platform, error) {
	p, err := load.Load(fsys, opts...)
	if err != nil {
		return nil, nil, err
	}
	t, err := Generate(p)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRemovals(p, t); err != nil {
		return nil, nil, err
	}
	findings, err := policy.Check(p, t, p.Today)
	if err != nil {
		return nil, nil, err
	}
	var errs load.Errors
	for _, f := range findings {
		if f.Severity == policy.Error {
			errs = append(errs, &load.Error{Pos: f.Pos, Msg: fmt.Sprintf("[%s] %s: %s", f.Check, f.Object, f.Message)})
		} else {
			p.Warnings = append(p.Warnings, model.Warning{Pos: f.Pos, Msg: fmt.Sprintf("[%s] %s: %s", f.Check, f.Object, f.Message)})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return t, p, nil
}

// Generate runs every generator over p and adds the manifest.
func Generate(p *model.Platform) (*fstree.Tree, error) {
	t := &fstree.Tree{}
	for _, g := range Generators() {
		files, err := g.Generate(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
		if err := t.Add(files...); err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
	}
	if err := t.AddManifest(); err != nil {
		return nil, err
	}
	return t, nil
}
