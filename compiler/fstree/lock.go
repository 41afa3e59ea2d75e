//go:build linux || darwin

package fstree

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Lock takes the lock of the output folder dir for one platformc command,
// what ("build", "publish"), and returns the function that releases it;
// while it is held, no other platformc writes or reads dir. Two builds at
// once would each update dir from what it held before, and leave files
// that neither meant.
//
// The lock is an advisory lock (flock) on the file ".<dir>.lock" beside
// dir, which names its holder for the message of the next one. The kernel
// releases it when the process ends, however it ends: a killed build
// leaves nothing locked. The file is never followed if it is a symlink.
func Lock(dir, what string) (unlock func(), err error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	file := filepath.Join(parent, "."+base+".lock")
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := io.ReadAll(io.LimitReader(f, 512))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by another platformc (%s): wait for it to end, or stop it", dir, cmp.Or(strings.TrimSpace(string(holder)), "holder unknown; lock "+file))
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("platformc %s, process %d on %s, since %s\n", what, os.Getpid(), host, time.Now().UTC().Format(time.DateTime)+" UTC")
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(holder), 0) // only for the message of a waiting command
	}
	return func() { f.Close() }, nil
}
