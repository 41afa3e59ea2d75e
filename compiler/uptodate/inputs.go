package uptodate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"strings"
	"sync"
)

// Inputs is an fs.FS that reads through another one and records what it
// observes: each opened file's SHA-256 (of all its bytes, once it was read
// to the end), each folder's listing, each Stat and Lstat's file type.
// It is safe for concurrent use.
type Inputs struct {
	fsys fs.FS

	mu   sync.Mutex
	seen map[string]string // "op\x00name" -> observation
}

// Watch returns an Inputs reading fsys.
func Watch(fsys fs.FS) *Inputs { return &Inputs{fsys: fsys, seen: map[string]string{}} }

// Observations returns what was observed so far: "op\x00name" ->
// observation.
func (in *Inputs) Observations() map[string]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return maps.Clone(in.seen)
}

func (in *Inputs) note(op, name, observation string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	key := op + "\x00" + name
	switch old, ok := in.seen[key]; {
	case observation == unclosed && ok:
		return // opened again
	case ok && old != unclosed && old != observation:
		observation = unrepeatable // read twice, differently: nothing to trust
	}
	in.seen[key] = observation
}

// unrepeatable is an observation that no check repeats; so is unclosed,
// that of a file opened and not closed yet.
const (
	unrepeatable = "changed while read"
	unclosed     = "not closed"
)

// Open implements fs.FS.
func (in *Inputs) Open(name string) (fs.File, error) {
	f, err := in.fsys.Open(name)
	if err != nil {
		in.note("open", name, failed(err))
		return nil, err
	}
	in.note("open", name, unclosed)
	return &file{File: f, in: in, name: name, h: sha256.New()}, nil
}

// file hashes what is read of it; its observation is made at Close.
type file struct {
	fs.File
	in   *Inputs
	name string
	h    hash.Hash
	eof  bool
}

func (f *file) Read(b []byte) (int, error) {
	n, err := f.File.Read(b)
	f.h.Write(b[:n])
	if err == io.EOF {
		f.eof = true
	}
	return n, err
}

func (f *file) Close() error {
	observation := unrepeatable // not read to the end: its bytes are not known
	if f.eof {
		observation = hex.EncodeToString(f.h.Sum(nil))
	}
	f.in.note("open", f.name, observation)
	return f.File.Close()
}

// ReadDir implements fs.ReadDirFS.
func (in *Inputs) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(in.fsys, name)
	in.note("readdir", name, listing(entries, err))
	return entries, err
}

// Stat implements fs.StatFS.
func (in *Inputs) Stat(name string) (fs.FileInfo, error) {
	fi, err := fs.Stat(in.fsys, name)
	in.note("stat", name, kind(fi, err))
	return fi, err
}

// Lstat implements fs.ReadLinkFS.
func (in *Inputs) Lstat(name string) (fs.FileInfo, error) {
	fi, err := fs.Lstat(in.fsys, name)
	in.note("lstat", name, kind(fi, err))
	return fi, err
}

// ReadLink implements fs.ReadLinkFS.
func (in *Inputs) ReadLink(name string) (string, error) {
	target, err := fs.ReadLink(in.fsys, name)
	if err != nil {
		in.note("readlink", name, failed(err))
	} else {
		in.note("readlink", name, "-> "+target)
	}
	return target, err
}

func failed(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "missing"
	}
	return unrepeatable // an error that may not happen again: never trusted
}

func kind(fi fs.FileInfo, err error) string {
	if err != nil {
		return failed(err)
	}
	return fi.Mode().Type().String()
}

func listing(entries []fs.DirEntry, err error) string {
	if err != nil {
		return failed(err)
	}
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%s\n", e.Name(), e.Type())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// observe makes the observation of key again, on fsys, reading files
// through buf.
func observe(fsys fs.FS, key string, buf []byte) string {
	op, name, _ := strings.Cut(key, "\x00")
	switch op {
	case "open":
		f, err := fsys.Open(name)
		if err != nil {
			return failed(err)
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.CopyBuffer(h, onlyReader{f}, buf); err != nil {
			return unrepeatable
		}
		return hex.EncodeToString(h.Sum(nil))
	case "readdir":
		return listing(fs.ReadDir(fsys, name))
	case "stat":
		return kind(fs.Stat(fsys, name))
	case "lstat":
		return kind(fs.Lstat(fsys, name))
	case "readlink":
		target, err := fs.ReadLink(fsys, name)
		if err != nil {
			return failed(err)
		}
		return "-> " + target
	}
	return unrepeatable
}

// onlyReader hides the WriteTo of an *os.File, with which io.CopyBuffer
// would ignore its buffer for one of its own, of 32 KiB, per file.
type onlyReader struct{ io.Reader }
