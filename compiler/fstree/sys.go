package fstree

import (
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
