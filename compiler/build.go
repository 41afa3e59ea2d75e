package compiler

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/uptodate"
	"github.com/platformc/platformc/internal/atomicfile"
)

// Built is what a build reports: what it wrote, and the warnings.
type Built = uptodate.Report

// Build compiles the platform whose root is the folder root and writes
// its outputs to the folder out, and the cluster's lock files beside
// their sources, holding out's lock (fstree.Lock). Only the files whose
// bytes change are written, under a journal: a failed build leaves out as
// it was. The AWS stacks (WithAWS) that out already holds are reused
// where their inputs did not change; WithAWS's previous is not read.
//
// With caches (WithCaches), a build records what it read and seals out:
// when nothing it read changed since, out still holds what it wrote and
// the settings (today's date, whether the AWS side is on) are the same,
// the next build returns the recorded report at once and writes nothing.
func Build(root, out string, opts ...Option) (Built, error) {
	unlock, err := fstree.Lock(out, "build")
	if err != nil {
		return Built{}, err
	}
	defer unlock()
	if r, ok := UpToDate(root, out, opts...); ok {
		return r, nil
	}
	// What out/ holds is read while the platform compiles.
	prepared := fstree.Prepare(out)
	defer prepared.Close()
	inputs := uptodate.Watch(os.DirFS(root))
	// The stacks reuse what out/cdk holds; the bytes of its files are read
	// only where they changed since the last build (fstree.File.Sum).
	previous := func(folder string) (*fstree.Tree, error) {
		return prepared.Previous(folder, path.Join(folder, cdk.StacksFile))
	}
	// The caches are written while out/ is (flushCaches).
	var flushing sync.WaitGroup
	defer flushing.Wait()
	tree, p, err := Compile(inputs, append(opts, reuse(previous), func(o *options) { o.flushing, o.holds = &flushing, prepared.Holds })...)
	if err != nil {
		return Built{}, err
	}
	locks, err := load.Locks(p)
	if err != nil {
		return Built{}, err
	}
	// The lock files first, once out/ is known to be writable: should
	// writing it fail later, the next build derives the same generations
	// from them again.
	if err := prepared.Err(); err != nil {
		return Built{}, err
	}
	relocked, err := writeLocks(root, locks)
	if err != nil {
		return Built{}, err
	}
	if err := prepared.Write(tree); err != nil {
		return Built{}, err
	}
	report := Built{Files: tree.Len(), Tenants: len(p.Tenants), Clusters: len(p.Clusters)}
	for _, w := range p.Warnings {
		report.Warnings = append(report.Warnings, fmt.Sprint(w))
	}
	o := collect(opts)
	if o.caches == nil {
		return report, nil
	}
	// A build that changed a lock file read another one: the next build,
	// from the lock files as they are now, answers for itself.
	var record *uptodate.Record
	if seal, err := prepared.Seal(tree); err == nil && seal != nil && !relocked {
		record = &uptodate.Record{Settings: o.settings(), Inputs: inputs.Observations(), Seal: seal, Report: report}
	}
	o.caches.Builds.Save(root, out, record) // else only slower next time
	return report, nil
}

// UpToDate reports whether Build would write nothing and return at once,
// with the report of the build it recorded (in the caches: WithCaches).
func UpToDate(root, out string, opts ...Option) (Built, bool) {
	o := collect(opts)
	if o.caches == nil {
		return Built{}, false
	}
	r, ok := o.caches.Builds.Current(os.DirFS(root), root, out, o.settings())
	if !ok {
		return Built{}, false
	}
	return *r, true
}

// settings are what a build's outputs and report depend on besides the
// sources and the binary.
func (o *options) settings() string {
	return fmt.Sprintf("today %s, aws %t", o.today.Format(time.DateOnly), o.aws)
}

// Checked is what Check found: the files of the output folder and the
// lock files that differ from a fresh build.
type Checked struct {
	Files int                 // the files a build writes
	Out   []fstree.Difference // paths relative to the output folder
	Locks []string            // stale lock files, relative to the root
}

// Check compiles the platform whose root is the folder root, as Build
// does, and compares the output folder out and the lock files with what
// it would write, writing nothing. It trusts nothing it did not compute:
// not the caches, which anyone who can write them can forge, nor the
// stacks of out, which a pull request can (WithCaches and WithAWS's
// previous are ignored: every stack is synthesised).
func Check(root, out string, opts ...Option) (*Checked, error) {
	unlock, err := fstree.Lock(out, "build --check")
	if err != nil {
		return nil, err
	}
	defer unlock()
	tree, p, err := Compile(os.DirFS(root), append(opts, trustNothing)...)
	if err != nil {
		return nil, err
	}
	locks, err := load.Locks(p)
	if err != nil {
		return nil, err
	}
	have, err := fstree.Read(out)
	if err != nil {
		return nil, err
	}
	c := &Checked{Files: tree.Len(), Out: fstree.Differences(tree, have)}
	for _, name := range slices.Sorted(maps.Keys(locks)) {
		cur, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(cur, locks[name]) {
			c.Locks = append(c.Locks, name)
		}
	}
	return c, nil
}

// trustNothing leaves out the caches and the earlier stacks.
func trustNothing(o *options) { o.caches, o.previous, o.reuse = nil, nil, nil }

// writeLocks writes the lock files that changed, each atomically as the
// other edits of the sources are (atomicfile.WriteFile), and reports whether
// any did.
func writeLocks(root string, locks map[string][]byte) (changed bool, err error) {
	for _, name := range slices.Sorted(maps.Keys(locks)) {
		file := filepath.Join(root, filepath.FromSlash(name))
		if cur, err := os.ReadFile(file); err == nil && bytes.Equal(cur, locks[name]) {
			continue
		}
		changed = true
		if err := atomicfile.WriteFile(file, locks[name]); err != nil {
			return changed, err
		}
	}
	return changed, nil
}
