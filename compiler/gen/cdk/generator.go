package cdk

import (
	"errors"
	"fmt"
	"io"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/words"
)

// Generator writes the cloud assembly of the platform's AWS stacks to
// layout.CDK. Unlike the other generators it reads one input besides the
// model: the previous output, whose StacksFile says which stacks are
// unchanged. Those are copied byte for byte; only the others go to Synth,
// and when none changed, Synth is not called at all.
type Generator struct {
	// Previous is the previous output tree (out/, as fstree.Read gives
	// it, or fstree.Prepared.Previous: files whose bytes were not read
	// have their SHA-256, and so do the reused stacks' files made from
	// them); nil or empty synthesises every stack.
	Previous *fstree.Tree
	// Synth makes the stacks that changed (jsiisynth.Synthesizer). Nil
	// plans and reuses only: a stack that needs synthesising is an
	// error.
	Synth Synthesizer
	// Progress gets a line per step of a synthesis; nil is quiet.
	Progress io.Writer
}

var _ gen.Generator = Generator{}

// ErrNoSynthesizer is the error of a Generator without Synth that has
// stacks to synthesise.
var ErrNoSynthesizer = errors.New("no synthesiser given")

func (Generator) Name() string { return "cdk" }

func (g Generator) Generate(p *model.Platform) ([]fstree.File, error) {
	stacks, err := Plan(p)
	if err != nil || len(stacks) == 0 {
		return nil, err
	}
	c := readCache(g.Previous)
	inputs := make([]string, len(stacks)) // each stack's Hash, taken once: an encoding of its spec
	outputs := map[string]StackOutput{}
	var todo, reused []Stack
	for i, s := range stacks {
		inputs[i] = s.Hash()
		if o, ok := c.reuse(s, inputs[i]); ok {
			outputs[s.Name] = o
			reused = append(reused, s)
		} else {
			todo = append(todo, s)
		}
	}
	version := c.index.Version
	if len(todo) == 0 {
		g.progress("cdk: %d stacks unchanged\n", len(stacks))
		return assemble(stacks, inputs, outputs, version)
	}
	g.progress("cdk: synthesising %d of %d stacks (%d unchanged)\n", len(todo), len(stacks), len(reused))
	syn, err := g.synth(todo)
	if err != nil {
		return nil, err
	}
	if len(reused) > 0 && syn.Version != version {
		// The reused stacks were written for another assembly schema.
		g.progress("cdk: the cloud assembly schema changed from %s to %s; synthesising the other %d stacks too\n", version, syn.Version, len(reused))
		more, err := g.synth(reused)
		if err != nil {
			return nil, err
		}
		todo = append(todo, reused...)
		for name, o := range more.Stacks {
			syn.Stacks[name] = o
		}
	}
	for _, s := range todo {
		o, ok := syn.Stacks[s.Name]
		if !ok {
			return nil, fmt.Errorf("stack %s was not synthesised", s.Name)
		}
		withDependencies(o.Artifacts[s.Name], s.DependsOn)
		outputs[s.Name] = o
	}
	g.progress("cdk: synthesised %d stacks\n", len(todo))
	return assemble(stacks, inputs, outputs, syn.Version)
}

func (g Generator) synth(stacks []Stack) (*Synthesis, error) {
	if g.Synth == nil {
		return nil, fmt.Errorf("%s to synthesise (%s first): %w", words.Plural(len(stacks), "AWS stack"), stacks[0].Name, ErrNoSynthesizer)
	}
	return g.Synth.Synth(stacks)
}

func (g Generator) progress(format string, args ...any) {
	if g.Progress != nil {
		fmt.Fprintf(g.Progress, format, args...)
	}
}
