package fstree

import (
	"cmp"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/platformc/platformc/internal/pool"
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
	// Level by level, a folder is made before what it holds; the folders
	// of one level at once.
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/")) })
	for len(dirs) > 0 {
		depth := strings.Count(dirs[0], "/")
		n := 0
		for n < len(dirs) && strings.Count(dirs[n], "/") == depth {
			n++
		}
		level := dirs[:n]
		dirs = dirs[n:]
		if err := parallel(len(level), func(i int) error { return os.Mkdir(filepath.Join(tmp, filepath.FromSlash(level[i])), 0o755) }); err != nil {
			return err
		}
	}
	// Creating files waits on the disk as much as on the CPU: more
	// goroutines than CPUs overlap the waits.
	if err := pool.Each(len(paths), max(2, min(4*runtime.GOMAXPROCS(0), 8)), func(i int) error {
		return place(dir, tmp, paths[i], t.files[paths[i]].Data, previous)
	}); err != nil {
		return err
	}
	if manifest {
		return place(dir, tmp, ManifestName, t.files[ManifestName].Data, previous)
	}
	return nil
}
