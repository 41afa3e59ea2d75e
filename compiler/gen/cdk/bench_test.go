package cdk_test

import (
	"fmt"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
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
				prev = generate(b, p, nil, cdk.JSII{})
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
