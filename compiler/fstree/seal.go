package fstree

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A Seal is what Intact needs to tell, from the files' metadata alone,
// that an output folder still holds exactly what a Write left in it: the
// manifest's identity, every path, and the SHA-256 of the files that Write
// wrote or read back (whose change time is not before the manifest's, so
// that their metadata cannot vouch for them). Checking one costs a lstat
// per file and folder instead of reading the manifest and comparing trees.
type Seal struct {
	Manifest FileID `json:"manifest"`
	// Paths are the files but the manifest, one per line, sorted.
	Paths string `json:"paths"`
	// Racy are the files Intact reads: path -> hex SHA-256.
	Racy map[string]string `json:"racy,omitempty"`
}

// FileID identifies a file's state: any write, rename over it, or change
// of its times changes it.
type FileID struct {
	Size   int64  `json:"size"`
	Mod    int64  `json:"mod"`    // modification time, ns since 1970
	Change int64  `json:"change"` // change time (or modification), ns since 1970
	Inode  uint64 `json:"inode"`
}

func fileID(fi fs.FileInfo) FileID {
	return FileID{Size: fi.Size(), Mod: fi.ModTime().UnixNano(), Change: changeTime(fi).UnixNano(), Inode: inode(fi)}
}

// maxRacy bounds the files a Seal lists with their hashes: past it, a
// Write changed so much that sealing is not worth it (the next Write's
// reading settles the folder's times).
const maxRacy = 2000

// Seal returns the seal of the folder that Write has just made hold t, or
// nil if there is none worth keeping.
func (w *Prepared) Seal(t *Tree) (*Seal, error) {
	if !w.written {
		return nil, errors.New("seal of an output folder that was not written")
	}
	fi, err := os.Lstat(filepath.Join(w.dir, ManifestName))
	if err != nil {
		return nil, err
	}
	s := &Seal{Manifest: fileID(fi), Racy: map[string]string{}}
	paths := t.Paths()
	var b strings.Builder
	n := 0
	for _, p := range paths {
		n += len(p) + 1
	}
	b.Grow(n) // megabytes, which growing step by step allocates five times over
	for _, p := range paths {
		if p != ManifestName {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	s.Paths = strings.TrimSuffix(b.String(), "\n")
	racy := w.touched
	if w.old == nil {
		// A first Write: every file is new, and those created in the same
		// tick of the clock as the manifest do not look older than it.
		stamp := fi.ModTime()
		young := make([]bool, len(paths))
		parallel(len(paths), func(i int) error {
			st, err := lstat(filepath.Join(w.dir, filepath.FromSlash(paths[i])))
			young[i] = err != nil || !st.change.Before(stamp)
			return nil
		})
		racy = nil
		for i, y := range young {
			if y {
				racy = append(racy, paths[i])
			}
		}
	}
	for _, p := range racy {
		if _, ok := t.Get(p); !ok || p == ManifestName {
			continue // removed, or the manifest, which Intact knows by its identity
		}
		if len(s.Racy) == maxRacy {
			return nil, nil
		}
		sum := t.Sum(p)
		s.Racy[p] = hex.EncodeToString(sum[:])
	}
	return s, nil
}

// Intact reports whether the folder dir holds exactly the files that it
// held when s was taken, with the same bytes: its manifest is the same
// file, no interrupted Write is pending, every folder and file is there
// and none has changed since the manifest was written (a folder that did
// lists exactly the expected entries; a file that did is one of s's racy
// files and has their bytes). Anything else, or any error, is false.
func (s *Seal) Intact(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, ManifestName))
	if err != nil || fileID(fi) != s.Manifest {
		return false
	}
	stamp := time.Unix(0, s.Manifest.Mod)
	journal, undo := journalPaths(dir)
	for _, p := range []string{journal, undo} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	var paths []string
	if s.Paths != "" {
		paths = strings.Split(s.Paths, "\n")
	}
	// Every folder, with the number of entries it holds.
	entries := map[string]int{".": 1} // the manifest
	for _, p := range paths {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if _, seen := entries[d]; seen {
				break
			}
			entries[d] = 0
		}
	}
	for _, p := range paths {
		entries[path.Dir(p)]++
	}
	dirs := make([]string, 0, len(entries))
	for d := range entries {
		if d != "." {
			entries[path.Dir(d)]++
		}
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)         // a lstat after one of the same folder costs the kernel less
	var known map[string]bool // every path, for the folders to list
	changed := make([]bool, len(dirs))
	err = parallel(len(dirs), func(i int) error {
		st, err := lstat(filepath.Join(dir, filepath.FromSlash(dirs[i])))
		if err != nil || !st.isDir() {
			return errNotIntact
		}
		changed[i] = !st.change.Before(stamp)
		return nil
	})
	if err != nil {
		return false
	}
	var toList []string
	for i, c := range changed {
		if c {
			toList = append(toList, dirs[i])
		}
	}
	if len(toList) > 0 {
		known = make(map[string]bool, len(paths)+len(dirs))
		for _, p := range paths {
			known[p] = true
		}
		for _, d := range dirs {
			known[d] = true
		}
		known[ManifestName] = true
	}
	err = parallel(len(toList), func(i int) error {
		list, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(toList[i])))
		if err != nil || len(list) != entries[toList[i]] {
			return errNotIntact
		}
		for _, e := range list {
			if !known[path.Join(toList[i], e.Name())] {
				return errNotIntact
			}
		}
		return nil
	})
	if err != nil {
		return false
	}
	err = parallel(len(paths), func(i int) error {
		file := filepath.Join(dir, filepath.FromSlash(paths[i]))
		st, err := lstat(file)
		if err != nil || !st.isRegular() {
			return errNotIntact
		}
		if st.change.Before(stamp) {
			return nil
		}
		want, ok := s.Racy[paths[i]]
		if !ok {
			return errNotIntact
		}
		data, err := os.ReadFile(file)
		if err != nil || hexSum(data) != want {
			return errNotIntact
		}
		return nil
	})
	return err == nil
}

var errNotIntact = errors.New("not intact")
