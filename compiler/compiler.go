package compiler

import (
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/argocd"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/kustomize"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/outcache"
	"github.com/platformc/platformc/compiler/policy"
)

// Option changes what Compile and Generate do.
type Option func(*options)

type options struct {
	load     []load.Option
	aws      bool
	synth    cdk.Synthesizer
	previous func() *fstree.Tree
	progress io.Writer
	outputs  *outcache.Store // see WithOutputCache (incremental.go)
}

// Today checks EKS support windows and policy exemptions against t.
func Today(t time.Time) Option {
	return func(o *options) { o.load = append(o.load, load.Today(t)) }
}

// WithCache makes Load take the tenants that c holds from it rather than
// evaluate them again (see load.Cache).
func WithCache(c *load.Cache) Option {
	return func(o *options) { o.load = append(o.load, load.WithCache(c)) }
}

// MemoryLimit bounds the memory of loading the sources (load.MemoryLimit).
func MemoryLimit(limit uint64, exceeded func(error)) Option {
	return func(o *options) { o.load = append(o.load, load.MemoryLimit(limit, exceeded)) }
}

// WithAWS adds the AWS CDK stacks (out/cdk/) to the outputs. Stacks whose
// inputs did not change since the tree that previous returns, an earlier
// output, are copied from it; synth makes the others (jsiisynth's
// Synthesizer runs the AWS CDK on Node.js; this package does not link
// it). Previous is called when the stacks are generated, once the sources
// are loaded (so that reading it may overlap the loading); nil, or a nil
// tree, is no earlier output. A nil synth plans and reuses only: a stack
// to synthesise is an error (Validate needs none). Progress, when not
// nil, follows the generation.
func WithAWS(synth cdk.Synthesizer, previous func() *fstree.Tree, progress io.Writer) Option {
	return func(o *options) {
		o.aws, o.synth, o.previous, o.progress = true, synth, previous, progress
		o.load = append(o.load, load.ForAWS()) // what the stacks need of the sources
	}
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

// compile loads the platform and generates its files, from the output
// cache if there is one, with the policy's findings over them and the
// first file using each API ("group/version/Kind").
func compile(fsys fs.FS, opts []Option) (*fstree.Tree, *model.Platform, map[string]string, []policy.Finding, error) {
	o := collect(opts)
	p, err := load.Load(fsys, o.load...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var t *fstree.Tree
	var used map[string]string
	var findings []policy.Finding
	if o.outputs != nil {
		t, used, findings, err = compileCached(p, o, opts)
	} else {
		t, used, findings, err = compileAll(p, opts)
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
func compileAll(p *model.Platform, opts []Option) (*fstree.Tree, map[string]string, []policy.Finding, error) {
	t, err := Generate(p, opts...)
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
	t := &fstree.Tree{}
	for _, g := range Generators(opts...) {
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
