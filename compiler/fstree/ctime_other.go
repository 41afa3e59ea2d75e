//go:build !linux && !darwin

package fstree

import (
	"io/fs"
	"os"
	"time"
)

// changeTime is the modification time where the status change time is
// not at hand: a hand edit that sets it back goes unnoticed there.
func changeTime(fi fs.FileInfo) time.Time { return fi.ModTime() }

// inode is 0: the inode number is not at hand.
func inode(fs.FileInfo) uint64 { return 0 }

// lstat is os.Lstat reduced to what the surveys of an output folder read.
func lstat(name string) (stat, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return stat{}, err
	}
	s := stat{kind: fs.ModeIrregular, change: changeTime(fi)}
	switch {
	case fi.IsDir():
		s.kind = fs.ModeDir
	case fi.Mode().IsRegular():
		s.kind = 0
	}
	return s, nil
}
