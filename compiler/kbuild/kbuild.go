package kbuild

import (
	"fmt"
	"path"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platformc/platformc/compiler/fstree"
)

// Object is one built Kubernetes object.
type Object = map[string]any

// FS is the filesystem kustomize builds from.
type FS = filesys.FileSystem

// Dirs returns every folder of t that holds a kustomization.yaml, sorted.
func Dirs(t *fstree.Tree) []string {
	var dirs []string
	for _, p := range t.Paths() {
		if path.Base(p) == "kustomization.yaml" {
			dirs = append(dirs, path.Dir(p))
		}
	}
	return dirs
}

// Memory returns an in-memory kustomize filesystem holding t under "/".
func Memory(t *fstree.Tree) (filesys.FileSystem, error) {
	fs := filesys.MakeFsInMemory()
	for _, p := range t.Paths() {
		f, _ := t.Get(p)
		if err := fs.WriteFile("/"+p, f.Data); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// Build runs kustomize build on dir of fs and returns the objects in
// kustomize's output order.
func Build(fs filesys.FileSystem, dir string) (objs []Object, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kustomize build %s: panic: %v", dir, r)
		}
	}()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(fs, "/"+dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	for _, r := range m.Resources() {
		o, err := r.Map()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
		}
		objs = append(objs, o)
	}
	return objs, nil
}
