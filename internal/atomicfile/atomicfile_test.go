package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/platformc/platformc/internal/atomicfile"
)

// TestWrite: a complete write replaces the file; a failed one leaves the
// old content and no temporary file behind.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	for _, durable := range []bool{false, true} {
		if err := atomicfile.Write(file, durable, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("a new file written by Write: %v, %v; want 0600", fi.Mode(), err)
		}
		if data, _ := os.ReadFile(file); string(data) != "new" {
			t.Fatalf("durable %t: %q", durable, data)
		}
	}
	boom := errors.New("boom")
	if err := atomicfile.Write(file, true, func(w io.Writer) error { io.WriteString(w, "part"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	entries, _ := os.ReadDir(dir)
	if data, _ := os.ReadFile(file); string(data) != "new" || len(entries) != 1 {
		t.Errorf("after a failed write: %q, %d files", data, len(entries))
	}
}

func TestCreateAndWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.cue")
	if err := atomicfile.Create(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Create(p, []byte("two")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a file: %v", err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(p, []byte("three")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "three" || fi.Mode().Perm() != 0o600 {
		t.Errorf("got %q %v", b, fi.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
