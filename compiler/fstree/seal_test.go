package fstree_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
)

// TestSeal: a sealed output folder is intact until anything in it
// changes — a file's bytes or metadata, an entry added or removed, the
// manifest, a pending journal — and stays intact when a file that the
// write itself wrote is written again with the same bytes.
func TestSeal(t *testing.T) {
	first := map[string]string{"a/x.yaml": "1", "a/b/y.yaml": "2", "top.json": "3", "c/z.yaml": "4"}
	second := map[string]string{"a/x.yaml": "1", "a/b/y.yaml": "2", "top.json": "3", "c/z.yaml": "changed", "d/new.yaml": "5"}
	// sealed returns n output folders, each written three times and
	// sealed: first with first, then, once a second has passed, twice
	// with second. The files that the second write does not write become
	// older than the manifest's time, which it sets back to when its
	// reading started less a second; the third reads back only those
	// that the second wrote.
	sealed := func(t *testing.T, n int) (dirs []string, seals []*fstree.Seal) {
		for range n {
			dir := filepath.Join(t.TempDir(), "out")
			if err := fstree.Write(dir, tree(t, first)); err != nil {
				t.Fatal(err)
			}
			dirs = append(dirs, dir)
		}
		time.Sleep(1100 * time.Millisecond)
		for _, dir := range dirs {
			if err := fstree.Write(dir, tree(t, second)); err != nil {
				t.Fatal(err)
			}
			tr := tree(t, second)
			w := fstree.Prepare(dir)
			if err := w.Write(tr); err != nil {
				t.Fatal(err)
			}
			seal, err := w.Seal(tr)
			if err != nil || seal == nil {
				t.Fatalf("Seal: %v, %v", seal, err)
			}
			seals = append(seals, seal)
		}
		return dirs, seals
	}
	file := func(dir, p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	cases := []struct {
		name   string
		change func(t *testing.T, dir string) error
		intact bool
	}{
		{"nothing", func(*testing.T, string) error { return nil }, true},
		{"a written file written again alike", func(_ *testing.T, dir string) error {
			return os.WriteFile(file(dir, "c/z.yaml"), []byte("changed"), 0o644)
		}, true},
		{"a written file edited", func(_ *testing.T, dir string) error {
			return os.WriteFile(file(dir, "c/z.yaml"), []byte("edited!"), 0o644)
		}, false},
		{"an older file written again alike", func(_ *testing.T, dir string) error {
			return os.WriteFile(file(dir, "a/x.yaml"), []byte("1"), 0o644)
		}, false},
		{"an older file's time changed", func(_ *testing.T, dir string) error {
			old := time.Unix(1, 0)
			return os.Chtimes(file(dir, "a/b/y.yaml"), old, old)
		}, false},
		{"a file added at the top", func(_ *testing.T, dir string) error {
			return os.WriteFile(file(dir, "extra.yaml"), nil, 0o644)
		}, false},
		{"a file added in a folder", func(_ *testing.T, dir string) error {
			return os.WriteFile(file(dir, "a/b/extra.yaml"), nil, 0o644)
		}, false},
		{"a folder added", func(_ *testing.T, dir string) error { return os.Mkdir(file(dir, "a/more"), 0o755) }, false},
		{"a file removed", func(_ *testing.T, dir string) error { return os.Remove(file(dir, "top.json")) }, false},
		{"a file replaced by a symlink to the same bytes", func(t *testing.T, dir string) error {
			other := filepath.Join(t.TempDir(), "x.yaml")
			if err := os.WriteFile(other, []byte("1"), 0o644); err != nil {
				return err
			}
			if err := os.Remove(file(dir, "a/x.yaml")); err != nil {
				return err
			}
			return os.Symlink(other, file(dir, "a/x.yaml"))
		}, false},
		{"a folder replaced by a symlink", func(t *testing.T, dir string) error {
			if err := os.Rename(file(dir, "a/b"), filepath.Join(t.TempDir(), "b")); err != nil {
				return err
			}
			return os.Symlink(t.TempDir(), file(dir, "a/b"))
		}, false},
		{"the manifest written again alike", func(_ *testing.T, dir string) error {
			data, err := os.ReadFile(file(dir, fstree.ManifestName))
			if err != nil {
				return err
			}
			return os.WriteFile(file(dir, fstree.ManifestName), data, 0o644)
		}, false},
		{"an interrupted write's journal beside it", func(_ *testing.T, dir string) error {
			return os.WriteFile(filepath.Join(filepath.Dir(dir), ".out.journal"), nil, 0o644)
		}, false},
	}
	dirs, seals := sealed(t, len(cases))
	if _, racy := seals[0].Racy["a/x.yaml"]; racy {
		t.Errorf("a/x.yaml, older than the manifest, is listed racy: %v", seals[0].Racy)
	}
	if _, racy := seals[0].Racy["c/z.yaml"]; !racy {
		t.Errorf("c/z.yaml, written after the manifest's time, is not listed racy: %v", seals[0].Racy)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.change(t, dirs[i]); err != nil {
				t.Fatal(err)
			}
			if got := seals[i].Intact(dirs[i]); got != c.intact {
				t.Errorf("Intact = %t, want %t", got, c.intact)
			}
		})
	}
	t.Run("first write", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		tr := tree(t, first)
		w := fstree.Prepare(dir)
		if err := w.Write(tr); err != nil {
			t.Fatal(err)
		}
		seal, err := w.Seal(tr)
		if err != nil || seal == nil || !seal.Intact(dir) {
			t.Fatalf("Seal of a first write: %v, %v; intact %t", seal, err, seal != nil && seal.Intact(dir))
		}
		if err := os.WriteFile(file(dir, "c/z.yaml"), []byte("edited"), 0o644); err != nil {
			t.Fatal(err)
		}
		if seal.Intact(dir) {
			t.Error("intact after an edit")
		}
	})
}
