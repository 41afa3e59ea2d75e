package fstree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write makes dir hold exactly the files of t, so that a failure, or a
// crash, never leaves a partly written dir behind:
//
//   - a dir with no manifest (a first build) is assembled in a sibling
//     folder and renamed into place;
//   - a dir written by platformc before is updated in place, changing only
//     the files whose bytes change, under a journal (journal.go): every
//     file replaced or removed is first moved aside, and the journal says
//     how to put everything back. On an error Write undoes the change at
//     once; after a crash, the next Write or Read undoes it (Recover).
//
// Which files changed is decided from the previous manifest: a file of
// dir is taken to hold the bytes the manifest lists for it unless it
// changed since the manifest was written (its modification time, or that
// of its folder for files added or removed), in which case it is read.
//
// Write refuses to replace a non-empty folder without a ManifestName file:
// it was not created by platformc and may hold someone's work.
func Write(dir string, t *Tree) error { return write(dir, t, nil) }

// write is Write; crash, if not nil, is called before each change of an
// update in place and stops the write there, as if the process died, when
// it returns true (for tests).
func write(dir string, t *Tree, crash func() bool) (err error) {
	dir = filepath.Clean(dir)
	if err := Recover(dir); err != nil {
		return err
	}
	if err := checkOwned(dir); err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(dir, ManifestName)); err == nil {
		old, err := ReadManifest(dir)
		if err == nil {
			return update(dir, t, old, crash)
		}
		// An unreadable manifest: the folder is rebuilt from scratch.
	}
	return replace(dir, t)
}

// replace assembles t in a sibling folder and swaps it in by renaming.
// Files whose bytes did not change are hard-linked from the old folder.
func replace(dir string, t *Tree) (err error) {
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

// Read returns the files under dir as a tree, with no origins, after
// undoing an interrupted Write (Recover). A missing dir reads as an empty
// tree.
func Read(dir string) (*Tree, error) {
	if err := Recover(dir); err != nil {
		return nil, err
	}
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
