package model

import (
	"slices"
	"strconv"
	"strings"
)

// Namespace is the tenant's namespace on every cluster it is placed on.
func (t *Tenant) Namespace() string { return t.Name }

// ServiceAccount is the Kubernetes service account a workload runs as.
func (w *Workload) ServiceAccount() string { return w.Name }

// Generation is one EKS cluster of a logical cluster. A cluster has one
// generation, and two during a blue/green upgrade: blue, the one that ran
// before, and green, at the new version.
type Generation struct {
	Cluster  *Cluster
	Version  string
	Role     Role
	Weight   int  // share of the cluster's traffic, 0 to 100
	RunsJobs bool // CronJobs run here: on the generation with the traffic majority
}

// Role is a generation's part in a blue/green upgrade.
type Role string

const (
	Only     Role = ""         // no upgrade in progress
	Blue     Role = "blue"     // the generation being replaced
	Green    Role = "green"    // the generation replacing it
	Retiring Role = "retiring" // the one being drained: still registered, without tenants
)

// Name is the generation's EKS cluster name and its name in Argo CD:
// the logical cluster's name and the Kubernetes version, "prod-shared-1-33".
func (g Generation) Name() string {
	return g.Cluster.Name + "-" + strings.ReplaceAll(g.Version, ".", "-")
}

// Domain is the DNS domain of the generation's own names,
// "prod-shared-1-35.example.com": external-dns in the generation writes
// names under it and nowhere else; the tenants' hosts themselves are
// written by the cluster's DNS stacks (one writer per name).
func (g Generation) Domain() string { return GenerationDomain(g.Name(), g.Cluster.DNSZone) }

// GenerationDomain is Generation.Domain from the generation's name and
// its cluster's zone (or template expressions for them).
func GenerationDomain(generation, zone string) string { return generation + "." + zone }

// Addons returns the EKS add-on versions for the generation's Kubernetes
// version, from the versions table.
func (p *Platform) Addons(g Generation) map[string]string {
	return p.Versions[g.Version].Addons
}

// Generations returns the cluster's live generations, oldest first. Until
// the loader has set them, a cluster has one, at its version.
func (c *Cluster) Generations() []Generation {
	if c.generations == nil {
		return []Generation{{Cluster: c, Version: c.Version, Weight: 100, RunsJobs: true}}
	}
	return c.generations
}

// Serving returns the cluster's generations that run its tenants: all
// but a retiring one, which keeps its registration and add-ons while
// Argo CD deletes its tenants' objects, namespaces and Karpenter
// NodePools (their controllers releasing load balancers, DNS names and
// nodes), until its stacks are destroyed.
func (c *Cluster) Serving() []Generation {
	var out []Generation
	for _, g := range c.Generations() {
		if g.Role != Retiring {
			out = append(out, g)
		}
	}
	return out
}

// SetGenerations records the cluster's live generations, oldest first.
func (c *Cluster) SetGenerations(gs []Generation) { c.generations = gs }

// Minor is the minor number of a Kubernetes version: 35 for "1.35".
func Minor(version string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(version, "1."))
	return n
}

// CompareVersions orders Kubernetes minor versions: "1.9" < "1.10".
func CompareVersions(a, b string) int { return Minor(a) - Minor(b) }

// ResourceOwners tells which tenant an AWS resource's name belongs to
// (Of): the set of the tenants' names, made once per platform, so that
// checking every resource costs a lookup per "-" of its name rather than
// a pass over every tenant.
type ResourceOwners map[string]bool

// ResourceOwners returns the index of p's tenants' names.
func (p *Platform) ResourceOwners() ResourceOwners {
	o := make(ResourceOwners, len(p.Tenants))
	for _, t := range p.Tenants {
		o[t.Name] = true
	}
	return o
}

// Of is the tenant whose name, followed by "-", begins an AWS resource's
// name, the longest if several do ("a-b-x" is tenant a-b's, not a's), or
// "".
func (o ResourceOwners) Of(name string) string {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '-' && o[name[:i]] {
			return name[:i]
		}
	}
	return ""
}

// MayUse reports whether a tenant may name an AWS resource of a service:
// its own (owners, of p), or one that platform.cue grants it.
func (p *Platform) MayUse(owners ResourceOwners, t *Tenant, service, name string) bool {
	return owners.Of(name) == t.Name || slices.Contains(p.Config.Grants[service][name], t.Name)
}
