package diff

import "github.com/platformc/platformc/compiler/fstree"

// TreesUnpruned is Trees computing the digests of every unit.
func TreesUnpruned(base, head *fstree.Tree) (*Report, error) {
	return trees(base, head, shortcuts{split: true})
}
