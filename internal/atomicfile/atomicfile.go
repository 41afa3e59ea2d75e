package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces file with what write writes, atomically: it is written
// to a new hidden file in the same folder and renamed over file, so that
// a reader sees the old content or the new, never a part; durable syncs
// it to the disk first. The file keeps its permissions; a new one is the
// user's alone (0600), as the caches and the journal are. When write
// fails, file is left as it was.
func Write(file string, durable bool, write func(w io.Writer) error) error {
	return replace(file, durable, 0o600, write)
}

// WriteFile is Write of data, durably, for the files people edit and
// share: a new one gets 0644.
func WriteFile(file string, data []byte) error {
	return replace(file, true, 0o644, writer(data))
}

func replace(file string, durable bool, perm fs.FileMode, write func(w io.Writer) error) error {
	if fi, err := os.Stat(file); err == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := writeTemp(file, perm, durable, write)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Create writes a new file whole, durably, creating its folder if
// needed. It fails with an error matching fs.ErrExist, and writes
// nothing, if file exists, even if it appears while being written.
func Create(file string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(file); err == nil {
		return &fs.PathError{Op: "create", Path: file, Err: fs.ErrExist}
	}
	tmp, err := writeTemp(file, 0o644, true, writer(data))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// A hard link, unlike a rename, fails if file has appeared meanwhile.
	err = os.Link(tmp, file)
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "create", Path: file, Err: fs.ErrExist}
	}
	if err != nil {
		// A file system without hard links: rename, having checked above.
		return os.Rename(tmp, file)
	}
	return nil
}

func writer(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	}
}

// writeTemp writes a new hidden file next to file with write, and returns
// its name.
func writeTemp(file string, perm fs.FileMode, durable bool, write func(io.Writer) error) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".new-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return "", err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return "", err
		}
	}
	if err := f.Chmod(perm); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}
