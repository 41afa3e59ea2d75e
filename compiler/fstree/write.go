package fstree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write makes dir hold exactly the files of t, atomically: the new content
// is assembled in a sibling folder and swapped in by renaming, so that on
// any error dir is left as it was. Files whose bytes did not change are
// hard-linked from the old folder rather than written again.
//
// Write refuses to replace a non-empty folder without a ManifestName file:
// it was not created by platformc and may hold someone's work.
func Write(dir string, t *Tree) (err error) {
	dir = filepath.Clean(dir)
	if err := checkOwned(dir); err != nil {
		return err
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := placeAll(dir, tmp, t); err != nil { // in parallel (parallel.go)
		return err
	}
	return swap(dir, tmp)
}

// checkOwned fails if dir exists, is not empty and has no manifest.
func checkOwned(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("refusing to replace %s: it is not empty and has no %s, so platformc did not write it", dir, ManifestName)
	}
	return nil
}

// place puts data at p under tmp, whose folders exist, linking the old
// file from dir when there is a previous output and the old file has the
// same bytes.
func place(dir, tmp, p string, data []byte, previous bool) error {
	dst := filepath.Join(tmp, filepath.FromSlash(p))
	if previous {
		old := filepath.Join(dir, filepath.FromSlash(p))
		if cur, err := os.ReadFile(old); err == nil && bytes.Equal(cur, data) {
			if err := os.Link(old, dst); err == nil {
				return nil
			}
		}
	}
	return os.WriteFile(dst, data, 0o644)
}

// swap moves tmp to dir, keeping the old dir until the new one is in place.
func swap(dir, tmp string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w (and restoring %s from %s failed: %v)", err, dir, old, rerr)
		}
		return err
	}
	os.RemoveAll(old) // the new tree is in place; a leftover is only clutter
	return nil
}

// Read returns the files under dir as a tree, with no origins. A missing
// dir reads as an empty tree.
func Read(dir string) (*Tree, error) {
	t := &Tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return t.Add(File{Path: filepath.ToSlash(rel), Data: data})
	})
	return t, err
}
