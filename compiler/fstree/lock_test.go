//go:build linux || darwin

package fstree_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/fstree"
)

// TestLockHolder is the other process of TestLockTwoProcesses: with
// FSTREE_LOCK set, it takes the lock of that folder, says so, and holds it
// until its standard input closes or it is killed.
func TestLockHolder(t *testing.T) {
	dir := os.Getenv("FSTREE_LOCK")
	if dir == "" {
		t.Skip("the other process of TestLockTwoProcesses")
	}
	unlock, err := fstree.Lock(dir, "holder")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer unlock()
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// TestLockTwoProcesses holds the lock of an output folder in another
// process: Lock fails here, naming that process, until the holder ends,
// here by being killed (the kernel releases the lock with the process).
func TestLockTwoProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	holder := exec.Command(os.Args[0], "-test.run=^TestLockHolder$", "-test.count=1")
	holder.Env = append(os.Environ(), "FSTREE_LOCK="+dir)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("holder: %q", line)
	}

	_, err = fstree.Lock(dir, "build")
	want := fmt.Sprintf("%s is in use by another platformc (platformc holder, process %d on ", dir, holder.Process.Pid)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("while held: got %v, want %s...", err, want)
	}

	holder.Process.Kill()
	holder.Wait()
	unlock, err := fstree.Lock(dir, "build")
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	unlock()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the lock wrote into the folder: %v", entries)
	}
}

// TestLockRefusesSymlink never follows a lock file that is a symlink: out/
// and what lies beside it are committed, and may come from a pull request.
func TestLockRefusesSymlink(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(root, ".out.lock")); err != nil {
		t.Fatal(err)
	}
	if _, err := fstree.Lock(filepath.Join(root, "out"), "build"); err == nil {
		t.Fatal("locked through a symlink")
	}
	if data, _ := os.ReadFile(target); string(data) != "keep" {
		t.Errorf("the symlink's target was written: %q", data)
	}
}
