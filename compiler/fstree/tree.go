package fstree

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// Origin says which tenant and cluster a file was generated for; either may
// be empty for files that belong to the whole platform or to no cluster.
type Origin struct {
	Tenant  string `json:"tenant,omitempty"`
	Cluster string `json:"cluster,omitempty"`
}

// File is one generated file.
type File struct {
	Path   string // slash-separated, relative, clean
	Data   []byte
	Origin Origin
	// Sum is, for a file whose bytes an output folder holds and that were
	// not read (Data is nil: Prepared.Previous, or a build's output cache
	// where Prepared.Holds), their SHA-256; Write
	// writes no such file, finding it there. A Tree ignores it beside
	// Data: bytes that someone changed do not pass for the old ones.
	Sum *[32]byte
}

// unread reports whether f's bytes were not read (see File.Sum).
func (f File) unread() bool { return f.Data == nil && f.Sum != nil && *f.Sum != emptySum }

var emptySum = sha256.Sum256(nil)

// Tree is a set of files keyed by path. The zero value is empty and ready.
// Get and Len may be called from several goroutines at once; Add, and
// Paths and Sum, which remember what they compute, may not.
type Tree struct {
	files  map[string]File
	sums   map[string][32]byte // SHA-256 of files' bytes, when known
	sorted []string            // the paths, sorted, once asked for
	added  []string            // paths added since sorted was
	summed bool                // every file's SHA-256 is in sums (sumAll)
}

// Add adds files, refusing paths that are not clean and relative or that
// are already in the tree.
func (t *Tree) Add(files ...File) error {
	if t.files == nil {
		t.files = map[string]File{}
	}
	for _, f := range files {
		if err := CheckPath(f.Path); err != nil {
			return err
		}
		if _, dup := t.files[f.Path]; dup {
			return fmt.Errorf("%s: generated twice", f.Path)
		}
		if f.Data != nil {
			f.Sum = nil
		}
		t.files[f.Path] = f
		t.summed = false
		if f.Sum != nil {
			if t.sums == nil {
				t.sums = map[string][32]byte{}
			}
			t.sums[f.Path] = *f.Sum
		}
		if t.sorted != nil {
			t.added = append(t.added, f.Path)
		}
	}
	return nil
}

// Grow makes room for n more files, so that adding them does not grow
// the tree step by step.
func (t *Tree) Grow(n int) {
	files := make(map[string]File, len(t.files)+n)
	maps.Copy(files, t.files)
	sums := make(map[string][32]byte, len(t.sums)+n)
	maps.Copy(sums, t.sums)
	t.files, t.sums = files, sums
}

// AddSummed adds f, whose bytes' SHA-256 the caller knows to be sum (a
// cache of earlier output), as Add does.
func (t *Tree) AddSummed(f File, sum [32]byte) error {
	if err := t.Add(f); err != nil {
		return err
	}
	if t.sums == nil {
		t.sums = map[string][32]byte{}
	}
	t.sums[f.Path] = sum
	return nil
}

// Sum returns the SHA-256 of the bytes of the file at p, computing it if
// it is not known yet. It is not safe to call concurrently with itself or
// Add.
func (t *Tree) Sum(p string) [32]byte {
	if s, ok := t.sums[p]; ok {
		return s
	}
	s := sha256.Sum256(t.files[p].Data)
	if t.sums == nil {
		t.sums = map[string][32]byte{}
	}
	t.sums[p] = s
	return s
}

// ReadDiffering reads, with read, the bytes of the files of t that were
// not read (File.Sum) and that other lacks or holds with other bytes:
// those that comparing t with other needs. It is not safe to call
// concurrently with other methods of t or other.
func (t *Tree) ReadDiffering(other *Tree, read func(path string) ([]byte, error)) error {
	for _, p := range t.Paths() {
		f := t.files[p]
		if !f.unread() {
			continue
		}
		if _, ok := other.files[p]; ok && other.Sum(p) == *f.Sum {
			continue
		}
		data, err := read(p)
		if err != nil {
			return err
		}
		f.Data, f.Sum = data, nil
		t.files[p] = f
		t.sums[p] = sha256sum(data)
	}
	return nil
}

// CheckPath accepts only clean, relative, slash-separated paths that stay
// inside the tree.
func CheckPath(p string) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || p == "." || p == ".." ||
		strings.HasPrefix(p, "../") || strings.Contains(p, "\\") {
		return fmt.Errorf("%q: not a clean relative path", p)
	}
	return nil
}

// Paths returns every path in the tree, sorted. It is not safe to call
// concurrently with itself or Add.
func (t *Tree) Paths() []string {
	switch {
	case t.sorted == nil || len(t.added) > len(t.files)/8:
		ps := make([]string, 0, len(t.files))
		for p := range t.files {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		t.sorted, t.added = ps, nil
	case len(t.added) > 0:
		// A few files added to many, such as the manifest: merged in.
		slices.Sort(t.added)
		ps := make([]string, 0, len(t.sorted)+len(t.added))
		i, j := 0, 0
		for i < len(t.sorted) || j < len(t.added) {
			if j == len(t.added) || (i < len(t.sorted) && t.sorted[i] < t.added[j]) {
				ps = append(ps, t.sorted[i])
				i++
			} else {
				ps = append(ps, t.added[j])
				j++
			}
		}
		t.sorted, t.added = ps, nil
	}
	return slices.Clone(t.sorted)
}

// Get returns the file at p.
func (t *Tree) Get(p string) (File, bool) {
	f, ok := t.files[p]
	return f, ok
}

// Len is the number of files.
func (t *Tree) Len() int { return len(t.files) }

// Difference is a path where two trees differ, and how: "missing" (only
// in the wanted tree), "extra" (only in the other) or "differs".
type Difference struct{ Path, How string }

// Differences lists where have differs from want, by path.
func Differences(want, have *Tree) []Difference {
	var out []Difference
	for _, p := range union(want.Paths(), have.Paths()) {
		w, inWant := want.files[p]
		h, inHave := have.files[p]
		switch {
		case !inHave:
			out = append(out, Difference{p, "missing"})
		case !inWant:
			out = append(out, Difference{p, "extra"})
		case w.unread() || h.unread():
			if want.Sum(p) != have.Sum(p) {
				out = append(out, Difference{p, "differs"})
			}
		case !bytes.Equal(w.Data, h.Data):
			out = append(out, Difference{p, "differs"})
		}
	}
	return out
}

func union(a, b []string) []string {
	all := slices.Concat(a, b)
	slices.Sort(all)
	return slices.Compact(all)
}

func sha256sum(data []byte) [32]byte { return sha256.Sum256(data) }
