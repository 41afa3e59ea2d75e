package model

import (
	"fmt"
	"hash/fnv"
	"slices"
)

// IngressGroup returns the ALB IngressGroup that the tenant's Ingresses
// join on a cluster generation, and their order in it (0: none). Shared
// load balancers: one group per generation, named after the platform,
// in which each tenant has an order of its own that never changes when
// other tenants come or go (a hash of its name, 1 to 1000); rules match
// their own host only, so the order decides nothing between tenants.
// Per-tenant: the tenant's own group, one ALB each.
func (p *Platform) IngressGroup(t *Tenant) (name string, order int) {
	if p.Config.LoadBalancers == PerTenantLoadBalancers {
		return t.Name, 0
	}
	h := fnv.New32a()
	h.Write([]byte(t.Name))
	return p.Config.Name, 1 + int(h.Sum32()%1000)
}

// LoadBalancers returns the ALBs that a generation's Ingresses make, by
// group name, each with its rules (one per Ingress).
func (p *Platform) LoadBalancers(g Generation) map[string]int {
	out := map[string]int{}
	for _, t := range p.Tenants {
		if !t.PlacedOn(g.Cluster.Name) {
			continue
		}
		for _, s := range t.Services {
			if s.On(g.Cluster.Name).Ingress != nil {
				name, _ := p.IngressGroup(t)
				out[name]++
			}
		}
	}
	return out
}

// FargateProfile is one Fargate profile of a generation: the namespaces
// it selects, each with the pod labels it requires (none: every pod).
type FargateProfile struct {
	Name      string
	Selectors []FargateSelector
}

// FargateSelector selects the pods of a namespace (a pattern: "*" is
// any) that carry every label of Labels.
type FargateSelector struct {
	Namespace string
	Labels    map[string]string `json:",omitempty"`
}

// TenantPodLabel and TenantPodValue are a label that the pods of every
// tenant carry (the generators label every tenant object with it), and
// those of the add-ons do not.
const (
	TenantPodLabel = "app.kubernetes.io/managed-by"
	TenantPodValue = "platformc"
)

// FargateSelectorsPerProfile is EKS's limit of selectors per profile.
const FargateSelectorsPerProfile = 5

// FargateProfiles returns the Fargate profiles of a "fargate" cluster:
// "system" profiles for kube-system and the namespace of each of its
// add-ons, five namespaces each, and one "tenants" profile that selects,
// in any namespace, the pods platformc generates for tenants (by the
// label every tenant object carries). Tenants coming and going change no
// profile: EKS replaces a profile whose selectors change, stopping its
// pods.
func (p *Platform) FargateProfiles(c *Cluster) []FargateProfile {
	namespaces := []string{"kube-system"}
	for _, a := range p.AddonsOf(c) {
		if !slices.Contains(namespaces, a.Namespace) {
			namespaces = append(namespaces, a.Namespace)
		}
	}
	slices.Sort(namespaces[1:])
	var out []FargateProfile
	for chunk := range slices.Chunk(namespaces, FargateSelectorsPerProfile) {
		fp := FargateProfile{Name: "system"}
		if len(out) > 0 {
			fp.Name = fmt.Sprintf("system-%d", len(out))
		}
		for _, ns := range chunk {
			fp.Selectors = append(fp.Selectors, FargateSelector{Namespace: ns})
		}
		out = append(out, fp)
	}
	return append(out, FargateProfile{Name: "tenants", Selectors: []FargateSelector{{
		Namespace: "*",
		Labels:    map[string]string{TenantPodLabel: TenantPodValue},
	}}})
}
