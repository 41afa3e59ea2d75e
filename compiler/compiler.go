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
)

// Generators returns every generator, in the order they run.
func Generators() []gen.Generator {
	return []gen.Generator{
		kustomize.Generator{},
		argocd.Generator{},
	}
}

// Compile loads the platform rooted at fsys and generates every output.
// Invalid input is reported as load.Errors.
func Compile(fsys fs.FS) (*fstree.Tree, *model.Platform, error) {
	p, err := load.Load(fsys)
	if err != nil {
		return nil, nil, err
	}
	t, err := Generate(p)
	return t, p, err
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
