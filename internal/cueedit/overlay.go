package cueedit

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// Overlay is a file system: Base with the files of Files added or put in
// place of Base's, so that a platform can be validated with an edit before
// the edit is written. Paths are slash-separated and relative to Base's
// root; Base may be nil, for a file system of Files alone.
type Overlay struct {
	Base  fs.FS
	Files map[string][]byte
}

var (
	_ fs.ReadFileFS = Overlay{}
	_ fs.ReadDirFS  = Overlay{}
	_ fs.StatFS     = Overlay{}
)

// Open opens a file or a folder of the overlay.
func (o Overlay) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if data, ok := o.Files[name]; ok {
		return &memFile{info: fileInfo{name: path.Base(name), size: int64(len(data))}, r: bytes.NewReader(data)}, nil
	}
	if o.isOverlayDir(name) {
		entries, err := o.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &memDir{info: fileInfo{name: path.Base(name), dir: true}, entries: entries}, nil
	}
	if o.Base == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.Base.Open(name)
}

// ReadFile returns a file's content.
func (o Overlay) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	if data, ok := o.Files[name]; ok {
		return slices.Clone(data), nil
	}
	if o.Base == nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(o.Base, name)
}

// Stat describes a file or a folder.
func (o Overlay) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if data, ok := o.Files[name]; ok {
		return fileInfo{name: path.Base(name), size: int64(len(data))}, nil
	}
	if o.isOverlayDir(name) {
		return fileInfo{name: path.Base(name), dir: true}, nil
	}
	if o.Base == nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(o.Base, name)
}

// ReadDir lists a folder: Base's entries and the overlay's, sorted by name.
func (o Overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	byName := map[string]fs.DirEntry{}
	var baseErr error = &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	if o.Base != nil {
		var entries []fs.DirEntry
		entries, baseErr = fs.ReadDir(o.Base, name)
		if baseErr != nil && !errors.Is(baseErr, fs.ErrNotExist) {
			return nil, baseErr
		}
		for _, e := range entries {
			byName[e.Name()] = e
		}
	}
	for p, data := range o.Files {
		child, ok := childOf(name, p)
		if !ok {
			continue
		}
		if rest := strings.TrimPrefix(p, prefix(name)+child); rest != "" {
			byName[child] = fs.FileInfoToDirEntry(fileInfo{name: child, dir: true})
		} else {
			byName[child] = fs.FileInfoToDirEntry(fileInfo{name: child, size: int64(len(data))})
		}
	}
	if len(byName) == 0 && baseErr != nil && !o.isOverlayDir(name) {
		return nil, baseErr
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// isOverlayDir reports whether an overlay file lies under the folder name.
func (o Overlay) isOverlayDir(name string) bool {
	if name == "." {
		return true
	}
	for p := range o.Files {
		if strings.HasPrefix(p, name+"/") {
			return true
		}
	}
	return false
}

// childOf returns the first element of p below the folder dir.
func childOf(dir, p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, prefix(dir))
	if !ok || rest == "" {
		return "", false
	}
	child, _, _ := strings.Cut(rest, "/")
	return child, true
}

func prefix(dir string) string {
	if dir == "." {
		return ""
	}
	return dir + "/"
}

type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return i.size }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.dir }
func (i fileInfo) Sys() any           { return nil }

type memFile struct {
	info fileInfo
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	info    fileInfo
	entries []fs.DirEntry
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
