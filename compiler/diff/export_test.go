package diff

import "github.com/platformc/platformc/compiler/fstree"

// TreesUnpruned is Trees computing the digests of every unit.
func TreesUnpruned(base, head *fstree.Tree) (*Report, error) {
	return trees(base, head, shortcuts{split: true})
}

// TreesSplit is Trees, building whole units or only their differing
// parts.
func TreesSplit(base, head *fstree.Tree, split bool) (*Report, error) {
	return trees(base, head, shortcuts{prune: true, split: split})
}

var (
	KustomizationResources = kustomizationResources
	YAMLResources          = yamlResources
	Join                   = join
)
