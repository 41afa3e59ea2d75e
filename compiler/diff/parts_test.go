package diff_test

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	godiff "github.com/rogpeppe/go-internal/diff"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/internal/synth/synth"
)

func compileSynth(t *testing.T, p *synth.Platform) *fstree.Tree {
	t.Helper()
	tree, _, err := compiler.Compile(p.FS())
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// report is Trees as JSON, building whole units or only their differing
// parts.
func report(t *testing.T, base, head *fstree.Tree, split bool) []byte {
	t.Helper()
	r, err := diff.TreesSplit(base, head, split)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPartsAsWhole compares a synthetic platform before and after random
// edits of tenants and clusters: building only the differing parts of the
// units that gather others must report exactly what building them whole
// reports.
func TestPartsAsWhole(t *testing.T) {
	p := synth.New(synth.Config{Tenants: 30, Clusters: 4, Seed: 3})
	r := p.Rand()
	base := compileSynth(t, p)
	for step := range 6 {
		switch step % 3 {
		case 0:
			p.ChangeTenant(r.IntN(len(p.Tenants)))
		case 1:
			p.AddTenant()
			p.RemoveTenant(r.IntN(len(p.Tenants)))
		case 2:
			p.ChangeCluster(r.IntN(len(p.Clusters)))
		}
		head := compileSynth(t, p)
		parts, whole := report(t, base, head, true), report(t, base, head, false)
		if string(parts) != string(whole) {
			t.Fatalf("step %d: the parts report differs from the whole one:\n%s", step, godiff.Diff("whole", whole, "parts", parts))
		}
		if step%3 != 2 && !strings.Contains(string(parts), `"action"`) {
			t.Errorf("step %d: no change reported", step)
		}
		base = head
	}
}

// TestProjectChange: a change that only a file below a unit's folder sees
// (a tenant's AppProject, listed by argocd/kustomization.yaml) is reported.
func TestProjectChange(t *testing.T) {
	p := synth.New(synth.Config{Tenants: 3, Clusters: 3, Seed: 1})
	base := compileSynth(t, p)
	p.Tenants[1].Owners = append(p.Tenants[1].Owners, "team-new-owners")
	r, err := diff.Trees(base, compileSynth(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changes) != 1 || r.Changes[0].Object.Kind != "AppProject" || !strings.Contains(r.Changes[0].After, "team-new-owners") {
		t.Errorf("got %+v, want the tenant's AppProject modified", r.Changes)
	}
}

// TestJoin joins a kustomization's folder and each of its resources as
// path.Join does.
func TestJoin(t *testing.T) {
	for _, dir := range []string{".", "a", "tenants/t/app/overlays/prod-1"} {
		for _, name := range []string{"", ".", "..", "x.yaml", "../base", "../../a", "./x", "b/", "b//c", "...", "a b", "/abs"} {
			if got, want := diff.Join(dir, name), path.Join(dir, name); got != want {
				t.Errorf("join(%q, %q) = %q, want %q", dir, name, got, want)
			}
		}
	}
}

// TestKustomizationResources reads the resources of every kustomization
// of a platform, and of hand-written ones, as the YAML parser does.
func TestKustomizationResources(t *testing.T) {
	tree := compileSynth(t, synth.New(synth.Config{Tenants: 20, Clusters: 4, Seed: 5}))
	var files [][]byte
	for _, p := range tree.Paths() {
		if strings.HasSuffix(p, "kustomization.yaml") {
			f, _ := tree.Get(p)
			files = append(files, f.Data)
		}
	}
	for _, s := range []string{
		"resources: []\n", "resources:\n- a\n- b\n", "resources:\n  - 'a b'\n", "resources: [a, b]\n", "kind: K\n",
		"resources:\n  - a # c\n", "resources:\n  - a\n    b\n", "resources:\n  - a\nresources:\n  - b\n", "patches:\n  - patch: |\n      resources:\n        - x\nresources:\n  - y\n",
		"resources:\n  - \"a\"\n", "resources:\n  - ../base\n  - x.yaml\nlabels: []\n", "resources:   \n  - a\n",
	} {
		files = append(files, []byte(s))
	}
	for _, f := range files {
		if got, want := diff.KustomizationResources(f), diff.YAMLResources(f); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", f, got, want)
		}
	}
}
