package uptodate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/internal/atomicfile"
	"github.com/platformc/platformc/internal/pool"
)

// version changes whenever a record's format or meaning does.
const version = "platformc build record 2"

// Record is what a build read, what it left in its output folder, and
// what it reported.
type Record struct {
	// Settings are everything besides the sources that the output depends
	// on, as the caller states them (the date, the AWS side): a record
	// made under other settings is not used.
	Settings string            `json:"settings"`
	Inputs   map[string]string `json:"inputs"` // Inputs.Observations
	Seal     *fstree.Seal      `json:"seal"`
	Report   Report            `json:"report"`
}

// Report is what the build said, for a build that finds it up to date to
// say again.
type Report struct {
	Warnings []string `json:"warnings,omitempty"`
	Files    int      `json:"files"`
	Tenants  int      `json:"tenants"`
	Clusters int      `json:"clusters"`
}

// Store keeps records in a folder, one file per platform and output
// folder. The zero Store (no folder) keeps none.
type Store struct {
	dir     string
	buildID []byte
}

// NewStore returns the store of the folder dir ("": none), for the
// binary whose build ID is buildID: a record of another binary is never
// used.
func NewStore(dir string, buildID []byte) *Store {
	if len(buildID) == 0 {
		dir = ""
	}
	return &Store{dir: dir, buildID: buildID}
}

// file is the record's file for a platform root and an output folder.
func (s *Store) file(root, out string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%x\x00%s\x00%s", version, s.buildID, root, out)
	return filepath.Join(s.dir, hex.EncodeToString(h.Sum(nil))[:32]+".json")
}

// Save keeps r as the record of the build of root into out; it removes
// the record when r is nil. Failing to save is only slower next time.
func (s *Store) Save(root, out string, r *Record) error {
	if s == nil || s.dir == "" {
		return nil
	}
	file := s.file(root, out)
	if r == nil || r.Seal == nil {
		if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	// The seal's paths, most of a record, follow its JSON as they are:
	// escaping them into a JSON string and back cost more than the rest.
	seal, rest := *r.Seal, *r
	seal.Paths, rest.Seal = "", &seal
	data, err := json.Marshal(rest)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	// Megabytes of paths, neither joined to the rest nor copied whole:
	// memory touched for the first time costs as much as writing it.
	h := sha256.New()
	h.Write(data)
	h.Write([]byte("\n"))
	fstree.HashString(h, r.Seal.Paths)
	return atomicfile.Write(file, false, func(w io.Writer) error {
		if _, err := fmt.Fprintf(w, "%x\n", h.Sum(nil)); err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		_, err := io.WriteString(w, r.Seal.Paths) // an *os.File's WriteString does not copy
		return err
	})
}

// Current returns the report of the last build of root (read through
// fsys) into out if nothing it depends on changed since: the binary, the
// settings, every observation of its Inputs, and the output folder
// (fstree.Seal.Intact). The caller holds out's lock.
func (s *Store) Current(fsys fs.FS, root, out, settings string) (*Report, bool) {
	if s == nil || s.dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(s.file(root, out))
	if err != nil {
		return nil, false
	}
	// The file: the SHA-256 of the rest, the record as JSON but the
	// seal's paths, and those (see Save), a line each.
	head, body, ok := bytes.Cut(data, []byte("\n"))
	sum := sha256.Sum256(body)
	if !ok || string(head) != hex.EncodeToString(sum[:]) {
		return nil, false
	}
	js, paths, ok := bytes.Cut(body, []byte("\n"))
	var r Record
	if err := json.Unmarshal(js, &r); !ok || err != nil || r.Settings != settings || r.Seal == nil || r.Seal.Paths != "" || len(r.Inputs) == 0 {
		return nil, false
	}
	r.Seal.Paths = string(paths)
	if !same(fsys, r.Inputs) || !r.Seal.Intact(out) {
		return nil, false
	}
	return &r.Report, true
}

// errDiffers ends the observations at the first that differs.
var errDiffers = errors.New("an observation differs")

// same reports whether every observation is made again on fsys, alike.
func same(fsys fs.FS, observations map[string]string) bool {
	keys := make([]string, 0, len(observations))
	for k, v := range observations {
		if v == unrepeatable || v == unclosed {
			return false
		}
		keys = append(keys, k)
	}
	// Observing waits on the disk: twice as many goroutines as CPUs, each
	// reading through a buffer of its own.
	return pool.EachWorker(len(keys), min(runtime.GOMAXPROCS(0)*2, len(keys)/32+1), func() func(i int) error {
		buf := make([]byte, 32<<10)
		return func(i int) error {
			if observe(fsys, keys[i], buf) != observations[keys[i]] {
				return errDiffers // stops the others
			}
			return nil
		}
	}) == nil
}
