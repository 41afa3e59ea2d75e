package load

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/outcache"
)

// Cache keeps the tenants that Load evaluated, by the content of their
// files, so that a file is not evaluated again: by a diff, which loads the
// base and the work tree, and, with a folder, by the runs that follow. A
// tenant file is evaluated alone against the embedded schema, so its
// model depends on its name and bytes and on the evaluator — the binary —
// only; that is the key. Only files without errors are kept.
//
// The entries are an outcache.Store's: in the folder, one file, rewritten
// (atomically) by a Load that evaluated anything, with the tenants this
// process used. It is safe to delete. Each entry is checked when read —
// its checksum, its key, the tenant it holds — and one that fails is
// ignored: a corrupt or stale entry costs an evaluation, never a wrong
// model. A Cache is safe for concurrent use.
type Cache struct {
	store *outcache.Store
	id    []byte // the evaluator: the executable's build ID
}

// cacheVersion heads the file; it changes when the format of the entries
// does.
const cacheVersion = "platformc tenant cache 2"

// cacheFile is the cache's one file in its folder.
const cacheFile = "tenants.cache"

// NewCache returns a cache kept in memory and, unless dir is "", in the
// folder dir. Without a way to identify the running binary, the folder is
// not used: an entry written by another build of platformc must not be
// read.
func NewCache(dir string) *Cache {
	c := &Cache{}
	if dir != "" {
		if id, err := executableID(); err == nil {
			c.id = id
		} else {
			dir = ""
		}
	}
	c.store = outcache.NewFile(dir, cacheFile, cacheVersion)
	return c
}

// WithCache makes Load take the tenants it has from c, and keep the others
// in it (in memory: see Flush).
func WithCache(c *Cache) Option { return func(o *options) { o.cache = c } }

// key identifies a tenant file's evaluation.
func (c *Cache) key(name string, src []byte) outcache.Key {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%x\x00%s\x00%d\x00", cacheVersion, c.id, name, len(src))
	h.Write(src)
	var k outcache.Key
	h.Sum(k[:0])
	return k
}

// claim returns the tenant of the file tenants/<file> cached under k; if
// there is none and another goroutine is evaluating it, claim waits for it
// and looks again. When claim returns nil, k is the caller's to evaluate:
// it must call done, after put if it has a tenant, so that the goroutines
// waiting for k go on. The two loads of a diff so evaluate each tenant
// file once. An entry that does not hold the file's tenant is evaluated
// again, and replaced.
func (c *Cache) claim(k outcache.Key, file string) (t *model.Tenant, done func()) {
	data, ok, done := c.store.Claim(k)
	if !ok {
		return nil, done
	}
	var tn model.Tenant
	if err := json.Unmarshal(data, &tn); err != nil || tn.Name != strings.TrimSuffix(file, ".cue") || tn.Pos.File != TenantsDir+"/"+file {
		return nil, func() {}
	}
	return &tn, done
}

// put keeps t under k.
func (c *Cache) put(k outcache.Key, t *model.Tenant) {
	if data, err := json.Marshal(t); err == nil {
		c.store.Put(k, data)
	}
}

// Flush writes the tenants of this process to the folder, if it lacks
// any; a cache that cannot be written is only slower. Load does not: its
// caller flushes, when it likes (a build, while it writes its outputs).
func (c *Cache) Flush() error { return c.store.Flush() }

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
