package fstree

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is as on Linux (ctime_linux.go).
func changeTime(fi fs.FileInfo) time.Time {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.ModTime()
	}
	return later(time.Unix(st.Ctimespec.Unix()), fi.ModTime())
}
