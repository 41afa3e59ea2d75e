package fstree_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
)

// versions returns two trees of many files: b changes, removes and adds
// files of a, and needs folders a lacks and the other way round.
func versions(t *testing.T) (a, b map[string]string) {
	a, b = map[string]string{}, map[string]string{}
	for i := range 30 {
		a[fmt.Sprintf("tenants/t%02d/app/base/deployment.yaml", i)] = fmt.Sprint("v1 ", i)
		a[fmt.Sprintf("tenants/t%02d/ns/base/namespace.yaml", i)] = fmt.Sprint("ns ", i)
	}
	maps.Copy(b, a)
	b["tenants/t03/app/base/deployment.yaml"] = "v2"
	delete(b, "tenants/t04/app/base/deployment.yaml")
	delete(b, "tenants/t05/app/base/deployment.yaml")
	delete(b, "tenants/t05/ns/base/namespace.yaml")
	b["tenants/t40/app/base/deployment.yaml"] = "new"
	b["clusters/c1/kustomization.yaml"] = "new folder"
	return a, b
}

func leftovers(t *testing.T, dir string) {
	t.Helper()
	if l, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".out*")); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

func same(t *testing.T, what, dir string, want map[string]string) {
	t.Helper()
	got := snapshot(t, dir)
	delete(got, fstree.ManifestName)
	if !maps.Equal(got, want) {
		t.Fatalf("%s: out holds %d files, want %d (%v)", what, len(got), len(want), got)
	}
}

// TestWriteInPlace updates an output folder and expects exactly the new
// files, nothing left beside it.
func TestWriteInPlace(t *testing.T) {
	a, b := versions(t)
	dir := filepath.Join(t.TempDir(), "out")
	for i, want := range []map[string]string{a, b, a, b, b} {
		if err := fstree.Write(dir, tree(t, want)); err != nil {
			t.Fatal(err)
		}
		same(t, fmt.Sprint("write ", i), dir, want)
		leftovers(t, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "tenants/t05")); !os.IsNotExist(err) {
		t.Errorf("the folder of removed files is still there: %v", err)
	}
}

// TestWriteCrash stops an update at every one of its steps, as a crash
// would, and expects the next Read to find the previous output, and the
// next Write to finish the job.
func TestWriteCrash(t *testing.T) {
	a, b := versions(t)
	for n := 0; ; n++ {
		dir := filepath.Join(t.TempDir(), "out")
		if err := fstree.Write(dir, tree(t, a)); err != nil {
			t.Fatal(err)
		}
		err := fstree.WriteCrashing(dir, tree(t, b), n)
		if err == nil {
			if n < 5 {
				t.Fatalf("the update had only %d steps", n)
			}
			same(t, "uninterrupted", dir, b)
			return
		}
		same(t, fmt.Sprintf("crash at step %d, then read", n), dir, a)
		leftovers(t, dir)
		if n%2 == 0 {
			if err := fstree.WriteCrashing(dir, tree(t, b), n); err == nil {
				t.Fatal("the second crash did not happen")
			}
		}
		if err := fstree.Write(dir, tree(t, b)); err != nil {
			t.Fatal(err)
		}
		same(t, fmt.Sprintf("crash at step %d, then write", n), dir, b)
		leftovers(t, dir)
	}
}

// TestWriteInPlaceFailure makes an update fail half-way (a file must go
// where a file stays) and expects the previous output, byte for byte.
func TestWriteInPlaceFailure(t *testing.T) {
	a, b := versions(t)
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, tree(t, a)); err != nil {
		t.Fatal(err)
	}
	b["tenants/t07/ns/base/namespace.yaml/x"] = "under a file"
	if err := fstree.Write(dir, tree(t, b)); err == nil {
		t.Fatal("write succeeded, want an error")
	}
	same(t, "failed update", dir, a)
	leftovers(t, dir)
}

// TestWriteNoticesHandEdits edits, adds and removes files and folders of
// the output by hand: the next Write puts back exactly its files.
// backdated runs edit on file and sets its times back to an hour before.
func backdated(file string, edit func(string) error) error {
	fi, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		fi, err = os.Stat(filepath.Dir(file))
	}
	if err != nil {
		return err
	}
	if err := edit(file); err != nil {
		return err
	}
	old := fi.ModTime().Add(-time.Hour)
	return os.Chtimes(file, old, old)
}

func TestWriteNoticesHandEdits(t *testing.T) {
	a, _ := versions(t)
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, tree(t, a)); err != nil {
		t.Fatal(err)
	}
	edits := []func() error{
		func() error {
			return os.WriteFile(filepath.Join(dir, "tenants/t01/app/base/deployment.yaml"), []byte("edited"), 0o644)
		},
		func() error {
			return os.WriteFile(filepath.Join(dir, "tenants/t02/app/base/extra.yaml"), []byte("extra"), 0o644)
		},
		func() error { return os.Remove(filepath.Join(dir, "tenants/t03/app/base/deployment.yaml")) },
		func() error { return os.MkdirAll(filepath.Join(dir, "tenants/t04/stray/deep"), 0o755) },
		func() error { return os.WriteFile(filepath.Join(dir, "stray.yaml"), []byte("x"), 0o644) },
		func() error {
			return errors.Join(os.RemoveAll(filepath.Join(dir, "tenants/t06/ns")), os.WriteFile(filepath.Join(dir, "tenants/t06/ns"), []byte("file"), 0o644))
		},
		// Edits that set the times back, as "touch -d", "cp -p" or an
		// interrupted second build would: still noticed (ctime).
		func() error {
			return backdated(filepath.Join(dir, "tenants/t07/app/base/deployment.yaml"), func(f string) error { return os.WriteFile(f, []byte("edited"), 0o644) })
		},
		func() error {
			return backdated(filepath.Join(dir, "tenants/t08/app/base"), func(d string) error {
				return backdated(filepath.Join(d, "stale.yaml"), func(f string) error { return os.WriteFile(f, []byte("stale"), 0o644) })
			})
		},
		// The manifest itself, whose bytes are read before the rest of the
		// folder is looked at: a blank line that leaves what it says as
		// it was, and an edit with its times set back.
		func() error { return appendTo(filepath.Join(dir, fstree.ManifestName), "\n") },
		func() error {
			return backdated(filepath.Join(dir, fstree.ManifestName), func(f string) error { return appendTo(f, " ") })
		},
	}
	want, _ := tree(t, a).Get(fstree.ManifestName)
	for i, edit := range edits {
		if err := edit(); err != nil {
			t.Fatal(err)
		}
		if err := fstree.Write(dir, tree(t, a)); err != nil {
			t.Fatal(err)
		}
		same(t, fmt.Sprint("after hand edit ", i), dir, a)
		if got, err := os.ReadFile(filepath.Join(dir, fstree.ManifestName)); err != nil || string(got) != string(want.Data) {
			t.Errorf("after hand edit %d: the manifest is not what the tree says (%v)", i, err)
		}
		leftovers(t, dir)
	}
}

// appendTo appends s to the file.
func appendTo(file, s string) error {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	return errors.Join(err, f.Close())
}

// TestWriteRemovesAbandoned removes what a first Write that was killed
// left beside the folder, and nothing else beside it.
func TestWriteRemovesAbandoned(t *testing.T) {
	a, _ := versions(t)
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	for _, d := range []string{".out.new-123/tenants", ".site.new-1", "other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := fstree.Write(dir, tree(t, a)); err != nil {
		t.Fatal(err)
	}
	leftovers(t, dir)
	for _, d := range []string{".site.new-1", "other"} {
		if _, err := os.Stat(filepath.Join(root, d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}
