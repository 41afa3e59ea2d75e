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
