package plan

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/words"
)

// Actions of a Step.
const (
	Deploy  = "deploy"
	Publish = "publish"
	Drain   = "drain"
	Destroy = "destroy"
)

// Plan is the ordered steps of a delivery. Its JSON form is stable:
// {"steps": [{"action", "stacks", "paths", "reason"}]}.
type Plan struct {
	Steps []Step `json:"steps"`
}

// Step is one step: an action on stacks (deploy, destroy) or on paths of
// out/ (publish, drain), and why.
type Step struct {
	Action string   `json:"action"`
	Stacks []string `json:"stacks,omitempty"`
	Paths  []string `json:"paths,omitempty"`
	Reason string   `json:"reason"`
}

// Stack is what a plan needs of an AWS stack: its name, its kind (as
// cdk.Stack.Kind says), the hash of its inputs, the stacks it depends on.
type Stack struct {
	Name, Kind, Hash string
	DependsOn        []string
}

// Side is the platform at one revision: its model (nil if it has none or
// does not compile), its stacks and its outputs (out/, without the stacks'
// cloud assembly).
type Side struct {
	Platform *model.Platform
	Stacks   []Stack
	Tree     *fstree.Tree
}

// SideOf is what a plan reads of a platform p whose outputs are tree: its
// model, its AWS stacks as planned (names, kinds, input hashes,
// dependencies; none is synthesised) and its outputs.
func SideOf(p *model.Platform, tree *fstree.Tree) (Side, error) {
	stacks, err := cdk.Plan(p)
	if err != nil {
		return Side{}, err
	}
	s := Side{Platform: p, Tree: tree}
	for _, st := range stacks {
		s.Stacks = append(s.Stacks, Stack{Name: st.Name, Kind: st.Kind(), Hash: st.Hash(), DependsOn: st.DependsOn})
	}
	return s, nil
}

// Make returns the steps that take the live platform from base to head.
func Make(base, head Side) Plan {
	var p Plan
	baseStacks := byName(base.Stacks)
	var before, after []Stack
	for _, s := range head.Stacks {
		if b, ok := baseStacks[s.Name]; ok && b.Hash == s.Hash {
			continue
		}
		if s.Kind == "dns" {
			after = append(after, s)
		} else {
			before = append(before, s)
		}
	}
	if len(before) > 0 {
		p.Steps = append(p.Steps, Step{Action: Deploy, Stacks: ordered(before), Reason: "before publishing, the AWS resources the manifests use: " + summary(before)})
	}
	paths, removed := changed(base.Tree, head.Tree)
	if len(paths) > 0 {
		p.Steps = append(p.Steps, Step{Action: Publish, Paths: paths, Reason: fmt.Sprintf("the manifests Argo CD applies: %d files added, changed or removed", len(paths))})
	}
	if len(after) > 0 {
		p.Steps = append(p.Steps, Step{Action: Deploy, Stacks: ordered(after), Reason: "after publishing, once Argo CD reports every generation they send traffic to synced: " + summary(after)})
	}
	p.Steps = append(p.Steps, drains(base, head, removed)...)
	headStacks := byName(head.Stacks)
	var gone []Stack
	for _, s := range base.Stacks {
		if _, ok := headStacks[s.Name]; !ok {
			gone = append(gone, s)
		}
	}
	if len(gone) > 0 {
		order := ordered(gone)
		slices.Reverse(order)
		reason := "the stacks no longer generated, dependents first, once drained: " + summary(gone)
		if slices.ContainsFunc(gone, func(s Stack) bool { return s.Kind == "tenant" }) {
			reason += "; a tenant's Secrets Manager secret is retained (DeletionPolicy Retain): delete it by hand, with a recovery window, once no one needs its values"
		}
		p.Steps = append(p.Steps, Step{Action: Destroy, Stacks: order, Reason: reason})
	}
	return p
}

// drains are the drain steps: one per generation retired, one per tenant
// leaving a cluster or the platform, each with the paths of removed (those
// the publish removes) that are its.
func drains(base, head Side, removed []string) []Step {
	if base.Platform == nil {
		return nil
	}
	where := func(keep func(p string) bool) []string {
		return slices.DeleteFunc(slices.Clone(removed), func(p string) bool { return !keep(p) })
	}
	var steps []Step
	drained := map[string]bool{} // base generations without tenants in head
	for _, c := range base.Platform.Clusters {
		for _, g := range c.Generations() {
			gen := g.Name()
			now, ok := generationOf(head.Platform, gen)
			if ok && now.Role != model.Retiring {
				continue
			}
			drained[gen] = true
			var reason string
			switch {
			case g.Role == model.Retiring:
				continue // drained by the delivery that retired it
			case ok:
				reason = fmt.Sprintf("generation %s retires: Argo CD deletes its tenants' objects, namespaces and Karpenter NodePools; wait until they are gone and their controllers have released its load balancers, target groups, DNS names and nodes, then remove the cluster's upgrade block, which removes its registration and destroys its stacks", gen)
			default:
				reason = fmt.Sprintf("generation %s goes without having retired (upgrade.retire): Argo CD loses it with its registration and deletes nothing there; delete its Ingresses and Karpenter NodePools, and wait until their controllers have released its load balancers, target groups and nodes, before its stacks are destroyed", gen)
			}
			steps = append(steps, Step{
				Action: Drain,
				Paths: where(func(p string) bool {
					return strings.HasPrefix(p, layout.Cluster(gen)+"/") || strings.Contains(p, "/"+gen+"/") ||
						p == path.Join(layout.ArgoCDCluster(c.Name), "externalsecret-cluster-"+gen+".yaml")
				}),
				Reason: reason,
			})
		}
	}
	for _, t := range base.Platform.Tenants {
		var left, gens []string
		for _, c := range base.Platform.Placements(t) {
			if placed(head.Platform, t.Name, c.Name) {
				continue
			}
			var live []string
			for _, g := range c.Serving() {
				if !drained[g.Name()] {
					live = append(live, g.Name())
				}
			}
			if len(live) > 0 {
				left, gens = append(left, c.Name), append(gens, live...)
			}
		}
		if len(left) == 0 {
			continue
		}
		gone := !slices.Contains(tenants(head.Platform), t.Name)
		what := "leaves cluster " + strings.Join(left, ", ")
		if gone {
			what = "leaves the platform"
		}
		steps = append(steps, Step{
			Action: Drain,
			Paths: where(func(p string) bool {
				if gone && strings.HasPrefix(p, layout.ArgoCDTenant(t.Name)+"/") {
					return true
				}
				return strings.HasPrefix(p, layout.Tenant(t.Name)+"/") &&
					(gone && !strings.Contains(p, "/overlays/") || slices.ContainsFunc(gens, func(g string) bool { return strings.Contains(p, "/overlays/"+g+"/") }))
			}),
			Reason: fmt.Sprintf("tenant %s %s: wait until its namespace on %s is deleted (its Ingresses releasing their load balancers first) before its IAM roles and secret are", t.Name, what, strings.Join(gens, ", ")),
		})
	}
	return steps
}

// generationOf returns p's generation of that name, if it has one.
func generationOf(p *model.Platform, name string) (model.Generation, bool) {
	if p != nil {
		for _, c := range p.Clusters {
			for _, g := range c.Generations() {
				if g.Name() == name {
					return g, true
				}
			}
		}
	}
	return model.Generation{}, false
}

func tenants(p *model.Platform) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, t := range p.Tenants {
		out = append(out, t.Name)
	}
	return out
}

// placed reports whether tenant is placed on cluster in p.
func placed(p *model.Platform, tenant, cluster string) bool {
	if p == nil || p.Cluster(cluster) == nil {
		return false
	}
	return slices.ContainsFunc(p.Tenants, func(t *model.Tenant) bool { return t.Name == tenant && t.PlacedOn(cluster) })
}

// changed lists the paths where the trees differ, outside the cloud
// assembly (which "deploy" delivers), and those of them only base has.
func changed(base, head *fstree.Tree) (paths, removed []string) {
	if base == nil {
		base = &fstree.Tree{}
	}
	if head == nil {
		head = &fstree.Tree{}
	}
	for _, d := range fstree.Differences(head, base) {
		if strings.HasPrefix(d.Path, layout.CDK+"/") {
			continue
		}
		paths = append(paths, d.Path)
		if d.How == "extra" {
			removed = append(removed, d.Path)
		}
	}
	return paths, removed
}

func byName(stacks []Stack) map[string]Stack {
	out := make(map[string]Stack, len(stacks))
	for _, s := range stacks {
		out[s.Name] = s
	}
	return out
}

// ordered returns the stacks' names with each after the stacks of the
// set it depends on, ties by name.
func ordered(stacks []Stack) []string {
	in := byName(stacks)
	done := map[string]bool{}
	var out []string
	var visit func(name string)
	visit = func(name string) {
		if done[name] {
			return
		}
		done[name] = true
		for _, d := range slices.Sorted(slices.Values(in[name].DependsOn)) {
			if _, ok := in[d]; ok {
				visit(d)
			}
		}
		out = append(out, name)
	}
	for _, name := range slices.Sorted(maps.Keys(in)) {
		visit(name)
	}
	return out
}

// holds says what a kind of stack holds, for reasons.
func holds(kind string) string {
	switch kind {
	case "network":
		return "the VPC"
	case "generation":
		return "an EKS cluster and the SSM parameters of its registration"
	case "addons":
		return "add-ons' IAM roles"
	case "access":
		return "owners' access entries"
	case "iam":
		return "roles Argo CD and owners assume"
	case "tenant":
		return "a tenant's secret and its SecretStore's role"
	case "dns":
		return "weighted DNS records"
	case "certs":
		return "TLS certificates"
	case "management":
		return "the management cluster's roles"
	}
	return kind
}

func summary(stacks []Stack) string {
	count := map[string]int{}
	for _, s := range stacks {
		count[s.Kind]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%s (%s)", words.Plural(count[k], k+" stack"), holds(k)))
	}
	return strings.Join(parts, ", ")
}
