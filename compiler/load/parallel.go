package load

import (
	"io/fs"
	"runtime"
	"strings"

	"cuelang.org/go/cue"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/pool"
)

// Tenant files are evaluated on a bounded pool of workers, one per CPU.
// A cue.Context is not safe for concurrent use, so each worker has a
// loader of its own; a context also keeps growing with every value built
// in it, so a worker starts a fresh one every recycleEvery files. Each
// file is evaluated alone against the schema either way, so the result
// does not depend on which worker evaluates it, nor on the order.
const recycleEvery = 100

// tenantResult is one tenant file, evaluated and decoded.
type tenantResult struct {
	tenant *model.Tenant
	errs   diag.List // problems in the file; tenant is nil then
	err    error     // the file could not be decoded
}

// loadTenants evaluates tenants/<name> for each of names and returns the
// tenants and the problems of their files, in the order of names. Tenants
// that cache (if not nil) holds are taken from it.
// The files are read one after the other, by one goroutine (fsys need not
// be safe for concurrent use), while the workers take the files read so
// far. Each worker keeps state of its own (pool.EachWorker), a
// CUE context that it replaces every recycleEvery tenants.
func loadTenants(fsys fs.FS, names []string, cache *Cache, w *watch) ([]*model.Tenant, diag.List, error) {
	srcs := make([][]byte, len(names))
	results := make([]tenantResult, len(names))
	read := make([]chan struct{}, len(names)) // closed once srcs[i] or results[i].errs is set
	for i := range read {
		read[i] = make(chan struct{})
	}
	reader := make(chan struct{})
	go func() {
		defer close(reader)
		for i, name := range names {
			src, err := readSource(fsys, TenantsDir+"/"+name)
			if err != nil {
				results[i].errs = unreadable(TenantsDir+"/"+name, err)
			}
			srcs[i] = src
			close(read[i])
		}
	}()
	workers := min(runtime.GOMAXPROCS(0), (len(names)+recycleEvery/4-1)/(recycleEvery/4))
	err := pool.EachWorker(len(names), workers, func() func(i int) error {
		var l *loader
		done := 0
		return func(i int) error {
			<-read[i]
			if results[i].errs != nil {
				return nil // unreadable
			}
			var key [32]byte
			release := func() {}
			if cache != nil {
				key = cache.key(names[i], srcs[i])
				var t *model.Tenant
				if t, release = cache.claim(key, names[i]); t != nil {
					results[i] = tenantResult{tenant: t}
					return nil
				}
			}
			defer release()
			if l == nil || done == recycleEvery {
				var err error
				if l, err = newLoader(w); err != nil {
					return err
				}
				done = 0
			}
			done++
			results[i] = l.tenant(names[i], srcs[i])
			if cache != nil && results[i].tenant != nil {
				cache.put(key, results[i].tenant)
			}
			return nil
		}
	})
	<-reader // done with fsys
	if err != nil {
		return nil, nil, err
	}
	var tenants []*model.Tenant
	var errs diag.List
	for _, r := range results {
		switch {
		case r.err != nil:
			return nil, nil, r.err
		case len(r.errs) > 0:
			errs = append(errs, r.errs...)
		default:
			tenants = append(tenants, r.tenant)
		}
	}
	return tenants, errs, nil
}

// tenant evaluates and decodes one tenant file.
func (l *loader) tenant(name string, src []byte) tenantResult {
	e, errs, err := l.source(TenantsDir+"/"+name, src, TenantsDir, strings.TrimSuffix(name, ".cue"))
	if err != nil || len(errs) > 0 {
		return tenantResult{errs: errs, err: err}
	}
	t, err := decodeTenant(e)
	return tenantResult{tenant: t, err: err}
}

// narrow is the schema with only the field kind ("tenants", "clusters",
// "platform"): what a file of that kind is unified with. Unifying with the
// whole schema would evaluate the other kinds' fields too, for every file.
func (l *loader) narrow(kind string) cue.Value {
	if v, ok := l.kinds[kind]; ok {
		return v
	}
	if l.kinds == nil {
		l.kinds = map[string]cue.Value{}
	}
	p := cue.MakePath(cue.Str(kind))
	v := l.ctx.CompileString("{}").FillPath(p, l.schema.LookupPath(p))
	l.kinds[kind] = v
	return v
}
