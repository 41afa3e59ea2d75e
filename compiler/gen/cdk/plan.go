package cdk

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// Plan returns every stack of the platform, sorted by name, with the
// model slice each depends on. It starts no synthesis: a Stack's template
// is made only when a Synthesizer defines it.
func Plan(p *model.Platform) ([]Stack, error) {
	var stacks []Stack
	var errs diag.List
	add := func(s Stack, err diag.List) {
		if err != nil {
			errs = append(errs, err...)
			return
		}
		stacks = append(stacks, s)
	}

	envs := map[string]bool{}
	for _, c := range p.Clusters {
		e, ok := p.Config.Environments[c.Environment]
		switch {
		case !ok:
			errs = append(errs, diag.Errorf(c.EnvPos, diag.Path("clusters", c.Name, "environment"), "environment %q is not defined in platform.cue", c.Environment))
			continue
		case e.Region != c.Region:
			// Tenant stacks, in the environment's region, read each
			// generation's OIDC issuer from SSM when they are deployed;
			// CloudFormation reads parameters of its own region only.
			errs = append(errs, diag.Errorf(c.RegionPos, diag.Path("clusters", c.Name, "region"), "cluster %s runs in %s, but environment %s keeps its tenants' secrets in %s: the AWS stacks need every cluster in its environment's region", c.Name, c.Region, c.Environment, e.Region))
			continue
		}
		envs[c.Environment] = true
	}
	if len(errs) > 0 {
		return nil, diag.List(diag.Sorted(errs))
	}

	// IAM: the account-wide roles go in the stack of the first environment
	// (by name) of their account.
	// The tenants' owners roles go in stacks of their own (OwnersStack).
	sharedIn := map[string]string{} // account -> the IAM stack holding its shared roles
	for _, env := range slices.Sorted(maps.Keys(envs)) {
		e := p.Config.Environments[env]
		_, done := sharedIn[e.Account]
		s := iamSpecFor(p, env, !done)
		if shared := (IAMSpec{Deployer: s.Deployer, Reader: s.Reader}); !shared.empty() {
			name := IAMStack(p, env)
			sharedIn[e.Account] = name
			add(Stack{
				Name: name, Account: e.Account, Region: e.Region,
				Description: fmt.Sprintf("platformc: IAM roles the management cluster assumes in the account of environment %s", env),
				spec:        shared,
			}, nil)
		}
		buckets := map[string][]OwnersRole{}
		for _, o := range s.Owners {
			name := ownersStack(p, o.Tenant, env)
			buckets[name] = append(buckets[name], o)
		}
		for _, name := range slices.Sorted(maps.Keys(buckets)) {
			add(Stack{
				Name: name, Account: e.Account, Region: e.Region,
				Description: fmt.Sprintf("platformc: owners roles of tenants of environment %s", env),
				spec:        IAMSpec{Owners: buckets[name]},
			}, nil)
		}
	}

	for _, c := range p.Clusters {
		net, err := networkSpecFor(p, c)
		add(Stack{
			Name: NetworkStack(p, c), Account: c.Account, Region: c.Region,
			Description: fmt.Sprintf("platformc: VPC of cluster %s, shared by its generations", c.Name),
			Origin:      fstree.Origin{Cluster: c.Name},
			spec:        net,
		}, err)
		for _, g := range c.Generations() {
			spec, err := generationSpecFor(p, g)
			deps := []string{NetworkStack(p, c), sharedIn[c.Account]}
			add(Stack{
				Name: GenerationStack(p, g), Account: c.Account, Region: c.Region,
				Description: fmt.Sprintf("platformc: EKS cluster %s (cluster %s, Kubernetes %s)", g.Name(), c.Name, g.Version),
				DependsOn:   deps,
				Origin:      fstree.Origin{Cluster: c.Name},
				spec:        spec,
			}, err)
			buckets := map[string]AccessSpec{}
			owners := map[string]string{} // access stack -> the owners stack of its roles
			for _, t := range p.Tenants {
				if t.PlacedOn(c.Name) {
					name := accessStack(p, t.Name, g)
					owners[name] = ownersStack(p, t.Name, c.Environment)
					b := buckets[name]
					b.ClusterName = g.Name()
					b.Entries = append(b.Entries, TenantAccess{Namespace: t.Namespace(), Owners: OwnersRoleARN(p, t, c.Environment)})
					buckets[name] = b
				}
			}
			for _, name := range slices.Sorted(maps.Keys(buckets)) {
				add(Stack{
					Name: name, Account: c.Account, Region: c.Region,
					Description: fmt.Sprintf("platformc: access entries of tenants' owners on EKS cluster %s", g.Name()),
					DependsOn:   []string{GenerationStack(p, g), owners[name]},
					Origin:      fstree.Origin{Cluster: c.Name},
					spec:        buckets[name],
				}, nil)
			}
			if addons := addonsSpecFor(p, g); len(addons.Roles) > 0 {
				add(Stack{
					Name: AddonsStack(p, g), Account: c.Account, Region: c.Region,
					Description: fmt.Sprintf("platformc: IAM roles of the add-ons of EKS cluster %s", g.Name()),
					DependsOn:   []string{GenerationStack(p, g)},
					Origin:      fstree.Origin{Cluster: c.Name},
					spec:        addons,
				}, nil)
			}
		}
		dns := dnsSpecsFor(p, c)
		for _, name := range slices.Sorted(maps.Keys(dns)) {
			add(Stack{
				Name: name, Account: c.Account, Region: c.Region,
				Description: fmt.Sprintf("platformc: weighted records of ingress hosts of cluster %s in %s", c.Name, c.DNSZone),
				Origin:      fstree.Origin{Cluster: c.Name},
				spec:        dns[name],
			}, nil)
		}
	}

	a := p.Config.ArgoCD
	add(Stack{
		Name: ManagementStack(p), Account: a.Account, Region: a.Region,
		Description: "platformc: the roles of Argo CD and of the cluster registry on the management cluster",
		spec:        managementSpecFor(p),
	}, nil)

	certs := certsSpecsFor(p)
	for _, name := range slices.Sorted(maps.Keys(certs)) {
		var zones []string
		for _, z := range certs[name].Zones {
			zones = append(zones, z.Zone)
		}
		add(Stack{
			Name: name, Account: certs[name].Account, Region: certs[name].Region,
			Description: fmt.Sprintf("platformc: TLS certificates of the ingress hosts in %s, validated by DNS", strings.Join(zones, ", ")),
			spec:        certs[name],
		}, nil)
	}

	for _, t := range p.Tenants {
		gens := map[string][]model.Generation{}
		for _, c := range p.Placements(t) {
			gens[c.Environment] = append(gens[c.Environment], c.Generations()...)
		}
		for _, env := range slices.Sorted(maps.Keys(gens)) {
			var deps []string
			for _, g := range gens[env] {
				deps = append(deps, GenerationStack(p, g))
			}
			spec, err := tenantSpecFor(p, t, env, gens[env])
			ts := naming.Secret(p, t, env)
			add(Stack{
				Name: TenantStack(p, t, env), Account: ts.Account, Region: ts.Region,
				Description: fmt.Sprintf("platformc: tenant %s in environment %s: its Secrets Manager secret and the role its SecretStore uses", t.Name, env),
				DependsOn:   deps,
				Origin:      fstree.Origin{Tenant: t.Name},
				spec:        spec,
			}, err)
		}
	}
	if len(errs) > 0 {
		return nil, diag.List(diag.Sorted(errs))
	}

	slices.SortFunc(stacks, func(a, b Stack) int { return strings.Compare(a.Name, b.Name) })
	for i, s := range stacks {
		if i > 0 && stacks[i-1].Name == s.Name {
			errs = append(errs, diag.Errorf(diag.Pos{}, "", "two stacks are named %s (a %s stack and a %s stack): rename the tenant, cluster or environment whose name makes it", s.Name, stacks[i-1].Kind(), s.Kind()))
		}
		deps := slices.DeleteFunc(slices.Clone(s.DependsOn), func(d string) bool { return d == "" })
		slices.Sort(deps)
		stacks[i].DependsOn = slices.Compact(deps)
	}
	if len(errs) > 0 {
		return stacks, errs
	}
	return stacks, nil
}
