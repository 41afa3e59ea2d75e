package fstree

import (
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// placeAll puts every file of t under tmp: the folders first, each once,
// then the files from a few goroutines, so that the system calls of
// creating files overlap. A file whose bytes are those of the same file in
// dir, the previous output, is hard-linked from it rather than written
// again. It returns the first error.
func placeAll(dir, tmp string, t *Tree) error {
	_, err := os.Lstat(dir)
	previous := err == nil
	// The manifest last, so that every file and folder is older than it
	// (see survey).
	paths := t.Paths()
	_, manifest := t.files[ManifestName]
	if manifest {
		paths = slices.DeleteFunc(paths, func(p string) bool { return p == ManifestName })
	}
	made := map[string]bool{".": true}
	for _, p := range paths {
		for d := path.Dir(p); !made[d]; d = path.Dir(d) {
			made[d] = true
		}
	}
	dirs := make([]string, 0, len(made))
	for d := range made {
		if d != "." {
			dirs = append(dirs, d)
		}
	}
	// Sorted, a folder comes before what it holds.
	slices.Sort(dirs)
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(tmp, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), 4)) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				if err := place(dir, tmp, paths[i], t.files[paths[i]].Data, previous); err != nil {
					errs[i] = err
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if manifest {
		return place(dir, tmp, ManifestName, t.files[ManifestName].Data, previous)
	}
	return nil
}
