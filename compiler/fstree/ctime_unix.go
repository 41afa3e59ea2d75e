//go:build linux || darwin

package fstree

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is when the file's data or metadata last changed: its status
// change time (ctime), which, unlike its modification time, no one can
// set back, or its modification time if that is later.
func changeTime(fi fs.FileInfo) time.Time {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.ModTime()
	}
	return later(statCtime(st), fi.ModTime())
}

// inode is the file's inode number, 0 where it is not at hand.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// lstat is os.Lstat reduced to what the surveys of an output folder read
// of each of its tens of thousands of paths, without the fs.FileInfo that
// os.Lstat allocates for each.
func lstat(name string) (stat, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(name, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return stat{}, &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		break
	}
	var s stat
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		s.kind = fs.ModeDir
	case syscall.S_IFREG:
		s.kind = 0
	default:
		s.kind = fs.ModeIrregular
	}
	s.change = later(statCtime(&st), statMtime(&st))
	return s, nil
}
