package fstree

import (
	"io/fs"
	"syscall"
	"time"
)

// syscallENOTDIR is the error of a path whose parent is a file.
const syscallENOTDIR = syscall.ENOTDIR

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stat is what lstat reports of a path: whether it is a folder, a
// regular file (kind 0) or something else (fs.ModeIrregular), and its
// changeTime.
type stat struct {
	kind   fs.FileMode
	change time.Time
}

func (s stat) isDir() bool     { return s.kind == fs.ModeDir }
func (s stat) isRegular() bool { return s.kind == 0 }
