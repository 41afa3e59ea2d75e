package cdk_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/model"
)

// TestPlanNamesEveryStack derives the stack list from the model by the
// rules of the package comment and compares it with Plan's.
func TestPlanNamesEveryStack(t *testing.T) {
	p := loadSample(t)
	stacks, err := cdk.Plan(p)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	envs := map[string]bool{}
	for _, c := range p.Clusters {
		envs[c.Environment] = true
		want = append(want, p.Config.Name+"-"+c.Name+"-network")
		for _, tn := range p.Tenants {
			for _, s := range tn.Services {
				if tn.PlacedOn(c.Name) && s.On(c.Name).Ingress != nil {
					sum := sha256.Sum256([]byte(tn.Name))
					want = append(want, fmt.Sprintf("%s-%s-dns-%x", p.Config.Name, c.Name, sum[0]>>4),
						fmt.Sprintf("%s-certs-%s-%s", p.Config.Name, c.Account, c.Region))
				}
			}
		}
		for _, g := range c.Generations() {
			want = append(want, p.Config.Name+"-"+g.Name())
			for _, tn := range p.Tenants {
				if tn.PlacedOn(c.Name) {
					sum := sha256.Sum256([]byte(tn.Name))
					want = append(want, fmt.Sprintf("%s-%s-access-%x", p.Config.Name, g.Name(), sum[0]>>4))
				}
			}
			for _, a := range p.AddonsOf(c) {
				if a.AWS != "" {
					want = append(want, p.Config.Name+"-"+g.Name()+"-addons")
				}
			}
		}
	}
	for env := range envs {
		want = append(want, p.Config.Name+"-"+env+"-iam")
		for _, tn := range p.Tenants {
			if len(generationsOf(p, tn, env)) > 0 {
				sum := sha256.Sum256([]byte(tn.Name))
				want = append(want, p.Config.Name+"-"+env+"-"+tn.Name, fmt.Sprintf("%s-%s-owners-%x", p.Config.Name, env, sum[0]>>4))
			}
		}
	}
	want = append(want, p.Config.Name+"-management")
	slices.Sort(want)
	want = slices.Compact(want)
	var got []string
	for _, s := range stacks {
		got = append(got, s.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("stacks:\n got %v\nwant %v", got, want)
	}
}

// TestPlanOrdersDeployment checks the dependencies written into the
// manifest: a generation after its network and the deployer role, the
// tenants' access entries after the generation and the owners roles they
// name, a tenant's stack after the generations whose parameters it reads.
func TestPlanOrdersDeployment(t *testing.T) {
	p := loadSample(t)
	stacks, err := cdk.Plan(p)
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string][]string{}
	for _, s := range stacks {
		deps[s.Name] = s.DependsOn
		for _, d := range s.DependsOn {
			if !slices.ContainsFunc(stacks, func(x cdk.Stack) bool { return x.Name == d }) {
				t.Errorf("%s depends on %s, which is not a stack", s.Name, d)
			}
		}
	}
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			name := cdk.GenerationStack(p, g)
			for _, d := range []string{cdk.NetworkStack(p, c), cdk.IAMStack(p, c.Environment)} {
				if !slices.Contains(deps[name], d) {
					t.Errorf("%s does not depend on %s", name, d)
				}
			}
			for _, tn := range p.Tenants {
				if !tn.PlacedOn(c.Name) {
					continue
				}
				access := cdk.AccessStack(p, tn, g)
				for _, d := range []string{name, cdk.OwnersStack(p, tn, c.Environment)} {
					if !slices.Contains(deps[access], d) {
						t.Errorf("%s does not depend on %s", access, d)
					}
				}
			}
		}
	}
	for _, tn := range p.Tenants {
		for _, c := range p.Placements(tn) {
			name := cdk.TenantStack(p, tn, c.Environment)
			for _, g := range c.Generations() {
				if !slices.Contains(deps[name], cdk.GenerationStack(p, g)) {
					t.Errorf("%s does not depend on %s", name, cdk.GenerationStack(p, g))
				}
			}
		}
	}
}

// TestPlanRefuses checks that what the stacks cannot express is an error
// at the cluster or tenant (a diagnostic at the field, where there is
// one), not a template that fails to deploy.
func TestPlanRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *model.Platform)
		want   string
	}{
		{"an existing VPC", func(p *model.Platform) { p.Clusters[0].VPCID = "vpc-0123456789abcdef0" }, `clusters."prod-payments".network.vpcId: not supported`},
		{"a VPC too small", func(p *model.Platform) { p.Clusters[0].CIDR = "10.0.0.0/26" }, "must be a /16 to /24 range"},
		{"host bits", func(p *model.Platform) { p.Clusters[0].CIDR = "10.0.0.1/16" }, "has host bits set"},
		{"a cluster outside its environment's region", func(p *model.Platform) { p.Clusters[0].Region = "eu-west-1" }, "the AWS stacks need every cluster in its environment's region"},
		{"a node group with no room", func(p *model.Platform) {
			p.Clusters[0].Capacity = model.Capacity{Mode: model.NodeGroup, InstanceTypes: []string{"m6i.large"}}
		}, `clusters."prod-payments".capacity.maxSize: must be at least 1`},
		{"a trust policy over IAM's limit", func(p *model.Platform) {
			c := p.Clusters[0]
			var gens []model.Generation
			for _, v := range []string{"1.31", "1.32", "1.33", "1.34", "1.35"} {
				gens = append(gens, model.Generation{Cluster: c, Version: v, Weight: 20})
			}
			c.SetGenerations(gens)
		}, "more than IAM's 2048"},
		{"two stacks of one name", func(p *model.Platform) {
			c := p.Clusters[0]
			tn := *p.Tenants[0]
			tn.Name = "iam"
			tn.Clusters = []model.Ref{{Name: c.Name}}
			p.Tenants = append(p.Tenants, &tn)
		}, "two stacks are named"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := loadSample(t)
			tc.change(p)
			_, err := cdk.Plan(p)
			var l diag.List
			if !errors.As(err, &l) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want diagnostics containing %q", err, tc.want)
			}
			// Errors point at the source that causes them, where there is one.
			if tc.name != "two stacks of one name" && !strings.Contains(err.Error(), ".cue") {
				t.Errorf("%v: no source position", err)
			}
		})
	}
}

// TestInputHashCoversTheSlice changes what a stack depends on and what it
// does not, and checks which hashes move.
func TestInputHashCoversTheSlice(t *testing.T) {
	hashes := func(p *model.Platform) map[string]string {
		stacks, err := cdk.Plan(p)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range stacks {
			out[s.Name] = s.Hash()
		}
		return out
	}
	base := hashes(loadSample(t))
	if again := hashes(loadSample(t)); fmt.Sprint(again) != fmt.Sprint(base) {
		t.Fatal("the same sources give different hashes")
	}
	// A replica count is no AWS business.
	p := loadSample(t)
	p.Tenants[0].Services[0].Replicas++
	if got := hashes(p); fmt.Sprint(got) != fmt.Sprint(base) {
		t.Error("a change of replicas changed a stack's hash")
	}
	// A cluster's range changes its network and nothing else.
	p = loadSample(t)
	c := p.Clusters[0]
	c.CIDR = "10.99.0.0/16"
	got := hashes(p)
	for name, h := range got {
		if changed := h != base[name]; changed != (name == cdk.NetworkStack(p, c)) {
			t.Errorf("%s: changed %v", name, changed)
		}
	}
}
