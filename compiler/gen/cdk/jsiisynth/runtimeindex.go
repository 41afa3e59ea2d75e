package jsiisynth

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/platformc/platformc/internal/atomicfile"
)

// jsii's Node.js process reads aws-cdk-lib's type system (its assembly:
// 82 MB of JSON, 21,844 types) each time it starts, 1.6 s of its 2.6 s
// start, unless the package's folder in jsii's package cache holds a
// runtime index: the types one JSON line each, read as they are used.
// jsii builds that index itself in a worker thread after a full read,
// but the worker only runs between calls from Go, never while the
// runtime waits for the next one: it finishes in a session of thousands
// of calls (a thousand tenants' stacks synthesised), never in a short
// one (a few stacks, the tests). Index writes it, as jsii's worker would,
// byte for byte (TestRuntimeIndex); with it a start takes 0.7 s and a
// third of the memory.
//
// The format is jsii's runtime index version 1 (@jsii/kernel's
// runtime-index.ts, jsii-runtime-go v1.139.0): a jsii runtime of another
// version reads its own files and ignores these; one that finds them
// incomplete or inconsistent reads the assembly instead.
const (
	indexVersion  = 1
	indexManifest = ".jsii.runtime.v1.json"
	indexNames    = ".jsii.runtime-index.v1"
	indexDefs     = ".jsii.runtime-defs.v1.jsonl"
	indexSchema   = "jsii/runtime-index"
	assemblyFile  = ".jsii"
	redirectKind  = "jsii/file-redirect"
	cacheMarker   = ".jsii-runtime-package-cache"
)

// CacheRootEnv is the environment variable that names the folder of
// jsii's package cache.
const CacheRootEnv = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"

// indexedPackage is the package worth an index: the others load in
// milliseconds.
const indexedPackage = "aws-cdk-lib"

// packageCacheRoot is the folder of jsii's package cache, as jsii's
// runtime finds it, or "" when the cache is off.
func packageCacheRoot() string {
	if v := os.Getenv("JSII_RUNTIME_PACKAGE_CACHE"); v != "" && !strings.EqualFold(v, "enabled") {
		return ""
	}
	if root := os.Getenv(CacheRootEnv); root != "" {
		return root
	}
	home := os.Getenv("HOME")
	switch {
	case runtime.GOOS == "linux" && home != "":
		return filepath.Join(home, ".cache", "aws", "jsii", "package-cache")
	case runtime.GOOS == "darwin" && home != "":
		return filepath.Join(home, "Library", "Caches", "com.amazonaws.jsii", "package-cache")
	case runtime.GOOS == "windows" && os.Getenv("LOCALAPPDATA") != "":
		return filepath.Join(os.Getenv("LOCALAPPDATA"), "AWS", "jsii", "package-cache")
	}
	return filepath.Join(os.TempDir(), "aws-jsii-package-cache")
}

// indexPackageCache writes the runtime index of indexedPackage's folders
// in jsii's package cache that have none. A failure only leaves the next
// start as slow as this one: it is not reported.
func indexPackageCache() {
	root := packageCacheRoot()
	if root == "" {
		return
	}
	// <root>/<name>/<version>/<digest of the tarball>/
	markers, _ := filepath.Glob(filepath.Join(root, indexedPackage, "*", "*", cacheMarker))
	for _, marker := range markers {
		dir := filepath.Dir(marker)
		if _, err := os.Stat(filepath.Join(dir, indexManifest)); err != nil {
			_ = Index(dir)
		}
	}
}

// Index writes the runtime index of the jsii package in the folder dir:
// its type definitions without their documentation and source locations
// (defs), their names, kinds and offsets (index), and the assembly's
// other fields (manifest, written last, so that a reader that finds it
// finds the rest).
func Index(dir string) error {
	// A folder that cannot be written is found before the assembly is
	// read, which a synthesis would otherwise pay for every time.
	probe, err := os.CreateTemp(dir, ".platformc-index-*")
	if err != nil {
		return err
	}
	probe.Close()
	os.Remove(probe.Name())
	asm, err := readAssembly(dir)
	if err != nil {
		return err
	}
	var (
		meta    = []byte{'{'}
		names   []string
		kinds   []byte
		offsets []byte
		defs    bytes.Buffer
		s       = scanner{src: asm}
	)
	defs.Grow(len(asm) / 3) // 27% for aws-cdk-lib
	s.members(func(key []byte) {
		switch string(key) {
		case `"types"`:
			s.members(func(fqn []byte) {
				var name string
				if err == nil {
					err = json.Unmarshal(fqn, &name)
				}
				offsets = binary.LittleEndian.AppendUint32(offsets, uint32(defs.Len()))
				start := len(s.out)
				raw := s.object(true, `"kind"`)
				kind, ok := typeKinds[string(raw)]
				if !ok && err == nil && s.err == nil {
					err = fmt.Errorf("type %s: unindexable kind %s", fqn, raw)
				}
				names, kinds = append(names, name), append(kinds, kind)
				defs.Write(s.out[start:])
				defs.WriteByte('\n')
				s.out = s.out[:start]
			})
		case `"readme"`, `"submodules"`:
			s.skip()
		default:
			if len(meta) > 1 {
				meta = append(meta, ',')
			}
			meta = append(append(meta, key...), ':')
			start := len(s.out)
			s.value(false)
			meta = append(meta, s.out[start:]...)
			s.out = s.out[:start]
		}
	})
	if err := cmp.Or(s.err, err); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, assemblyFile), err)
	}
	meta = append(meta, '}')
	offsets = binary.LittleEndian.AppendUint32(offsets, uint32(defs.Len()))
	if uint64(defs.Len()) > 1<<32-1 {
		return fmt.Errorf("%s: type definitions too large to index", dir)
	}
	index := append([]byte(strings.Join(names, "\n")), kinds...)
	namesLen := len(index) - len(kinds)
	index = append(index, offsets...)
	manifest := fmt.Appendf(nil,
		`{"schema":%q,"version":%d,"index":%q,"defs":%q,"assemblyMetadata":%s,"layout":{"typeCount":%d,"names":{"start":0,"length":%d},"kinds":{"start":%d,"length":%d},"offsets":{"start":%d,"length":%d}}}`,
		indexSchema, indexVersion, indexNames, indexDefs, meta, len(names),
		namesLen, namesLen, len(kinds), namesLen+len(kinds), len(offsets))
	for _, f := range []struct {
		name string
		data []byte
	}{{indexDefs, defs.Bytes()}, {indexNames, index}, {indexManifest, manifest}} {
		if err := atomicfile.WriteFile(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// typeKinds are the kinds' ordinals in the index.
var typeKinds = map[string]byte{`"class"`: 0, `"interface"`: 1, `"enum"`: 2}

// readAssembly returns the JSON of the assembly of the package in dir,
// following jsii's redirects to a compressed file.
func readAssembly(dir string) ([]byte, error) {
	name := assemblyFile
	for range 4 {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var redirect struct{ Schema, Compression, Filename string }
		if !bytes.HasPrefix(data, []byte(`{"schema":"`+redirectKind)) || json.Unmarshal(data, &redirect) != nil || redirect.Schema != redirectKind {
			return data, nil
		}
		if filepath.IsAbs(redirect.Filename) || strings.Contains(redirect.Filename, "..") {
			return nil, fmt.Errorf("%s: a redirect out of the package: %q", filepath.Join(dir, name), redirect.Filename)
		}
		name = redirect.Filename
		switch redirect.Compression {
		case "":
		case "gzip":
			data, err = os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, err
			}
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
			}
			// gzip's trailer gives the size (modulo 4 GiB): one allocation.
			var out bytes.Buffer
			if n := len(data); n >= 4 {
				out.Grow(int(binary.LittleEndian.Uint32(data[n-4:])))
			}
			_, err = io.Copy(&out, zr)
			data = out.Bytes()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
			}
			return data, nil
		default:
			return nil, fmt.Errorf("%s: unknown compression %q", filepath.Join(dir, name), redirect.Compression)
		}
	}
	return nil, fmt.Errorf("%s: too many redirects", filepath.Join(dir, assemblyFile))
}

// scanner copies JSON values of src to out, compact, leaving out the
// members that jsii's index leaves out of a type's definition. Strings
// and numbers are copied as they are: jsii wrote them with
// JSON.stringify, which is what it reads them back with.
type scanner struct {
	src []byte
	i   int
	out []byte
	err error
}

// slimmed are the members a type's definition drops, at any depth.
var slimmed = map[string]bool{`"docs"`: true, `"locationInModule"`: true, `"sourceLine"`: true}

func (s *scanner) fail(what string) {
	if s.err == nil {
		s.err = fmt.Errorf("offset %d: %s", s.i, what)
	}
	s.i = len(s.src)
}

func (s *scanner) space() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\n' || s.src[s.i] == '\r' || s.src[s.i] == '\t') {
		s.i++
	}
}

// members calls f with each member's key (a JSON string, quotes and
// escapes included) of the object at the scanner, which f must consume
// the value of.
func (s *scanner) members(f func(key []byte)) {
	s.list('{', '}', func(bool) {
		s.space()
		key := s.string()
		s.space()
		if s.i >= len(s.src) || s.src[s.i] != ':' {
			s.fail("':' expected")
			return
		}
		s.i++
		f(key)
	})
}

// list calls each with every element of the object or array at the
// scanner, delimited by open and close, past the comma before it.
func (s *scanner) list(open, close byte, each func(first bool)) {
	s.space()
	if s.i >= len(s.src) || s.src[s.i] != open {
		s.fail(fmt.Sprintf("%q expected", open))
		return
	}
	s.i++
	for first := true; s.err == nil; first = false {
		s.space()
		if s.i < len(s.src) && s.src[s.i] == close {
			s.i++
			return
		}
		if !first {
			if s.i >= len(s.src) || s.src[s.i] != ',' {
				s.fail(fmt.Sprintf("',' or %q expected", close))
				return
			}
			s.i++
		}
		each(first)
	}
}

// string returns the JSON string at the scanner, quotes included.
func (s *scanner) string() []byte {
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		s.fail("a string expected")
		return nil
	}
	start := s.i
	for s.i++; s.i < len(s.src); s.i++ {
		switch s.src[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return s.src[start:s.i]
		}
	}
	s.fail("an unterminated string")
	return nil
}

// skip passes the value at the scanner.
func (s *scanner) skip() {
	n := len(s.out)
	s.value(false)
	s.out = s.out[:n]
}

// value copies the value at the scanner to out; slim drops the members
// of slimmed from its objects.
func (s *scanner) value(slim bool) {
	s.space()
	if s.i >= len(s.src) {
		s.fail("a value expected")
		return
	}
	switch c := s.src[s.i]; {
	case c == '{':
		s.object(slim, "")
	case c == '[':
		s.out = append(s.out, '[')
		s.list('[', ']', func(first bool) {
			if !first {
				s.out = append(s.out, ',')
			}
			s.value(slim)
		})
		s.out = append(s.out, ']')
	case c == '"':
		s.out = append(s.out, s.string()...)
	default: // a number, true, false or null
		start := s.i
		for s.i < len(s.src) && !strings.ContainsRune(",]} \n\r\t", rune(s.src[s.i])) {
			s.i++
		}
		if start == s.i {
			s.fail("a value expected")
			return
		}
		s.out = append(s.out, s.src[start:s.i]...)
	}
}

// object copies the object at the scanner to out, as value does, and
// returns the copy of the value of its member whose key is capture.
func (s *scanner) object(slim bool, capture string) (captured []byte) {
	s.out = append(s.out, '{')
	n := 0
	s.members(func(key []byte) {
		if slim && slimmed[string(key)] {
			s.skip()
			return
		}
		if n > 0 {
			s.out = append(s.out, ',')
		}
		n++
		s.out = append(append(s.out, key...), ':')
		start := len(s.out)
		s.value(slim)
		if string(key) == capture {
			captured = s.out[start:]
		}
	})
	s.out = append(s.out, '}')
	return captured
}
