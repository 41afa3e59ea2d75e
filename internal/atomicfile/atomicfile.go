package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write replaces file with what write writes, atomically: into a
// temporary file of the same folder, renamed over file once complete, and
// removed if anything fails, so that readers see the old content or the
// new, never a part. Durable also flushes the new content to the disk
// before the rename (a journal needs it; a cache does not).
func Write(file string, durable bool, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".tmp-")
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
