package cdk_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/synth/synth"
)

func synthetic(b *testing.B, tenants, clusters int) *model.Platform {
	b.Helper()
	p, err := load.Load(synth.New(synth.Config{Tenants: tenants, Clusters: clusters, Seed: 1}).FS())
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkPlan measures planning every stack and hashing its input: the
// work of a build in which no stack changed, besides reading out/.
func BenchmarkPlan(b *testing.B) {
	p := synthetic(b, 1000, 3)
	for b.Loop() {
		stacks, err := cdk.Plan(p)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range stacks {
			s.Hash()
		}
	}
}

// BenchmarkSynth measures synthesising every stack through jsii, from
// scratch, and then a build on that output in which nothing changed.
func BenchmarkSynth(b *testing.B) {
	for _, tenants := range []int{10, 100} {
		p := synthetic(b, tenants, 3)
		stacks, err := cdk.Plan(p)
		if err != nil {
			b.Fatal(err)
		}
		var prev *output
		b.Run(fmt.Sprintf("scratch/%dx3/%dstacks", tenants, len(stacks)), func(b *testing.B) {
			for b.Loop() {
				prev = generate(b, p, nil, jsiisynth.Synthesizer{})
			}
		})
		b.Run(fmt.Sprintf("unchanged/%dx3/%dstacks", tenants, len(stacks)), func(b *testing.B) {
			for b.Loop() {
				if _, err := (cdk.Generator{Previous: prev.tree, Synth: &counting{}}).Generate(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSynthFloor compares a build's synthesis of every stack of a
// platform (cdk.Generator: define, synthesise, read the assembly back,
// assemble out/cdk) with the floor: the bare jsii cost of the same
// constructs, one CDK app with the same settings that defines the same
// stacks and synthesises them, with nothing read back. The target
// is the first within 1.2x of the second (docs/benchmarks.md). Run each
// alone (-bench 'SynthFloor/floor', -bench 'SynthFloor/platformc'): jsii
// runs one Node.js per process.
func BenchmarkSynthFloor(b *testing.B) {
	// As JSII.Synth runs the CDK: without its template validation.
	b.Setenv("CDK_VALIDATION", "false")
	for _, tenants := range []int{100, 1000} {
		p := synthetic(b, tenants, 3)
		stacks, err := cdk.Plan(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("floor/%dx3/%dstacks", tenants, len(stacks)), func(b *testing.B) {
			for b.Loop() {
				bareSynth(b, stacks)
			}
		})
		b.Run(fmt.Sprintf("platformc/%dx3/%dstacks", tenants, len(stacks)), func(b *testing.B) {
			for b.Loop() {
				generate(b, p, nil, jsiisynth.Synthesizer{})
			}
		})
	}
}

// bareSynth defines the stacks in one app and synthesises it, as a CDK
// app of the same constructs would.
func bareSynth(b *testing.B, stacks []cdk.Stack) {
	dir := b.TempDir()
	ctx := jsiisynth.Context()
	jsii.Close() // the Node.js process of the previous round
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:               jsii.String(dir),
		AnalyticsReporting:   jsii.Bool(false),
		PerformanceReporting: jsii.Bool(false),
		StackTraces:          jsii.Bool(false),
		TreeMetadata:         jsii.Bool(false),
		Context:              &ctx,
		PostCliContext:       &ctx,
	})
	for _, s := range stacks {
		st := awscdk.NewStack(app, jsii.String(s.Name), &awscdk.StackProps{
			StackName: jsii.String(s.Name),
			Env:       &awscdk.Environment{Account: jsii.String(s.Account), Region: jsii.String(s.Region)},
		})
		jsiisynth.Define(st, s)
	}
	app.Synth(nil)
}
