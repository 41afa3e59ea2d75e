package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/schema"
)

// The platform's sources: one file of settings, and folders that hold one
// CUE file per entry.
const (
	PlatformFile = "platform.cue"
	ClustersDir  = "clusters"
	TenantsDir   = "tenants"
)

// Option changes how Load checks a platform.
type Option func(*options)

type options struct {
	today    time.Time
	cache    *Cache // see WithCache (cache.go)
	aws      bool   // see ForAWS (aws.go)
	memory   uint64 // see MemoryLimit (limits.go)
	exceeded func(error)
}

// Today sets the date that EKS support windows are checked against; without
// it they are not checked.
func Today(t time.Time) Option { return func(o *options) { o.today = t } }

// Load reads platform.cue, clusters/*.cue (with their lock files) and
// tenants/*.cue from fsys, whose root is the platform's root, and returns
// the validated platform. Any problem is returned as diag.List; other errors
// mean fsys could not be read.
func Load(fsys fs.FS, opts ...Option) (*model.Platform, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	w := watchMemory(o.memory, o.exceeded)
	defer w.close()
	l, err := newLoader(w)
	if err != nil {
		return nil, err
	}
	p := &model.Platform{Today: o.today}
	if err := decode(l.schema.LookupPath(cue.ParsePath("versions")), &p.Versions); err != nil {
		return nil, fmt.Errorf("embedded schema: versions: %w", err)
	}
	if err := decode(l.schema.LookupPath(cue.ParsePath("apiRemovals")), &p.APIRemovals); err != nil {
		return nil, fmt.Errorf("embedded schema: apiRemovals: %w", err)
	}
	var errs diag.List
	if fi, err := fs.Lstat(fsys, PlatformFile); errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, diag.Errorf(model.Pos{File: PlatformFile}, "", "not found: the platform's root needs %s, defining platform: {name, repo, argocd, environments}", PlatformFile))
	} else if err == nil && !fi.Mode().IsRegular() {
		errs = append(errs, diag.Errorf(model.Pos{File: PlatformFile, Line: 1, Col: 1}, "", "not read: it is not a regular file of the repository (a symlink?); put the file itself here"))
	} else {
		v, e, err := l.file(fsys, PlatformFile, "platform")
		if err != nil {
			return nil, err
		}
		errs = append(errs, e...)
		if len(e) == 0 {
			if p.Config, err = decodeConfig(v); err != nil {
				return nil, err
			}
		}
	}
	broken := map[string]bool{} // clusters whose file has errors: known, but not in p
	for _, dir := range []string{ClustersDir, TenantsDir} {
		names, e, err := cueFiles(fsys, dir)
		if err != nil {
			return nil, err
		}
		errs = append(errs, e...)
		if dir == TenantsDir {
			ts, e, err := loadTenants(fsys, names, o.cache, w) // in parallel (parallel.go)
			if err != nil {
				return nil, err
			}
			errs = append(errs, e...)
			p.Tenants = append(p.Tenants, ts...)
			continue
		}
		for _, name := range names {
			v, e, err := l.file(fsys, dir+"/"+name, dir, strings.TrimSuffix(name, ".cue"))
			if err != nil {
				return nil, err
			}
			errs = append(errs, e...)
			if len(e) > 0 {
				if dir == ClustersDir {
					broken[strings.TrimSuffix(name, ".cue")] = true
				}
				continue
			}
			if dir == ClustersDir {
				c, err := decodeCluster(v)
				if err != nil {
					return nil, err
				}
				p.Clusters = append(p.Clusters, c)
				locked, lerr := readLock(fsys, c.Name)
				if lerr != nil {
					errs = append(errs, lerr...)
					continue
				}
				e, w := plan(c, locked)
				errs = append(errs, e...)
				p.Warnings = append(p.Warnings, w...)
				e, w = checkSupport(p, c, o.today)
				errs = append(errs, e...)
				p.Warnings = append(p.Warnings, w...)
			}
		}
	}
	if len(p.Clusters) == 0 && len(errs) == 0 {
		errs = append(errs, diag.Errorf(model.Pos{}, "", "no clusters found: define each cluster in %s/<name>.cue", ClustersDir))
	}
	if p.Config.Name != "" {
		errs = append(errs, check(p, broken)...)
		e, w := checkQuotas(p)
		errs = append(errs, e...)
		p.Warnings = append(p.Warnings, w...)
		if o.aws {
			errs = append(errs, checkAWS(p)...)
		}
	}
	if len(errs) > 0 {
		return nil, diag.List(diag.Sorted(errs))
	}
	p.Warnings = diag.Sorted(p.Warnings)
	return p, nil
}

// cueFiles lists the .cue files directly in dir, sorted, skipping hidden
// files and files starting with "_" as the cue tool does. A missing folder
// holds no files. What looks meant to be read but would not be is an
// error, rather than a tenant or cluster silently missing: a file named
// .CUE, .yaml or .json (but a cluster's lock file); and a .cue file that
// is not a regular file of the repository (a symlink, which could lead
// anywhere, or a device) is never read.
func cueFiles(fsys fs.FS, dir string) ([]string, diag.List, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	var names []string
	var errs diag.List
	for _, e := range entries {
		n := e.Name()
		at := model.Pos{File: dir + "/" + n, Line: 1, Col: 1}
		ext := path.Ext(n)
		switch {
		case e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_"):
		case ext == ".cue" && e.Type()&fs.ModeSymlink != 0:
			errs = append(errs, diag.Errorf(at, "", "not read: it is a symlink, and platformc reads only the repository's own files; put the file itself here"))
		case ext == ".cue" && !e.Type().IsRegular():
			errs = append(errs, diag.Errorf(at, "", "not read: it is not a regular file"))
		case ext == ".cue":
			names = append(names, n)
		case dir == ClustersDir && strings.HasSuffix(n, ".lock.json"):
		case strings.EqualFold(ext, ".cue") || slices.Contains([]string{".yaml", ".yml", ".json"}, strings.ToLower(ext)):
			errs = append(errs, diag.Errorf(at, "", "not read: %s holds one file <name>.cue per %s; rename it %s.cue", dir, strings.TrimSuffix(dir, "s"), strings.TrimSuffix(n, ext)))
		}
	}
	slices.Sort(names)
	return names, errs, nil
}

// loader evaluates files against the schema. A CUE context is not safe
// for concurrent use, so a loader is used by one goroutine.
type loader struct {
	ctx    *cue.Context
	schema cue.Value
	kinds  map[string]cue.Value
	watch  *watch // nil: no memory limit
}

func newLoader(w *watch) (*loader, error) {
	ctx := cuecontext.New()
	names, err := fs.Glob(schema.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	inst := build.NewContext().NewInstance("schema", nil)
	for _, n := range names {
		src, err := fs.ReadFile(schema.FS, n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile("schema/"+n, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("embedded schema: %w", err)
		}
		if err := inst.AddSyntax(f); err != nil {
			return nil, fmt.Errorf("embedded schema: %w", err)
		}
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	return &loader{ctx: ctx, schema: v, watch: w}, nil
}

// entry is one evaluated file: the value at path, unified with the
// schema, and where the file defines it.
type entry struct {
	file   string
	path   []string // "tenants", "billing"
	syntax *ast.File
	at     model.Pos
	value  cue.Value
}

// file evaluates file alone against the schema and returns the value at
// path, which is all the file may define.
func (l *loader) file(fsys fs.FS, file string, path ...string) (entry, diag.List, error) {
	src, err := readSource(fsys, file)
	if err != nil {
		return entry{}, unreadable(file, err), nil
	}
	return l.source(file, src, path...)
}

// source evaluates src, the content of file, as file does.
func (l *loader) source(file string, src []byte, path ...string) (entry, diag.List, error) {
	if errs := checkSize(file, src, nil); len(errs) > 0 {
		return entry{}, errs, nil
	}
	f, err := parser.ParseFile(file, src, parser.ParseComments)
	if err != nil {
		return entry{}, fromCUE(err, file, nil), nil
	}
	if errs := checkSize(file, src, f); len(errs) > 0 {
		return entry{}, errs, nil
	}
	defer l.watch.evaluating(file)()
	at, errs := checkOwnership(f, path)
	if len(errs) > 0 {
		return entry{}, errs, nil
	}
	v := l.ctx.BuildFile(f)
	if err := v.Err(); err != nil {
		return entry{}, fromCUE(err, file, f), nil
	}
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		sels[i] = cue.Str(p)
	}
	v = l.narrow(path[0]).Unify(v).LookupPath(cue.MakePath(sels...))
	if err := v.Validate(cue.Concrete(true), cue.All()); err != nil {
		return entry{}, fromCUE(err, file, f), nil
	}
	return entry{file: file, path: path, syntax: f, at: at, value: v}, nil, nil
}

// decode fills dst from a concrete value through JSON, which is about twice
// as fast as Value.Decode.
func decode(v cue.Value, dst any) error {
	b, err := v.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
