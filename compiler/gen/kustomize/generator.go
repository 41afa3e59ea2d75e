package kustomize

import (
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/model"
)

// Generator writes the Kustomize bases and overlays.
type Generator struct{}

var _ gen.Generator = Generator{}

func (Generator) Name() string { return "kustomize" }

func (Generator) Generate(p *model.Platform) ([]fstree.File, error) {
	var fs k8s.Files
	for _, t := range p.Tenants {
		appBaseFiles(&fs, t)
		namespaceBaseFiles(&fs, t)
		for _, c := range p.Placements(t) {
			for _, g := range c.Generations() {
				appOverlayFiles(&fs, p, t, g)
				namespaceOverlayFiles(&fs, p, t, g)
			}
		}
	}
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			clusterFiles(&fs, p, g)
		}
	}
	return fs.Out, fs.Err
}
