//go:build !linux && !darwin

package fstree

import (
	"io/fs"
	"time"
)

// changeTime is the modification time where the status change time is
// not at hand: a hand edit that sets it back goes unnoticed there.
func changeTime(fi fs.FileInfo) time.Time { return fi.ModTime() }

// inode is 0: the inode number is not at hand.
func inode(fs.FileInfo) uint64 { return 0 }
