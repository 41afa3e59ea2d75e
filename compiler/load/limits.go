package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cuelang.org/go/cue/ast"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// Limits of a source file, checked before it is evaluated. A tenant file
// describes a tenant in a few kilobytes and a few hundred fields; a file
// far beyond that is a mistake, or an attack that every build would pay
// for (evaluating CUE fields costs more than linear time).
const (
	MaxSourceBytes  = 1 << 20
	MaxSourceFields = 4096
)

// Limits of what a workload passes to its containers: an object of the
// cluster holds at most 1.5 MB, and a file of the image or a secret is
// the place for larger configuration.
const (
	MaxEnv       = 200
	MaxEnvValue  = 32 << 10
	MaxArgs      = 100
	MaxArgLength = 4096
)

// MaxFilesBytes caps a workload's files, as the JSON of its ConfigMap's
// data: Argo CD applies the ConfigMap client-side, which keeps a copy of
// it in an annotation, and Kubernetes caps an object's annotations at
// 256 KiB.
const MaxFilesBytes = 250_000

// checkFiles refuses a workload's files that would mount over one another
// (a file where another needs a folder), that would share a key of their
// ConfigMap, or that do not fit in it.
func checkFiles(w *model.Workload, wp string) diag.List {
	var errs diag.List
	keys := map[string]string{}
	data := map[string]string{}
	for i, f := range w.Files {
		fp := wp + ".files." + strconv.Quote(f.Path)
		for _, g := range w.Files[:i] {
			if strings.HasPrefix(f.Path, g.Path+"/") {
				errs = append(errs, diag.Errorf(f.Pos, fp, "%s is a file of this workload: nothing can be mounted under it", g.Path))
			}
		}
		key := naming.FileKey(f.Path)
		if other, ok := keys[key]; ok {
			errs = append(errs, diag.Errorf(f.Pos, fp, "%s and %s would have the same key %q in the workload's ConfigMap: rename one", other, f.Path, key))
		}
		keys[key], data[key] = f.Path, f.Content
	}
	if encoded, _ := json.Marshal(data); len(encoded) > MaxFilesBytes {
		errs = append(errs, diag.Errorf(w.Files[0].Pos, wp+".files", "the files take %d bytes in their ConfigMap, more than %d: Argo CD keeps a copy of what it applies in an annotation, and Kubernetes caps annotations at 256 KiB; put large files in the image", len(encoded), MaxFilesBytes))
	}
	return errs
}

// checkValues refuses a workload's environment, command or arguments past
// the limits, at the workload (wp is its CUE path).
func checkValues(w *model.Workload, wp string) diag.List {
	var errs diag.List
	if len(w.Env) > MaxEnv {
		errs = append(errs, diag.Errorf(w.Pos, wp+".env", "%d variables: env holds at most %d; put larger configuration in a file of the image", len(w.Env), MaxEnv))
	}
	for _, k := range slices.Sorted(maps.Keys(w.Env)) {
		if n := len(w.Env[k]); n > MaxEnvValue {
			errs = append(errs, diag.Errorf(w.Pos, wp+".env."+k, "a value of %d bytes: an environment variable holds at most %d KiB", n, MaxEnvValue>>10))
		}
	}
	for field, words := range map[string][]string{"command": w.Command, "args": w.Args} {
		if len(words) > MaxArgs {
			errs = append(errs, diag.Errorf(w.Pos, wp+"."+field, "%d words: %s holds at most %d", len(words), field, MaxArgs))
		}
		for i, s := range words {
			if len(s) > MaxArgLength {
				errs = append(errs, diag.Errorf(w.Pos, fmt.Sprintf("%s.%s[%d]", wp, field, i), "a word of %d bytes: a word holds at most %d", len(s), MaxArgLength))
			}
		}
	}
	return errs
}

// readSource reads a source file, but never more than MaxSourceBytes and
// one byte.
func readSource(fsys fs.FS, file string) ([]byte, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSourceBytes+1))
}

// unreadable is the error of a source file that is listed but cannot be
// read (permissions, a folder gone meanwhile), at the file.
func unreadable(file string, err error) diag.List {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return diag.List{diag.Errorf(model.Pos{File: file, Line: 1, Col: 1}, "", "cannot be read: %v", err)}
}

// checkSize refuses a source file beyond the limits, at its start or at
// its first field past the limit.
func checkSize(file string, src []byte, f *ast.File) diag.List {
	if len(src) > MaxSourceBytes {
		return diag.List{diag.Errorf(model.Pos{File: file, Line: 1, Col: 1}, "", "more than %d KiB: a source file holds at most that much", MaxSourceBytes>>10)}
	}
	if f == nil {
		return nil
	}
	n := 0
	var past ast.Node
	ast.Walk(f, func(node ast.Node) bool {
		if _, ok := node.(*ast.Field); ok {
			if n++; n > MaxSourceFields && past == nil {
				past = node
			}
		}
		return past == nil
	}, nil)
	if past != nil {
		return diag.List{diag.Errorf(toPos(past.Pos()), "", "more than %d fields: a source file holds at most that many", MaxSourceFields)}
	}
	return nil
}

// MemoryLimit bounds the memory that loading may take: when the heap
// passes limit bytes while source files are being evaluated, exceeded is
// called, once, with an error at the start of each of those files. CUE's
// evaluation cannot be stopped, so exceeded must end the process (the
// command line prints the error and exits 1); a file that makes the
// evaluation grow without bound ("a: b+b" over and over) then ends with a
// positioned error rather than with the kernel's OOM killer or a Go stack
// trace.
func MemoryLimit(limit uint64, exceeded func(error)) Option {
	return func(o *options) { o.memory, o.exceeded = limit, exceeded }
}

// watch tracks the files being evaluated, and the heap while it runs.
type watch struct {
	mu       sync.Mutex
	files    map[string]int // file -> evaluations of it under way
	stop     chan struct{}
	stopOnce sync.Once
}

// watchMemory starts polling the heap against limit; nil for no limit.
func watchMemory(limit uint64, exceeded func(error)) *watch {
	if limit == 0 || exceeded == nil {
		return nil
	}
	w := &watch{files: map[string]int{}, stop: make(chan struct{})}
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 || sample[0].Value.Uint64() <= limit {
				continue
			}
			w.mu.Lock()
			files := make([]string, 0, len(w.files))
			for f := range w.files {
				files = append(files, f)
			}
			w.mu.Unlock()
			if len(files) == 0 {
				continue // not evaluating: the platform is large, not a file
			}
			slices.Sort(files)
			var errs diag.List
			for _, f := range files {
				errs = append(errs, diag.Errorf(model.Pos{File: f, Line: 1, Col: 1}, "", "evaluating this file took more than %d MiB of memory: a source file declares values, and should not compute them (raise the limit with PLATFORMC_MEMORY_LIMIT if the platform really needs it)", limit>>20))
			}
			exceeded(errs)
			return
		}
	}()
	return w
}

// evaluating records that file is being evaluated until the returned
// function is called.
func (w *watch) evaluating(file string) func() {
	if w == nil {
		return func() {}
	}
	w.mu.Lock()
	w.files[file]++
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		if w.files[file]--; w.files[file] == 0 {
			delete(w.files, file)
		}
		w.mu.Unlock()
	}
}

func (w *watch) close() {
	if w != nil {
		w.stopOnce.Do(func() { close(w.stop) })
	}
}
