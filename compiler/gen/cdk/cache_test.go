package cdk_test

import (
	"bytes"
	"cmp"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/model"
)

// sameTrees fails unless a and b hold the same paths with the same bytes.
func sameTrees(t *testing.T, what string, a, b *fstree.Tree) {
	t.Helper()
	if !slices.Equal(a.Paths(), b.Paths()) {
		t.Errorf("%s: files differ:\n%v\n%v", what, a.Paths(), b.Paths())
		return
	}
	for _, p := range a.Paths() {
		fa, _ := a.Get(p)
		fb, _ := b.Get(p)
		if !bytes.Equal(fa.Data, fb.Data) {
			t.Errorf("%s: %s differs", what, p)
		}
	}
}

// changedStacks returns the stacks of after whose input hash is not one
// of before's.
func changedStacks(t *testing.T, before, after *model.Platform) []string {
	t.Helper()
	hashes := map[string]string{}
	b, err := cdk.Plan(before)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range b {
		hashes[s.Name] = s.Hash()
	}
	a, err := cdk.Plan(after)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range a {
		if hashes[s.Name] != s.Hash() {
			out = append(out, s.Name)
		}
	}
	return out
}

// TestUnchangedModelStartsNoSynthesis builds on the previous output, read
// back from disk as the CLI reads out/: nothing is synthesised (the
// synthesiser fails if called, so Node.js cannot have started) and every
// file comes back byte for byte, with a synthesiser or without one. Without
// one and without a previous output, Generate fails with ErrNoSynthesizer.
func TestUnchangedModelStartsNoSynthesis(t *testing.T) {
	_, _, first := sample(t)
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, first.tree); err != nil {
		t.Fatal(err)
	}
	prev, err := fstree.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{}
	again := generate(t, loadSample(t), prev, c)
	if len(c.calls) > 0 {
		t.Errorf("synthesised %v, want nothing", c.calls)
	}
	sameTrees(t, "a build on an unchanged model", first.tree, again.tree)
	sameTrees(t, "a build without synthesiser", first.tree, generate(t, loadSample(t), prev, nil).tree)
	if _, err := (cdk.Generator{}).Generate(loadSample(t)); !errors.Is(err, cdk.ErrNoSynthesizer) {
		t.Errorf("without synthesiser and previous output: got %v, want ErrNoSynthesizer", err)
	}
}

// TestNewTenantSynthesisesOnlyItsStacks adds a tenant with an ingress
// host on one cluster: only the stacks that name it are synthesised (its
// own, its owners role's, its access entries' and the cluster's DNS
// records'), and the result is what a build from scratch makes. That is
// also the synthesis's determinism: the incremental build copies every
// other stack from the sample's first synthesis, and the build from
// scratch synthesises each of them a second time.
func TestNewTenantSynthesisesOnlyItsStacks(t *testing.T) {
	base, _, first := sample(t)
	p := loadSample(t)
	var c *model.Cluster
	for _, x := range p.Clusters {
		if x.Capacity.Mode == model.AutoMode {
			c = x
		}
	}
	if c == nil {
		c = p.Clusters[0]
	}
	tn := &model.Tenant{
		Name:     "newteam",
		Owners:   []string{"team-new"},
		Clusters: []model.Ref{{Name: c.Name}},
		Services: []*model.Service{{
			Workload: model.Workload{Name: "web", Image: "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/web:1.0.0"},
			Ingress:  &model.Ingress{Host: "newteam." + c.DNSZone},
		}},
		Pos: model.Pos{File: "tenants/newteam.cue", Line: 1, Col: 1},
	}
	p.Tenants = append(p.Tenants, tn)
	slices.SortFunc(p.Tenants, func(a, b *model.Tenant) int { return cmp.Compare(a.Name, b.Name) })

	want := []string{cdk.TenantStack(p, tn, c.Environment), cdk.OwnersStack(p, tn, c.Environment), cdk.DNSStack(p, tn, c)}
	for _, g := range c.Generations() {
		want = append(want, cdk.AccessStack(p, tn, g)) // its bucket's; not the generation's stack
	}
	slices.Sort(want)
	if got := changedStacks(t, base, p); !slices.Equal(got, want) {
		t.Fatalf("changed inputs %v, want %v", got, want)
	}
	counter := &counting{inner: jsiisynth.Synthesizer{}}
	incremental := generate(t, p, first.tree, counter)
	if got := counter.synthesised(); !slices.Equal(got, want) || len(counter.calls) != 1 {
		t.Errorf("synthesised %v in %d runs, want %v in one", counter.calls, len(counter.calls), want)
	}
	sameTrees(t, "incremental and from-scratch builds", generate(t, p, nil, jsiisynth.Synthesizer{}).tree, incremental.tree)
	checkTrust(t, p, incremental)
	checkDNS(t, p, incremental)
}

// TestBlueGreenUpgrade starts an upgrade of a cluster: a green generation
// beside blue, with a tenth of the traffic. The new EKS stack is
// synthesised, and so are the stacks that name every generation (DNS
// weights, the tenants' trust policies, the owners' cluster list); the
// network is shared and untouched.
func TestBlueGreenUpgrade(t *testing.T) {
	base, _, first := sample(t)
	p := loadSample(t)
	var c *model.Cluster
	for _, x := range p.Clusters {
		if len(x.Generations()) == 1 && x.Version != "1.35" {
			c = x
			break
		}
	}
	if c == nil {
		t.Skip("no cluster of the sample can be upgraded to 1.35")
	}
	c.SetGenerations([]model.Generation{
		{Cluster: c, Version: c.Version, Role: model.Blue, Weight: 90, RunsJobs: true},
		{Cluster: c, Version: "1.35", Role: model.Green, Weight: 10},
	})
	changed := changedStacks(t, base, p)
	t.Logf("upgrading %s changes %v", c.Name, changed)
	if slices.Contains(changed, cdk.NetworkStack(p, c)) || !slices.Contains(changed, cdk.GenerationStack(p, c.Generations()[1])) {
		t.Errorf("changed inputs %v", changed)
	}
	for _, tn := range p.Tenants {
		if tn.PlacedOn(c.Name) && !slices.Contains(changed, cdk.TenantStack(p, tn, c.Environment)) {
			t.Errorf("tenant %s on %s: its stack is not synthesised again", tn.Name, c.Name)
		}
	}
	counter := &counting{inner: jsiisynth.Synthesizer{}}
	incremental := generate(t, p, first.tree, counter)
	if got := counter.synthesised(); !slices.Equal(got, changed) {
		t.Errorf("synthesised %v, want %v", got, changed)
	}
	sameTrees(t, "incremental and from-scratch builds", generate(t, p, nil, jsiisynth.Synthesizer{}).tree, incremental.tree)
	checkDNS(t, p, incremental)
	checkTrust(t, p, incremental)
}

// TestEditedTemplateIsSynthesisedAgain edits a template of the previous
// output by hand: its hash no longer matches, so that stack alone is
// synthesised again and the edit is gone.
func TestEditedTemplateIsSynthesisedAgain(t *testing.T) {
	_, stacks, first := sample(t)
	victim := stacksOf(stacks, "tenant")[0].Name
	prev := &fstree.Tree{}
	for _, p := range first.tree.Paths() {
		f, _ := first.tree.Get(p)
		if p == path.Join(layout.CDK, victim+".template.json") {
			f.Data = bytes.Replace(f.Data, []byte("GetSecretValue"), []byte("*"), 1)
		}
		if err := prev.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	counter := &counting{inner: jsiisynth.Synthesizer{}}
	again := generate(t, loadSample(t), prev, counter)
	if got := counter.synthesised(); !slices.Equal(got, []string{victim}) {
		t.Errorf("synthesised %v, want %s alone", got, victim)
	}
	sameTrees(t, "repaired output", first.tree, again.tree)
}
