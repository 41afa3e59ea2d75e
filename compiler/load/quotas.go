package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
)

// checkQuotas counts what the platform makes against the AWS quotas it
// declares (platform.cue: quotas): an error for Fargate profiles, which
// EKS refuses past its quota, warnings for load balancers, their rules
// and clusters per region, which fail later (a load balancer or a green
// cluster that is not created). It warns, too, where what the generated
// objects ask for would not happen: NetworkPolicies on Fargate, which
// nothing enforces, and a rotated secret on a cluster without Reloader
// (ReloaderChart), which nothing rolls.
func checkQuotas(p *model.Platform) (errs diag.List, warns []diag.Diagnostic) {
	q := p.Config.Quotas
	type region struct{ account, region string }
	clusters := map[region][]*model.Cluster{}
	for _, c := range p.Clusters {
		r := region{c.Account, c.Region}
		clusters[r] = append(clusters[r], c)
		if !slices.ContainsFunc(p.AddonsOf(c), func(a *model.Addon) bool { return a.Chart.Name == ReloaderChart }) && usesSecrets(p, c) {
			warns = append(warns, diag.Warningf(c.Pos, "", "cluster %s runs no add-on of the chart %q (%s: addons): its Deployments that read secrets will not roll when a secret rotates", c.Name, ReloaderChart, PlatformFile))
		}
		if c.Capacity.Mode != model.Fargate {
			continue
		}
		warns = append(warns, diag.Warningf(c.ModePos, "", "cluster %s: NetworkPolicies are not enforced on Fargate pods: its tenants' default-deny isolation does not exist on the network (another capacity mode enforces it)", c.Name))
		if n := len(p.FargateProfiles(c)); n > q.FargateProfilesPerCluster {
			errs = append(errs, diag.Errorf(c.ModePos, diag.Path("clusters", c.Name, "capacity", "mode"), "cluster %s needs %d Fargate profiles (kube-system and its add-ons' namespaces, %d per profile, and its tenants'), more than the quota of %d (%s: quotas.fargateProfilesPerCluster)", c.Name, n, model.FargateSelectorsPerProfile, q.FargateProfilesPerCluster, PlatformFile))
		}
	}
	for _, r := range slices.SortedFunc(maps.Keys(clusters), func(a, b region) int {
		return strings.Compare(a.account+a.region, b.account+b.region)
	}) {
		var gens, albs int
		var names []string
		for _, c := range clusters[r] {
			for _, g := range c.Generations() {
				gens++
				lbs := p.LoadBalancers(g)
				albs += len(lbs)
				for _, group := range slices.Sorted(maps.Keys(lbs)) {
					if lbs[group] > q.RulesPerLoadBalancer {
						warns = append(warns, diag.Warningf(c.Pos, "", "the load balancer %s of %s would have %d rules, more than the quota of %d per load balancer (%s: quotas.rulesPerLoadBalancer): its Ingresses beyond it get no load balancer", group, g.Name(), lbs[group], q.RulesPerLoadBalancer, PlatformFile))
					}
				}
			}
			names = append(names, c.Name)
		}
		where := fmt.Sprintf("account %s, region %s (clusters %s)", r.account, r.region, strings.Join(names, ", "))
		pos := clusters[r][len(clusters[r])-1].Pos
		if gens > q.ClustersPerRegion {
			warns = append(warns, diag.Warningf(pos, "", "%s: %d EKS clusters (generations), more than the quota of %d (%s: quotas.clustersPerRegion): a green generation would not be created", where, gens, q.ClustersPerRegion, PlatformFile))
		}
		if albs > q.LoadBalancersPerRegion {
			warns = append(warns, diag.Warningf(pos, "", "%s: %d Application Load Balancers, more than the quota of %d (%s: quotas.loadBalancersPerRegion; loadBalancers: %q)", where, albs, q.LoadBalancersPerRegion, PlatformFile, p.Config.LoadBalancers))
		}
	}
	return errs, warns
}

// ReloaderChart is the chart of Stakater Reloader, which acts on the
// annotation by which Deployments name the Secrets whose change rolls
// their pods.
const ReloaderChart = "reloader"

func usesSecrets(p *model.Platform, c *model.Cluster) bool {
	for _, t := range p.Tenants {
		if t.PlacedOn(c.Name) && slices.ContainsFunc(t.Services, func(s *model.Service) bool { return len(s.Secrets) > 0 }) {
			return true
		}
	}
	return false
}
