package fstree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
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
func Write(dir string, t *Tree) error { return Prepare(dir).Write(t) }

// Prepared is an output folder whose state Write needs — what it holds
// and whether it changed since its manifest — is being read, in the
// background: a caller starts it before compiling, so that the reading
// overlaps the compilation.
type Prepared struct {
	dir        string
	done       chan struct{}
	recoverErr error
	listed     chan struct{} // closed once old and stamp are set, or known to be none

	err   error
	old   *Manifest // nil: no (readable) manifest, dir is written afresh
	disk  *onDisk
	stamp time.Time // the manifest's modification time
	start time.Time // when the reading started, less a margin (update)

	written bool     // Write succeeded (Seal)
	touched []string // files Write wrote or read back (update), for Seal
}

// Prepare starts reading the state of the output folder dir, after
// undoing an interrupted Write (Recover) and removing what a killed first
// Write left beside it. Nothing else may read or write dir until the
// Prepared's Write: the caller holds its Lock.
func Prepare(dir string) *Prepared {
	w := &Prepared{dir: filepath.Clean(dir), done: make(chan struct{}), listed: make(chan struct{})}
	go func() {
		defer close(w.done)
		listed := sync.OnceFunc(func() { close(w.listed) })
		defer listed()
		w.err = w.read(listed)
	}()
	return w
}

// read reads the folder's state; listed is called once its manifest is
// read (or none found).
func (w *Prepared) read(listed func()) error {
	// Whatever changes from now on must not pass for unchanged next time
	// (update); the margin is for the coarse clock of file times.
	w.start = time.Now().Add(-time.Second)
	if fi, err := os.Lstat(w.dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		w.recoverErr = fmt.Errorf("refusing to write %s: it is a symlink, and platformc writes only in a folder of its own", w.dir)
		return w.recoverErr
	}
	w.recoverErr = Recover(w.dir)
	if w.recoverErr != nil {
		return w.recoverErr
	}
	if err := removeAbandoned(w.dir); err != nil {
		return err
	}
	if err := checkOwned(w.dir); err != nil {
		return err
	}
	fi, err := os.Lstat(filepath.Join(w.dir, ManifestName))
	if err != nil {
		return nil
	}
	old, sum, err := readManifest(w.dir)
	if err != nil {
		return nil // an unreadable manifest: the folder is rebuilt from scratch
	}
	w.old, w.stamp = old, fi.ModTime()
	listed()
	disk, err := survey(w.dir, old, fi.ModTime(), readBytes{change: changeTime(fi), sum: sum})
	if err != nil {
		return err
	}
	w.disk = disk
	return nil
}

// Previous returns the files directly in folder that the output folder
// holds and its manifest lists, reading only the bytes of those named in
// read and of those that changed since the manifest was written: the
// others hold the bytes the manifest lists (as Write takes them to), and
// are in the tree with the manifest's SHA-256 and no bytes (File.Sum).
// A folder without manifest, or with folders in folder, is read as
// ReadFolder reads it.
func (w *Prepared) Previous(folder string, read ...string) (*Tree, error) {
	<-w.listed
	if w.recoverErr != nil {
		return nil, w.recoverErr
	}
	return previous(w.dir, w.old, w.stamp, folder, read)
}

// ReadFolderListed is ReadFolder of folder as Prepared.Previous reads
// it, for a reader of the output folder dir that does not write it.
func ReadFolderListed(dir, folder string, read ...string) (*Tree, error) {
	if err := Recover(dir); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(filepath.Join(dir, ManifestName))
	if err != nil {
		return readFolder(dir, folder)
	}
	old, _, err := readManifest(dir)
	if err != nil {
		return readFolder(dir, folder)
	}
	return previous(dir, old, fi.ModTime(), folder, read)
}

// previous is Previous of the output folder dir, whose manifest old was
// written at stamp (nil if there is none).
func previous(dir string, old *Manifest, stamp time.Time, folder string, read []string) (*Tree, error) {
	var paths []string
	if old != nil {
		for _, p := range old.paths() {
			if strings.HasPrefix(p, folder+"/") {
				paths = append(paths, p)
			}
		}
	}
	st, err := lstat(filepath.Join(dir, filepath.FromSlash(folder)))
	if old == nil || err != nil || !st.isDir() || slices.ContainsFunc(paths, func(p string) bool { return path.Dir(p) != folder || CheckPath(p) != nil }) {
		return readFolder(dir, folder)
	}
	files := make([]File, len(paths))
	if err := parallel(len(paths), func(i int) error {
		p := paths[i]
		file := filepath.Join(dir, filepath.FromSlash(p))
		st, err := lstat(file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // gone
		case err != nil:
			return err
		case !st.isRegular():
			return nil // never followed
		}
		if st.change.Before(stamp) && !slices.Contains(read, p) {
			if sum, ok := old.sum(p); ok {
				files[i] = File{Path: p, Sum: sum}
				return nil
			}
		}
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		files[i] = File{Path: p, Data: data}
		return err
	}); err != nil {
		return nil, err
	}
	t := &Tree{}
	for _, f := range files {
		if f.Path != "" { // else gone
			if err := t.Add(f); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// Holds reports whether the output folder holds the file p with the
// bytes whose SHA-256 is sum, as its manifest lists it and unchanged
// since (the survey's finding): Write leaves such a file as it is, so a
// tree may hold it without its bytes (File.Sum). It waits for the
// reading; false if the folder could not be read.
func (w *Prepared) Holds(p string, sum [32]byte) bool {
	<-w.done
	if w.err != nil || w.disk == nil {
		return false
	}
	have, ok := w.disk.sums[p]
	return ok && sameSum(have, sum)
}

// Write makes the folder hold exactly the files of t, as the function
// Write does. A Prepared is written once.
func (w *Prepared) Write(t *Tree) error { return w.write(t, nil) }

// Err waits for the reading to end and returns its error: whether Write
// can start (the folder is platformc's, a crashed Write is undone).
func (w *Prepared) Err() error {
	<-w.done
	return w.err
}

// Close waits for the reading to end, for a Prepared that will not be
// written (a failed compilation): nothing touches the folder after it.
func (w *Prepared) Close() { <-w.done }

// write is Write; crash, if not nil, is called before each change of an
// update in place and stops the write there, as if the process died, when
// it returns true (for tests).
func (w *Prepared) write(t *Tree, crash func() bool) error {
	<-w.done
	if w.err != nil {
		return w.err
	}
	var err error
	if w.old != nil {
		err = update(w, t, crash)
	} else {
		err = replace(w.dir, t)
	}
	w.written = err == nil
	return err
}

// write is Write with crash (see Prepared.write).
func write(dir string, t *Tree, crash func() bool) error { return Prepare(dir).write(t, crash) }

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

// removeAbandoned removes the sibling folders in which a first Write that
// was killed was assembling dir (replace): no Write is under way, as the
// caller holds dir's Lock. A symlink of that name goes, not its target.
func removeAbandoned(dir string) error {
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil // no parent yet: nothing abandoned in it
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+base+".new-") {
			if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
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
		if !within(dir, old) {
			return os.WriteFile(dst, data, 0o644)
		}
		if cur, err := os.ReadFile(old); err == nil && bytes.Equal(cur, data) {
			if err := os.Link(old, dst); err == nil {
				return nil
			}
		}
	}
	return os.WriteFile(dst, data, 0o644)
}

// within reports whether file is a regular file reached from dir through
// real folders only: no symlink on the way leads out of dir.
func within(dir, file string) bool {
	fi, err := os.Lstat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return false
	}
	base, err1 := filepath.EvalSymlinks(dir)
	real, err2 := filepath.EvalSymlinks(filepath.Dir(file))
	return err1 == nil && err2 == nil && real == filepath.Join(base, filepath.Dir(rel))
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
func Read(dir string) (*Tree, error) { return ReadFolder(dir, ".") }

// ReadFS returns the regular files under folder (slash-separated) of
// fsys as a tree, with paths relative to fsys's root: an output as a git
// commit holds it. A missing folder reads as an empty tree.
func ReadFS(fsys fs.FS, folder string) (*Tree, error) {
	t := &Tree{}
	err := fs.WalkDir(fsys, folder, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == folder {
			return fs.SkipAll
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return t.Add(File{Path: p, Data: data})
	})
	return t, err
}

// ReadFSListed is ReadFS of folder, a folder without folders in it, of
// fsys, an output folder with its manifest as a commit holds them: the
// files the manifest lists, but those of read, are in the tree with the
// manifest's SHA-256 and no bytes (File.Sum), as Prepared.Previous has
// them; Tree.ReadDiffering reads those that a comparison needs. A commit
// holds an output as a build wrote it, manifest included (publish), and
// no one changes a commit: the manifest is trusted for what the files it
// lists hold. Without a manifest, or with folders in folder, it is ReadFS.
func ReadFSListed(fsys fs.FS, folder string, read ...string) (*Tree, error) {
	data, err := fs.ReadFile(fsys, ManifestName)
	if err != nil {
		return ReadFS(fsys, folder)
	}
	m, err := decodeManifest(string(data))
	if err != nil {
		return ReadFS(fsys, folder)
	}
	entries, err := fs.ReadDir(fsys, folder)
	if errors.Is(err, fs.ErrNotExist) {
		return &Tree{}, nil
	}
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(entries, fs.DirEntry.IsDir) {
		return ReadFS(fsys, folder)
	}
	t := &Tree{}
	for _, e := range entries {
		p := path.Join(folder, e.Name())
		if !e.Type().IsRegular() {
			continue
		}
		if sum, ok := m.sum(p); ok && !slices.Contains(read, p) {
			if err := t.Add(File{Path: p, Sum: sum}); err != nil {
				return nil, err
			}
			continue
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if err := t.Add(File{Path: p, Data: data}); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ReadFolder is Read of the files under folder, a slash-separated path
// in dir, alone; their paths are relative to dir. The files are read on a
// few goroutines.
func ReadFolder(dir, folder string) (*Tree, error) {
	if err := Recover(dir); err != nil {
		return nil, err
	}
	return readFolder(dir, folder)
}

func readFolder(dir, folder string) (*Tree, error) {
	var paths []string
	root := filepath.Join(dir, filepath.FromSlash(folder))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return nil // a symlink or a device is not an output: never followed
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	data := make([][]byte, len(paths))
	if err := parallel(len(paths), func(i int) (err error) {
		data[i], err = os.ReadFile(filepath.Join(dir, paths[i]))
		return err
	}); err != nil {
		return nil, err
	}
	t := &Tree{}
	for i, p := range paths {
		if err := t.Add(File{Path: filepath.ToSlash(p), Data: data[i]}); err != nil {
			return nil, err
		}
	}
	return t, nil
}
