package compiler

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/outcache"
	"github.com/platformc/platformc/compiler/uptodate"
)

// Caches are what compilations keep to be faster the next time, in one
// folder, whatever the platform (every entry is keyed by content):
//
//	tenants.cache  the loader's evaluated tenants (load.Cache)
//	outputs/       each tenant's generated files and policy findings (incremental.go):
//	               with the files' bytes, and, a build's, without
//	builds/        each platform's last build, to stop a build with nothing changed (uptodate)
//
// Entries are trusted only when this binary wrote them: each is keyed by
// its build ID (load.BuildID), and a binary without one keeps nothing on
// disk. Any of them may be deleted at any time.
type Caches struct {
	Tenants *load.Cache
	Outputs *outcache.Store // with the files' bytes
	Files   *outcache.Store // without: a build's (the bytes are in its out/)
	Builds  *uptodate.Store
}

// OpenCaches returns the caches kept in the folder dir; "" keeps them in
// memory only, for the life of the process.
func OpenCaches(dir string) *Caches {
	id, err := load.BuildID()
	if err != nil {
		dir = "" // no entry could be told from another binary's
	}
	sub := func(name string) string {
		if dir == "" {
			return ""
		}
		return filepath.Join(dir, name)
	}
	return &Caches{
		Tenants: load.NewCache(dir),
		Outputs: outcache.New(sub("outputs")),
		Files:   outcache.NewFile(sub("outputs"), filesCache, filesHeader),
		Builds:  uptodate.NewStore(sub("builds"), id),
	}
}

// Flush writes the tenants and outputs that this process used to their
// files, both at once, where they lack any; a cache that cannot be
// written is only slower. Every compilation flushes at its end (Build
// while it writes its outputs).
func (c *Caches) Flush() {
	var wg sync.WaitGroup
	wg.Go(func() { c.Tenants.Flush() })
	wg.Go(func() { c.Files.Flush() })
	c.Outputs.Flush()
	wg.Wait()
}

// The file of Caches.Files, in outputs/, and its first line.
const (
	filesCache  = "files.cache"
	filesHeader = "platformc output files 1"
)

// DefaultCacheDir is where the caches live unless told otherwise:
// platformc/ in the user's cache folder ($XDG_CACHE_HOME, ~/.cache), or
// "" if there is none.
func DefaultCacheDir() string {
	user, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(user, "platformc")
}

// WithCaches makes Compile take from c, and keep in it, the tenants it
// evaluates (load.WithCache) and each tenant's generated files and
// findings (the output cache: incremental.go).
func WithCaches(c *Caches) Option {
	return func(o *options) { o.caches = c }
}
