package compiler

import (
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/argocd"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/kustomize"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/policy"
)

// Option changes what Compile and Generate do.
type Option func(*options)

type options struct {
	today    time.Time // zero: no date (load.Today)
	limit    uint64    // see MemoryLimit
	exceeded func(error)
	caches   *Caches // nil: none
	aws      bool    // the AWS stacks are generated
	forAWS   bool    // the loader checks what they need of the sources (load.ForAWS)
	synth    cdk.Synthesizer
	previous func() *fstree.Tree
	reuse    func(folder string) (*fstree.Tree, error) // see ReuseStacks
	progress io.Writer
	flushing *sync.WaitGroup // see flushCaches
	// holds, for a build, reports whether its output folder holds a file
	// byte for byte (fstree.Prepared.Holds): the output cache then keeps
	// no bytes (incremental.go).
	holds func(path string, sum [32]byte) bool
}

// flushCaches writes the caches (Caches.Flush) at the end of a
// compilation: at once, or, with a flushing group (Build's), beside what
// follows, the group waiting for it.
func (o *options) flushCaches() {
	switch {
	case o.caches == nil:
	case o.flushing != nil:
		o.flushing.Go(o.caches.Flush)
	default:
		o.caches.Flush()
	}
}

// Today checks EKS support windows and policy exemptions against t.
func Today(t time.Time) Option {
	return func(o *options) { o.today = t }
}

// MemoryLimit bounds the memory of loading the sources (load.MemoryLimit).
func MemoryLimit(limit uint64, exceeded func(error)) Option {
	return func(o *options) { o.limit, o.exceeded = limit, exceeded }
}

// WithAWS adds the AWS CDK stacks (out/cdk/) to the outputs. Stacks whose
// inputs did not change since the tree that previous returns, an earlier
// output, are copied from it; synth makes the others (jsiisynth's
// Synthesizer runs the AWS CDK on Node.js; this package does not link
// it). Previous is called when the stacks are generated, once the sources
// are loaded (so that reading it may overlap the loading); nil, or a nil
// tree, is no earlier output. A nil synth plans and reuses only: a stack
// to synthesise is an error (Validate needs none). Progress, when not
// nil, follows the generation. ReuseStacks names the earlier output
// instead of previous.
func WithAWS(synth cdk.Synthesizer, previous func() *fstree.Tree, progress io.Writer) Option {
	return func(o *options) {
		o.aws, o.forAWS, o.synth, o.previous, o.progress = true, true, synth, previous, progress
	}
}

// ReuseStacks makes the AWS stacks (WithAWS) reuse those of the output
// folder out where their inputs did not change, in place of WithAWS's
// previous.
func ReuseStacks(out string) Option {
	return reuse(func(folder string) (*fstree.Tree, error) { return fstree.ReadFolder(out, folder) })
}

// reuse makes the AWS stacks reuse those of an earlier output that read
// reads a folder of.
func reuse(read func(folder string) (*fstree.Tree, error)) Option {
	return func(o *options) { o.reuse = read }
}

// startReading starts reading the earlier output that the AWS stacks
// reuse, if any, so that the reading overlaps the loading of the sources;
// an unreadable one is none: every stack is synthesised.
func (o *options) startReading() {
	if !o.aws || o.reuse == nil {
		return
	}
	done := make(chan *fstree.Tree, 1)
	go func(read func(string) (*fstree.Tree, error)) {
		t, err := read(layout.CDK) // the stacks read nothing else of it
		if err != nil {
			t = nil
		}
		done <- t
	}(o.reuse)
	o.previous, o.reuse = sync.OnceValue(func() *fstree.Tree { return <-done }), nil
}

// loading are the loader's options.
func (o *options) loading() []load.Option {
	var opts []load.Option
	if !o.today.IsZero() {
		opts = append(opts, load.Today(o.today))
	}
	if o.limit > 0 {
		opts = append(opts, load.MemoryLimit(o.limit, o.exceeded))
	}
	if o.caches != nil {
		opts = append(opts, load.WithCache(o.caches.Tenants))
	}
	if o.forAWS {
		opts = append(opts, load.ForAWS())
	}
	return opts
}

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Generators returns every generator, in the order they run.
func Generators(opts ...Option) []gen.Generator {
	o := collect(opts)
	return o.generators()
}

func (o *options) generators() []gen.Generator {
	gs := []gen.Generator{
		kustomize.Generator{},
		argocd.Generator{},
	}
	if o.aws {
		gs = append(gs, stacks{synth: o.synth, previous: o.previous, progress: o.progress})
	}
	return gs
}

// stacks is the CDK generator, given the previous output only when it
// runs: reading it may overlap what comes before.
type stacks struct {
	synth    cdk.Synthesizer
	previous func() *fstree.Tree
	progress io.Writer
}

func (stacks) Name() string { return cdk.Generator{}.Name() }

func (s stacks) Generate(p *model.Platform) ([]fstree.File, error) {
	g := cdk.Generator{Synth: s.synth, Progress: s.progress}
	if s.previous != nil {
		g.Previous = s.previous()
	}
	return g.Generate(p)
}

// Compile loads the platform rooted at fsys and generates every output.
// Invalid input, outputs that a cluster's Kubernetes version would refuse,
// and policy errors are reported as a diag.List.
func Compile(fsys fs.FS, opts ...Option) (*fstree.Tree, *model.Platform, error) {
	t, p, used, findings, err := compile(fsys, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRemovals(p, used); err != nil {
		return nil, nil, err
	}
	var errs diag.List
	for _, f := range findings {
		if f.Severity == diag.Error {
			errs = append(errs, f.Reported())
		} else {
			p.Warnings = append(p.Warnings, f.Reported())
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return t, p, nil
}

// Lint runs the policy of Compile over the generated objects, with the
// same inputs and caches, and returns every finding, errors included,
// sorted by position; invalid sources are an error, as in Compile. The
// policy reads no AWS stack: WithAWS is ignored (no Node.js).
func Lint(fsys fs.FS, opts ...Option) (*model.Platform, []policy.Finding, error) {
	_, p, _, findings, err := compile(fsys, append(opts, withoutStacks))
	return p, findings, err
}

// withoutStacks leaves the AWS stacks out of a compilation, keeping the
// checks WithAWS adds to the loader.
func withoutStacks(o *options) { o.aws = false }

// Stacks runs every check of Validate, the AWS stacks' preconditions
// included, and returns the files of the AWS stacks alone, as WithAWS
// (which it needs) makes them: what the CDK app ("platformc synth")
// writes. A platform that a build refuses has no stacks either.
func Stacks(fsys fs.FS, opts ...Option) ([]fstree.File, *model.Platform, error) {
	o := collect(opts)
	if !o.aws {
		return nil, nil, fmt.Errorf("compiler.Stacks needs WithAWS")
	}
	o.startReading() // overlaps the validation
	p, err := Validate(fsys, opts...)
	if err != nil {
		return nil, nil, err
	}
	files, err := stacks{synth: o.synth, previous: o.previous, progress: o.progress}.Generate(p)
	if err != nil {
		return nil, nil, err
	}
	return files, p, nil
}

// Load loads the platform rooted at fsys, with the options' date, memory
// bound and caches, and generates nothing: for the commands that read the
// model alone (upgrade status). It does not run the checks of Validate.
func Load(fsys fs.FS, opts ...Option) (*model.Platform, error) {
	o := collect(opts)
	defer o.flushCaches()
	return load.Load(fsys, o.loading()...)
}

// compile loads the platform and generates its files, from the output
// cache if there is one, with the policy's findings over them and the
// first file using each API ("group/version/Kind").
func compile(fsys fs.FS, opts []Option) (*fstree.Tree, *model.Platform, map[string]string, []policy.Finding, error) {
	o := collect(opts)
	o.startReading()
	defer o.flushCaches()
	p, err := load.Load(fsys, o.loading()...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var t *fstree.Tree
	var used map[string]string
	var findings []policy.Finding
	if o.caches != nil {
		t, used, findings, err = compileCached(p, o)
	} else {
		t, used, findings, err = compileAll(p, o)
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return t, p, used, findings, nil
}

// Validate runs every check of Compile and writes nothing: the sources,
// the policy over the generated objects, the APIs that each cluster's
// Kubernetes version no longer serves and, with WithAWS, the AWS stacks'
// preconditions, which are planned but not synthesised (no Node.js). The
// commands that only check or edit sources run it, so that they refuse
// exactly what a build refuses.
func Validate(fsys fs.FS, opts ...Option) (*model.Platform, error) {
	aws := collect(opts).aws
	_, p, err := Compile(fsys, append(opts, withoutStacks)...) // checked, not synthesised
	if err != nil {
		return nil, err
	}
	if aws {
		if _, err := cdk.Plan(p); err != nil {
			return nil, err // diagnostics at the fields
		}
	}
	return p, nil
}

// compileAll generates p's files and runs the policy over them.
func compileAll(p *model.Platform, o options) (*fstree.Tree, map[string]string, []policy.Finding, error) {
	t, err := o.generate(p)
	if err != nil {
		return nil, nil, nil, err
	}
	findings, err := policy.Check(p, t, p.Today)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, apisUsed(t), findings, nil
}

// Generate runs the generators over p and adds the manifest.
func Generate(p *model.Platform, opts ...Option) (*fstree.Tree, error) {
	o := collect(opts)
	return o.generate(p)
}

func (o *options) generate(p *model.Platform) (*fstree.Tree, error) {
	t := &fstree.Tree{}
	for _, g := range o.generators() {
		files, err := g.Generate(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
		if err := t.Add(files...); err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
	}
	if err := t.AddManifest(); err != nil {
		return nil, err
	}
	return t, nil
}
