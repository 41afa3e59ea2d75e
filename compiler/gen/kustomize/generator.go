package kustomize

import (
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/pool"
)

// Generator writes the Kustomize bases and overlays.
type Generator struct{}

var _ gen.TenantGenerator = Generator{}

func (Generator) Name() string { return "kustomize" }

func (Generator) Generate(p *model.Platform) ([]fstree.File, error) {
	// Tenants are generated on a few goroutines, each into files of its
	// own, gathered in the tenants' order: the same files, in the same
	// order, with the same first error, as one after the other.
	tenants := make([]k8s.Files, len(p.Tenants))
	pool.Each(len(p.Tenants), pool.CPUs(len(p.Tenants), 50), func(i int) error {
		tenantFiles(&tenants[i], p, p.Tenants[i])
		return nil // in tenants[i].Err, gathered below in order
	})
	var fs k8s.Files
	for _, t := range tenants {
		if fs.Err = t.Err; fs.Err != nil {
			return nil, fs.Err
		}
		fs.Out = append(fs.Out, t.Out...)
	}
	platformFiles(&fs, p)
	return fs.Out, fs.Err
}

// GenerateTenant returns the files of the tenant t.
func (Generator) GenerateTenant(p *model.Platform, t *model.Tenant) ([]fstree.File, error) {
	var fs k8s.Files
	tenantFiles(&fs, p, t)
	return fs.Out, fs.Err
}

// GeneratePlatform returns the files of no tenant: the clusters'.
func (Generator) GeneratePlatform(p *model.Platform) ([]fstree.File, error) {
	var fs k8s.Files
	platformFiles(&fs, p)
	return fs.Out, fs.Err
}

// platformFiles writes the files of every cluster generation that
// serves: a retiring one has none (its namespaces and NodePools go).
func platformFiles(fs *k8s.Files, p *model.Platform) {
	for _, c := range p.Clusters {
		for _, g := range c.Serving() {
			clusterFiles(fs, p, g)
			addonFiles(fs, p, g)
		}
	}
}

// tenantFiles writes everything of one tenant.
func tenantFiles(fs *k8s.Files, p *model.Platform, t *model.Tenant) {
	appBaseFiles(fs, p, t)
	namespaceBaseFiles(fs, t)
	for _, c := range p.Placements(t) {
		for _, g := range c.Serving() {
			appOverlayFiles(fs, p, t, g)
			namespaceOverlayFiles(fs, p, t, g)
		}
	}
}
