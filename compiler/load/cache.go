package load

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/platformc/platformc/compiler/model"
)

// Cache keeps the tenants that Load evaluated, by the content of their
// files, so that a file is not evaluated again: by a diff, which loads the
// base and the work tree, and, with a folder, by the runs that follow. A
// tenant file is evaluated alone against the embedded schema, so its
// model depends on its name and bytes and on the evaluator — the binary —
// only; that is the key. Only files without errors are kept.
//
// In the folder, the cache is one file, rewritten (atomically) by a Load
// that evaluated anything, with the tenants this process used: one file
// to write rather than one per tenant, and no growth. It is safe to
// delete. Each entry is checked when read — its checksum, its key, the
// tenant it holds — and one that fails is ignored: a corrupt or stale
// entry costs an evaluation, never a wrong model. A Cache is safe for
// concurrent use.
type Cache struct {
	dir string // "" keeps entries in memory only
	id  []byte // the evaluator: the executable's build ID

	mu     sync.Mutex
	mem    map[[32]byte][]byte // key -> the tenant as JSON, of this process
	disk   map[[32]byte][]byte // the folder's entries, once read
	loaded bool
	dirty  bool                       // mem has entries the folder lacks
	busy   map[[32]byte]chan struct{} // tenants being evaluated (claim)
}

// cacheVersion changes when the format of the entries does.
const cacheVersion = "platformc tenant cache 1"

// cacheFile is the cache's one file in its folder.
const cacheFile = "tenants.cache"

// NewCache returns a cache kept in memory and, unless dir is "", in the
// folder dir. Without a way to identify the running binary, the folder is
// not used: an entry written by another build of platformc must not be
// read.
func NewCache(dir string) *Cache {
	c := &Cache{mem: map[[32]byte][]byte{}, busy: map[[32]byte]chan struct{}{}}
	if dir != "" {
		if id, err := executableID(); err == nil {
			c.dir, c.id = dir, id
		}
	}
	return c
}

// WithCache makes Load take the tenants it has from c, and keep the others
// in it.
func WithCache(c *Cache) Option { return func(o *options) { o.cache = c } }

// key identifies a tenant file's evaluation.
func (c *Cache) key(name string, src []byte) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%x\x00%s\x00%d\x00", cacheVersion, c.id, name, len(src))
	h.Write(src)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// get returns the tenant of the file tenants/<file> cached under k, or
// nil.
func (c *Cache) get(k [32]byte, file string) *model.Tenant {
	c.mu.Lock()
	data, ok := c.mem[k]
	if !ok {
		c.load()
		if data, ok = c.disk[k]; ok {
			c.mem[k] = data
		}
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	var t model.Tenant
	if err := json.Unmarshal(data, &t); err != nil || t.Name != strings.TrimSuffix(file, ".cue") || t.Pos.File != TenantsDir+"/"+file {
		c.mu.Lock()
		delete(c.mem, k)
		c.dirty = true
		c.mu.Unlock()
		return nil
	}
	return &t
}

// claim returns the tenant cached under k, as get does; if there is none
// and another goroutine is evaluating it, claim waits for it and looks
// again. When claim returns nil, k is the caller's to evaluate: it must
// call done, after put if it has a tenant, so that the goroutines
// waiting for k go on. The two loads of a diff so evaluate each tenant
// file once.
func (c *Cache) claim(k [32]byte, file string) (t *model.Tenant, done func()) {
	for {
		if t := c.get(k, file); t != nil {
			return t, func() {}
		}
		c.mu.Lock()
		wait, busy := c.busy[k]
		if !busy {
			ch := make(chan struct{})
			c.busy[k] = ch
			c.mu.Unlock()
			return nil, sync.OnceFunc(func() {
				c.mu.Lock()
				if c.busy[k] == ch {
					delete(c.busy, k)
				}
				c.mu.Unlock()
				close(ch)
			})
		}
		c.mu.Unlock()
		<-wait
	}
}

// put keeps t under k.
func (c *Cache) put(k [32]byte, t *model.Tenant) {
	data, err := json.Marshal(t)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.mem[k] = data
	c.dirty = true
	c.mu.Unlock()
}

// The file is a header line, then per entry a line of the hex key, the hex
// SHA-256 of the payload and its length, and the payload and a newline.

// load reads the folder's entries, once; c.mu is held.
func (c *Cache) load() {
	if c.loaded || c.dir == "" {
		return
	}
	c.loaded = true
	c.disk = map[[32]byte][]byte{}
	data, err := os.ReadFile(filepath.Join(c.dir, cacheFile))
	if err != nil {
		return
	}
	header, data, _ := bytes.Cut(data, []byte("\n"))
	if string(header) != cacheVersion {
		return
	}
	for len(data) > 0 {
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		var keyHex, sumHex string
		var n int
		if _, err := fmt.Sscanf(string(line), "%64s %64s %d", &keyHex, &sumHex, &n); !ok || err != nil || n < 0 || n+1 > len(rest) || rest[n] != '\n' {
			return // the rest is unreadable
		}
		payload := rest[:n]
		data = rest[n+1:]
		var k [32]byte
		sum := sha256.Sum256(payload)
		if kb, err := hex.DecodeString(keyHex); err != nil || len(kb) != 32 || sumHex != hex.EncodeToString(sum[:]) {
			continue
		} else {
			copy(k[:], kb)
		}
		c.disk[k] = payload
	}
}

// flush writes the tenants of this process to the folder, atomically, if
// it lacks any; a cache that cannot be written is only slower.
func (c *Cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty || c.dir == "" {
		return
	}
	c.dirty = false
	keys := make([][32]byte, 0, len(c.mem))
	for k := range c.mem {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	var b bytes.Buffer
	b.WriteString(cacheVersion + "\n")
	for _, k := range keys {
		payload := c.mem[k]
		sum := sha256.Sum256(payload)
		fmt.Fprintf(&b, "%x %x %d\n", k, sum, len(payload))
		b.Write(payload)
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(c.dir, cacheFile))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

var (
	exeOnce sync.Once
	exeID   []byte
	exeErr  error
)

// executableID identifies the running binary by the build ID the Go
// linker writes into it, which changes with any change of its code or of
// what it embeds (the schema).
func executableID() ([]byte, error) {
	exeOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			exeErr = err
			return
		}
		f, err := elf.Open(exe)
		if err != nil {
			exeErr = err
			return
		}
		defer f.Close()
		s := f.Section(".note.go.buildid")
		if s == nil {
			exeErr = fmt.Errorf("%s: no Go build ID", exe)
			return
		}
		exeID, exeErr = s.Data()
		if exeErr == nil && len(exeID) < 16 {
			exeErr = fmt.Errorf("%s: no Go build ID", exe)
		}
	})
	return exeID, exeErr
}

// BuildID identifies the running binary (see executableID): what caches
// of anything it computes must key on.
func BuildID() ([]byte, error) { return executableID() }
