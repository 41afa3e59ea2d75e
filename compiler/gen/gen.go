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
