package load

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// check verifies what spans files, reporting each problem at the position
// of the reference that causes it. References to broken clusters, whose
// own errors are already reported, are not reported again.
func check(p *model.Platform, broken map[string]bool) diag.List {
	var errs diag.List
	clusters := map[string]*model.Cluster{}
	var names []string
	for _, c := range p.Clusters {
		clusters[c.Name] = c
		names = append(names, c.Name)
		env, ok := p.Config.Environments[c.Environment]
		switch {
		case !ok:
			errs = append(errs, diag.Errorf(c.EnvPos, diag.Path("clusters", c.Name, "environment"), "environment %q is not declared in %s under platform.environments (declared: %s)", c.Environment, PlatformFile, orNone(slices.Collect(maps.Keys(p.Config.Environments)))))
		case env.Account != c.Account:
			errs = append(errs, diag.Errorf(c.AccountPos, diag.Path("clusters", c.Name, "account"), "account %s is not the account of environment %q (%s in %s): every cluster of an environment runs in its account, so that the tenants' IAM roles there can trust the clusters", c.Account, c.Environment, env.Account, PlatformFile))
		}
	}
	onCluster := map[string][]model.Ref{} // cluster -> tenants placed on it, at their references
	// A public name belongs to one tenant across the whole platform: the
	// DNS stacks give each of its clusters a weighted record, so a second
	// tenant claiming it on another cluster would take part of its traffic.
	type claim struct {
		tenant, cluster string
		pos             model.Pos
	}
	hosts := map[string]claim{} // ingress host, lower case -> its first claim
	owners := p.ResourceOwners()
	for _, t := range p.Tenants {
		tp := diag.Path("tenants", t.Name)
		placed := map[string]bool{}
		for _, r := range t.Clusters {
			c, ok := clusters[r.Name]
			if !ok && broken[r.Name] {
				continue
			}
			if !ok {
				errs = append(errs, diag.Errorf(r.Pos, tp+".clusters", "unknown cluster %q (defined clusters: %s)", r.Name, strings.Join(names, ", ")))
				continue
			}
			placed[c.Name] = true
			onCluster[c.Name] = append(onCluster[c.Name], model.Ref{Name: t.Name, Pos: r.Pos})
		}
		secrets := map[string]bool{}
		var declared []string
		for _, s := range t.Secrets {
			secrets[s.Name] = true
			declared = append(declared, s.Name)
		}
		workloads := map[string]string{}
		checkWorkload := func(w *model.Workload, kind string) {
			wp := diag.Path("tenants", t.Name, kind, w.Name)
			if other, ok := workloads[w.Name]; ok {
				errs = append(errs, diag.Errorf(w.Pos, wp, "a %s is also named %q: services and jobs of a tenant need distinct names", other, w.Name))
			}
			workloads[w.Name] = strings.TrimSuffix(kind, "s")
			errs = append(errs, checkValues(w, wp)...)
			errs = append(errs, checkFiles(w, wp)...)
			errs = append(errs, checkAccess(p, owners, t, w, kind)...)
			for _, r := range w.Secrets {
				if !secrets[r.Name] {
					errs = append(errs, diag.Errorf(r.Pos, wp+".secrets", "secret %q is not declared under %s.secrets (declared: %s)", r.Name, tp, orNone(declared)))
				}
			}
		}
		for _, s := range t.Services {
			checkWorkload(&s.Workload, "services")
			errs = append(errs, checkAutoscaling(t, s)...)
			for _, o := range s.Overrides {
				if !placed[o.Cluster.Name] {
					errs = append(errs, diag.Errorf(o.Cluster.Pos, diag.Path("tenants", t.Name, "services", s.Name, "overrides"), "override for cluster %q, where the tenant is not placed (clusters: %s)", o.Cluster.Name, strings.Join(refNames(t.Clusters), ", ")))
				}
			}
			for _, c := range p.Placements(t) {
				on := s.On(c.Name)
				if on.Ingress == nil {
					continue
				}
				in, ip := on.Ingress, diag.Path("tenants", t.Name, "services", s.Name, "ingress", "host")
				if o := s.Override(c.Name); o != nil && o.Host != "" {
					in = &model.Ingress{Host: o.Host, Pos: o.Cluster.Pos}
					ip = diag.Path("tenants", t.Name, "services", s.Name, "overrides", c.Name, "ingress", "host")
				}
				if !inZone(in.Host, c.DNSZone) {
					errs = append(errs, diag.Errorf(in.Pos, ip, "host %q is not in the DNS zone %q of cluster %q; set another host for that cluster under overrides: %q: ingress: host", in.Host, c.DNSZone, c.Name, c.Name))
				}
				host := strings.TrimSuffix(strings.ToLower(in.Host), ".")
				if other, d := generationDomain(host, p.Clusters); d != "" {
					errs = append(errs, diag.Errorf(in.Pos, ip, "host %q is under %s, where external-dns in cluster %q's generations writes their load balancers' names: one writer per name; choose a host outside it", in.Host, d, other.Name))
				}
				if first, ok := hosts[host]; ok && first.tenant != t.Name {
					errs = append(errs, diag.Errorf(in.Pos, ip, "host %q belongs to tenant %q (%s, on cluster %q): a host is served by one tenant across the whole platform", in.Host, first.tenant, first.pos, first.cluster))
				} else if !ok {
					hosts[host] = claim{tenant: t.Name, cluster: c.Name, pos: in.Pos}
				}
			}
		}
		for _, j := range t.Jobs {
			checkWorkload(&j.Workload, "jobs")
		}
		errs = append(errs, checkEgress(t, p.Placements(t))...)
		errs = append(errs, checkManifests(p, t)...)
		for _, x := range t.Exemptions {
			if !slices.Contains(p.Config.Policy.Waivable, x.Check) {
				errs = append(errs, diag.Errorf(x.Pos, diag.Path("tenants", t.Name, "exemptions", x.Check), "a tenant may not waive %s: the platform team decides (%s: policy.waivable: %s)", x.Check, PlatformFile, orNone(p.Config.Policy.Waivable)))
			}
			for _, w := range x.Workloads {
				if _, ok := workloads[w]; !ok {
					errs = append(errs, diag.Errorf(x.Pos, diag.Path("tenants", t.Name, "exemptions", x.Check, "workloads"), "no service or job is named %q", w))
				}
			}
		}
	}
	for _, c := range p.Clusters {
		on := onCluster[c.Name]
		if c.Tenancy != model.Dedicated || len(on) <= 1 {
			continue
		}
		for _, r := range on {
			errs = append(errs, diag.Errorf(r.Pos, diag.Path("tenants", r.Name, "clusters"), "cluster %q is dedicated and accepts exactly one tenant, but %s are placed on it", c.Name, strings.Join(refNames(on), ", ")))
		}
	}
	for _, k := range p.Config.TenantKinds {
		if why := refusedKind(k.Name); why != "" {
			errs = append(errs, diag.Errorf(k.Pos, diag.Path("platform", "tenantKinds"), "%s: %s", k.Name, why))
		}
	}
	errs = append(errs, checkAddons(p)...)
	return append(errs, checkArgoNames(p)...)
}

// refusedKind says why no tenant may add objects of a kind
// ("apiVersion/Kind"), or "".
func refusedKind(apiKind string) string {
	i := strings.LastIndex(apiKind, "/")
	group, kind := apiKind[:max(i, 0)], apiKind[i+1:]
	if j := strings.LastIndex(group, "/"); j >= 0 {
		group = group[:j]
	} else {
		group = "" // the core group: "v1"
	}
	switch kind {
	case "ResourceQuota", "LimitRange", "NetworkPolicy", "Role", "RoleBinding", "SecretStore":
		if group == "" || strings.HasSuffix(group, ".k8s.io") || group == "external-secrets.io" {
			return "the platform sets this kind in every tenant namespace: a tenant's would loosen its guard rails"
		}
	case "Secret":
		if group == "" {
			return "a Secret in git holds its values: declare the keys under secrets, in the tenant's AWS secret"
		}
	case "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass",
		"PriorityClass", "ClusterSecretStore", "ClusterIssuer", "NodePool", "EC2NodeClass", "MutatingWebhookConfiguration",
		"ValidatingWebhookConfiguration", "APIService", "IngressClass", "RuntimeClass":
		return "a cluster-scoped kind reaches beyond the tenant's namespace"
	}
	return ""
}

// checkManifests accepts a tenant's extra objects only of the kinds
// platform.cue lists and does not own, in the tenant's namespace, not a
// ServiceAccount with an IAM role, and not named as an object platformc
// generates for the tenant.
func checkManifests(p *model.Platform, t *model.Tenant) diag.List {
	if len(t.Manifests) == 0 {
		return nil
	}
	var errs diag.List
	generated := map[string]string{} // "Kind/name" -> what makes it
	for _, w := range t.Workloads() {
		for _, k := range []string{"ServiceAccount", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "CronJob"} {
			generated[k+"/"+w.Name] = "workload " + w.Name
		}
		if len(w.Files) > 0 {
			generated["ConfigMap/"+naming.FilesConfigMap(w)] = "the files of " + w.Name
		}
	}
	for _, s := range t.Secrets {
		generated["ExternalSecret/"+s.Name], generated["Secret/"+s.Name] = "secret "+s.Name, "secret "+s.Name
	}
	generated["ServiceAccount/"+naming.SecretsServiceAccount] = "the tenant's SecretStore"
	seen := map[string]bool{}
	for i, m := range t.Manifests {
		mp := fmt.Sprintf("%s[%d]", diag.Path("tenants", t.Name, "manifests"), i)
		apiKind := m.APIVersion + "/" + m.Kind
		id := m.Kind + "/" + m.Name
		switch {
		case refusedKind(apiKind) != "":
			errs = append(errs, diag.Errorf(m.KindPos, mp+".kind", "%s is refused: %s", apiKind, refusedKind(apiKind)))
		case !slices.ContainsFunc(p.Config.TenantKinds, func(k model.Ref) bool { return k.Name == apiKind }):
			errs = append(errs, diag.Errorf(m.KindPos, mp+".kind", "%s is not a kind tenants may add: %s lists them (tenantKinds: %s)", apiKind, PlatformFile, orNone(refNames(p.Config.TenantKinds))))
		case m.Kind == "ServiceAccount" && annotated(m.Object, naming.RoleAnnotation):
			errs = append(errs, diag.Errorf(m.RolePos, mp+".metadata.annotations", "a ServiceAccount with an IAM role is the platform's to make: give a workload aws access instead"))
		}
		if m.Namespace != "" && m.Namespace != t.Namespace() {
			errs = append(errs, diag.Errorf(m.NamespacePos, mp+".metadata.namespace", "namespace %q: a tenant's objects live in its own namespace, %q (leave namespace out)", m.Namespace, t.Namespace()))
		}
		if what, ok := generated[id]; ok {
			errs = append(errs, diag.Errorf(m.NamePos, mp+".metadata.name", "%s is also what platformc makes for %s: choose another name", id, what))
		}
		if seen[id] {
			errs = append(errs, diag.Errorf(m.NamePos, mp+".metadata.name", "%s is listed twice", id))
		}
		seen[id] = true
	}
	return errs
}

func annotated(o map[string]any, key string) bool {
	meta, _ := o["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	_, ok := annotations[key]
	return ok
}

// MaxRoleName is IAM's limit on a role's name.
const MaxRoleName = 64

// checkAccess refuses an AWS resource that is not the tenant's (by name,
// or by platform.cue's grants), and a workload role whose name IAM would
// refuse.
func checkAccess(p *model.Platform, owners model.ResourceOwners, t *model.Tenant, w *model.Workload, kind string) diag.List {
	if len(w.AWS) == 0 {
		return nil
	}
	var errs diag.List
	for _, a := range w.AWS {
		if p.MayUse(owners, t, a.Service, a.Name) {
			continue
		}
		whose := "no tenant's"
		if owner := owners.Of(a.Name); owner != "" {
			whose = fmt.Sprintf("tenant %s's", owner)
		}
		errs = append(errs, diag.Errorf(a.Pos, diag.Path("tenants", t.Name, kind, w.Name, "aws", a.Service, a.Name), "%s %q is %s: a tenant names only resources beginning with %q, or those %s grants it (grants: %s: %q: [%q])", a.Service, a.Name, whose, t.Name+"-", PlatformFile, a.Service, a.Name, t.Name))
	}
	for _, c := range p.Placements(t) {
		if name, _ := naming.WorkloadRole(p, t, w, c.Environment); len(name) > MaxRoleName {
			errs = append(errs, diag.Errorf(w.AWS[0].Pos, diag.Path("tenants", t.Name, kind, w.Name, "aws"), "its IAM role would be named %s, %d characters, more than IAM's %d: shorten the workload's name", name, len(name), MaxRoleName))
			break
		}
	}
	return errs
}

// checkAutoscaling refuses replicas beside autoscaling (the autoscaler
// sets them), and bounds that cross, on any cluster.
func checkAutoscaling(t *model.Tenant, s *model.Service) diag.List {
	a := s.Autoscaling
	if a == nil {
		return nil
	}
	sp := diag.Path("tenants", t.Name, "services", s.Name)
	var errs diag.List
	if s.ReplicasPos != (model.Pos{}) {
		errs = append(errs, diag.Errorf(s.ReplicasPos, sp+".replicas", "replicas and autoscaling exclude each other: the autoscaler runs from autoscaling.min to autoscaling.max pods; remove replicas"))
	}
	if a.Min > a.Max {
		errs = append(errs, diag.Errorf(a.MaxPos, sp+".autoscaling.max", "autoscaling.max (%d) is less than autoscaling.min (%d)", a.Max, a.Min))
	}
	for _, o := range s.Overrides {
		if o.Replicas != 0 {
			errs = append(errs, diag.Errorf(o.ReplicasPos, diag.Path("tenants", t.Name, "services", s.Name, "overrides", o.Cluster.Name, "replicas"), "an autoscaled service has no replicas to override: override autoscaling.min and autoscaling.max"))
		}
		if o.Min == 0 && o.Max == 0 {
			continue
		}
		on := s.On(o.Cluster.Name).Autoscaling
		if on.Min > on.Max {
			pos, field := o.MaxPos, "max"
			if o.Max == 0 {
				pos, field = o.MinPos, "min"
			}
			errs = append(errs, diag.Errorf(pos, diag.Path("tenants", t.Name, "services", s.Name, "overrides", o.Cluster.Name, "autoscaling", field), "on cluster %s, autoscaling.max (%d) is less than autoscaling.min (%d)", o.Cluster.Name, on.Max, on.Min))
		}
	}
	return errs
}

// checkEgress refuses an egress range that would open what the tenant's
// guard rails close: a range written with host bits (Kubernetes would read
// another range than the reviewer), and one that covers the whole VPC of a
// cluster the tenant is on, where every tenant's pods have their addresses
// ("0.0.0.0/0", "10.0.0.0/8"). The schema has checked the syntax.
func checkEgress(t *model.Tenant, on []*model.Cluster) diag.List {
	var errs diag.List
	path := diag.Path("tenants", t.Name, "network", "egress")
	for _, r := range t.Egress {
		p, err := netip.ParsePrefix(r.Name)
		if err != nil {
			continue // reported by the schema
		}
		if msg := pastMask(p); msg != "" {
			errs = append(errs, diag.Errorf(r.Pos, path, "egress %q %s", r.Name, msg))
			continue
		}
		for _, c := range on {
			vpc, err := netip.ParsePrefix(c.CIDR)
			if err == nil && p.Bits() <= vpc.Bits() && p.Contains(vpc.Addr()) {
				errs = append(errs, diag.Errorf(r.Pos, path, "egress %q covers the whole VPC %s of cluster %q, where the pods of every tenant run: list only the ranges of the databases and caches the tenant reaches (addresses outside the VPC are always reachable)", r.Name, c.CIDR, c.Name))
				break
			}
		}
	}
	return errs
}

// pastMask says what is wrong with a range whose address has bits set
// past its mask, or "" when it has none.
func pastMask(p netip.Prefix) string {
	if m := p.Masked(); m != p {
		return fmt.Sprintf("has bits set past its /%d: write the range as %q", p.Bits(), m.String())
	}
	return ""
}

func inZone(host, zone string) bool { return host == zone || strings.HasSuffix(host, "."+zone) }

// generationDomain returns the cluster, and the domain of one of its
// generations, past, present or future ("prod-shared-1-35.example.com",
// see model.Generation.Domain), that host is in; "" if none.
func generationDomain(host string, clusters []*model.Cluster) (*model.Cluster, string) {
	for _, c := range clusters {
		rest, ok := strings.CutSuffix(host, "."+c.DNSZone)
		if !ok {
			continue
		}
		labels := strings.Split(rest, ".")
		gen := labels[len(labels)-1]
		version, ok := strings.CutPrefix(gen, c.Name+"-")
		major, minor, _ := strings.Cut(version, "-")
		if ok && digits(major) && digits(minor) {
			return c, model.GenerationDomain(gen, c.DNSZone)
		}
	}
	return nil, ""
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func refNames(rs []model.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(slices.Values(s)), ", ")
}
