package synth_test

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestValid loads a platform of 200 tenants: the loader must find nothing
// to refuse, and the platform must have the shape the benchmarks rely on.
func TestValid(t *testing.T) {
	p := synth.New(synth.Config{Tenants: 200, Clusters: 5, Seed: 1})
	m, err := load.Load(p.FS())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tenants) != 200 || len(m.Clusters) != 5 {
		t.Fatalf("loaded %d tenants on %d clusters, want 200 on 5", len(m.Tenants), len(m.Clusters))
	}
	var dedicated, overrides, ingresses, jobs, hostOverrides int
	placements := map[int]int{}
	for _, c := range m.Clusters {
		if c.Tenancy == model.Dedicated {
			dedicated++
		}
	}
	for _, tn := range m.Tenants {
		placements[len(tn.Clusters)]++
		jobs += len(tn.Jobs)
		if len(tn.Secrets) == 0 {
			t.Errorf("%s has no secrets", tn.Name)
		}
		for _, s := range tn.Services {
			overrides += len(s.Overrides)
			if s.Ingress != nil {
				ingresses++
			}
			for _, o := range s.Overrides {
				if o.Host != "" {
					hostOverrides++
				}
			}
		}
	}
	t.Logf("placements %v, %d overrides (%d of hosts), %d ingresses, %d jobs", placements, overrides, hostOverrides, ingresses, jobs)
	if dedicated == 0 || placements[1] == 0 || placements[2] == 0 || placements[3] == 0 || overrides == 0 || hostOverrides == 0 || ingresses == 0 || jobs == 0 {
		t.Errorf("not the shape of a real platform: %d dedicated clusters, placements %v, %d overrides (%d of hosts), %d ingresses, %d jobs",
			dedicated, placements, overrides, hostOverrides, ingresses, jobs)
	}
}

// TestDeterministic: the same config gives the same bytes, another seed
// other bytes.
func TestDeterministic(t *testing.T) {
	c := synth.Config{Tenants: 50, Clusters: 4, Seed: 7}
	a, b := synth.New(c).Files(), synth.New(c).Files()
	if !maps.EqualFunc(a, b, bytes.Equal) {
		t.Error("two platforms of the same config differ")
	}
	c.Seed++
	if maps.EqualFunc(a, synth.New(c).Files(), bytes.Equal) {
		t.Error("another seed gives the same platform")
	}
}

// TestEditsStayValid applies random edits — tenants and clusters added,
// removed and changed — and compiles after each batch.
func TestEditsStayValid(t *testing.T) {
	for _, clusters := range []int{1, 3, 6} {
		p := synth.New(synth.Config{Tenants: 30, Clusters: clusters, Seed: uint64(clusters)})
		for step := range 12 {
			for range 3 {
				p.Edit()
			}
			if _, _, err := compiler.Compile(p.FS()); err != nil {
				t.Fatalf("%d clusters, step %d: %v", clusters, step, err)
			}
		}
		names := slices.Collect(maps.Keys(p.Files()))
		if len(names) < 10 {
			t.Errorf("%d clusters: only %d files left", clusters, len(names))
		}
	}
}
