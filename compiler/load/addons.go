package load

import (
	"fmt"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// checkAddons verifies the add-ons against the clusters and tenants: each
// cluster's opt-ins and opt-outs name an add-on it may choose; no tenant
// takes an add-on's namespace; the platform's values leave alone those
// that platformc sets; and the versions table has a chart version for
// every add-on installed on every generation, reported at the cluster's
// version.
func checkAddons(p *model.Platform) diag.List {
	var errs diag.List
	byName := map[string]*model.Addon{}
	var names []string
	namespaces := map[string]*model.Addon{}
	for _, a := range p.Config.Addons {
		byName[a.Name] = a
		names = append(names, a.Name)
		if _, ok := namespaces[a.Namespace]; !ok {
			namespaces[a.Namespace] = a
		}
		for _, path := range naming.Conflicts(a) {
			errs = append(errs, diag.Errorf(a.ValuesPos, diag.Path("platform", "addons", a.Name, "values"), "values.%s is set by platformc for aws: %q; remove it here", path, a.AWS))
		}
	}
	for _, c := range p.Clusters {
		for _, ch := range c.Addons {
			path := diag.Path("clusters", c.Name, "addons", ch.Name)
			a, ok := byName[ch.Name]
			switch {
			case !ok:
				errs = append(errs, diag.Errorf(ch.Pos, path, "no add-on is named %q in %s (add-ons: %s)", ch.Name, PlatformFile, orNone(names)))
			case !ch.On && a.Install == model.AddonAlways:
				errs = append(errs, diag.Errorf(ch.Pos, path, "add-on %q is installed on every cluster (install: %q at %s); only \"default\" and \"opt-in\" add-ons can be chosen", a.Name, a.Install, a.Pos))
			case ch.On && !a.Fits(c):
				errs = append(errs, diag.Errorf(ch.Pos, path, "add-on %q runs only on clusters with capacity.mode %s, and this cluster's is %q", a.Name, strings.Join(a.Capacity, " or "), c.Capacity.Mode))
			}
		}
		for _, g := range c.Generations() {
			for _, a := range p.AddonsOf(c) {
				if p.ChartVersion(g, a) != "" {
					continue
				}
				what := fmt.Sprintf("Kubernetes %s", g.Version)
				if g.Version != c.Version {
					what = fmt.Sprintf("generation %s (Kubernetes %s)", g.Name(), g.Version)
				}
				errs = append(errs, diag.Errorf(c.VersionPos, diag.Path("clusters", c.Name, "kubernetes", "version"), "add-on %q (%s) has no chart version for %s: add one under versions.%q.charts in schema/versions.cue, or choose a version that lists it (%s)", a.Name, a.Pos, what, g.Version, orNone(chartVersions(p, a))))
			}
		}
	}
	for _, t := range p.Tenants {
		if a, ok := namespaces[t.Namespace()]; ok {
			errs = append(errs, diag.Errorf(t.Pos, diag.Path("tenants", t.Name), "namespace %q belongs to the platform's add-on %q (%s): choose another tenant name", t.Namespace(), a.Name, a.Pos))
		}
	}
	return errs
}

// chartVersions lists the Kubernetes versions whose row has a chart
// version for the add-on.
func chartVersions(p *model.Platform, a *model.Addon) []string {
	var out []string
	for v, row := range p.Versions {
		if _, ok := row.Charts[a.Name]; ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
