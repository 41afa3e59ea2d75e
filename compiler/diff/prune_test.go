package diff_test

import (
	"reflect"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestPruneIsExact edits a synthetic platform at random — tenants and
// clusters added, removed and changed — and compares each version with
// the previous one: the report that skips the units no changed file
// touches is the report that compares every unit.
func TestPruneIsExact(t *testing.T) {
	p := synth.New(synth.Config{Tenants: 15, Clusters: 4, Seed: 8})
	r := p.Rand()
	prev, _, err := compiler.Compile(p.FS())
	if err != nil {
		t.Fatal(err)
	}
	for step := range 8 {
		switch r.IntN(5) {
		case 0:
			p.AddTenant()
		case 1:
			p.RemoveTenant(r.IntN(len(p.Tenants)))
		case 2:
			p.ChangeTenant(r.IntN(len(p.Tenants)))
		case 3:
			p.ChangeCluster(r.IntN(len(p.Clusters)))
		case 4:
			if !p.RemoveCluster(r.IntN(len(p.Clusters))) {
				p.AddCluster()
			}
		}
		next, _, err := compiler.Compile(p.FS())
		if err != nil {
			t.Fatal(err)
		}
		pruned, err := diff.Trees(prev, next)
		if err != nil {
			t.Fatal(err)
		}
		full, err := diff.TreesUnpruned(prev, next)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pruned, full) {
			t.Fatalf("step %d: the pruned report differs from the full one", step)
		}
		if len(full.Changes) == 0 {
			t.Logf("step %d: no change", step)
		}
		prev = next
	}
}
