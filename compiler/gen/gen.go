package gen

import (
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/model"
)

// Generator turns the model into files of one output kind.
type Generator interface {
	// Name is a short identifier of the output kind, e.g. "kustomize".
	Name() string
	// Generate returns the kind's files. It must be deterministic: the
	// same platform gives the same files, byte for byte.
	Generate(p *model.Platform) ([]fstree.File, error)
}

// TenantGenerator is a Generator that can also make its files in parts:
// each file is either one tenant's (its Origin.Tenant), made by
// GenerateTenant from that tenant and the platform's settings and
// clusters but never from other tenants, or the platform's, made by
// GeneratePlatform. Generate is the union of GeneratePlatform and of
// GenerateTenant for every tenant. A compiler keeps each tenant's part
// and makes again only the parts of the tenants that changed.
type TenantGenerator interface {
	Generator
	GenerateTenant(p *model.Platform, t *model.Tenant) ([]fstree.File, error)
	GeneratePlatform(p *model.Platform) ([]fstree.File, error)
}
