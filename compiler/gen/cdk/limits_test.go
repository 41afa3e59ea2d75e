package cdk_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/internal/synth/synth"
)

// MaxResources is CloudFormation's limit of resources per stack.
const MaxResources = 500

// TestStacksFitAtScale plans a synthetic platform of 1,000 tenants on 3
// clusters, synthesises the largest stack of each kind (by input) and
// checks that it stays within CloudFormation's 500 resources and 1 MB
// template. On the way it says what it does, a line per stack and one for
// the assembly, as a terminal shows it.
func TestStacksFitAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesises stacks of a 1,000-tenant platform")
	}
	p, err := load.Load(synth.New(synth.Config{Tenants: 1000, Clusters: 3, Seed: 1}).FS())
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := cdk.Plan(p)
	if err != nil {
		t.Fatal(err)
	}
	largest := map[string]cdk.Stack{}
	for _, s := range stacks {
		if l, ok := largest[s.Kind()]; !ok || len(s.Input()) > len(l.Input()) {
			largest[s.Kind()] = s
		}
	}
	var pick []cdk.Stack
	for _, s := range largest {
		pick = append(pick, s)
	}
	var progress strings.Builder
	syn, err := jsiisynth.Synthesizer{Progress: &progress}.Synth(pick)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, s := range pick {
		want = append(want, fmt.Sprintf("cdk: [%d/%d] %s", i+1, len(pick), s.Name))
	}
	want = append(want, fmt.Sprintf("cdk: synthesising the cloud assembly of %d stacks", len(pick)))
	if got := strings.TrimSpace(progress.String()); got != strings.Join(want, "\n") {
		t.Errorf("progress:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	for _, s := range pick {
		data, ok := syn.Stacks[s.Name].Files[s.Name+".template.json"]
		if !ok {
			t.Errorf("%s: no template", s.Name)
			continue
		}
		var tmpl obj
		if err := json.Unmarshal(data, &tmpl); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		rs, _ := tmpl["Resources"].(obj)
		n := len(rs)
		t.Logf("%-12s %-40s %4d resources, %7d bytes", s.Kind(), s.Name, n, len(data))
		if n > MaxResources {
			t.Errorf("%s (%s): %d resources, more than CloudFormation's %d", s.Name, s.Kind(), n, MaxResources)
		}
		if len(data) > 1<<20 {
			t.Errorf("%s (%s): a template of %d bytes, more than CloudFormation's 1 MB", s.Name, s.Kind(), len(data))
		}
	}
}
