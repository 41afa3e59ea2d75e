package load

import (
	"fmt"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// checkArgoNames refuses a platform in which two of the Applications, or
// two of the ApplicationSets, that Argo CD would hold in its one namespace
// have the same name: the second would replace the first, or the app of
// apps would fail for every tenant. Names join a tenant or add-on to a
// generation with hyphens ("billing-prod-1-34"), so a tenant "billing-prod"
// on cluster "1" could meet tenant "billing" on cluster "prod-1". Each
// clash is reported at the later of the two owners, the platform's own
// objects first.
func checkArgoNames(p *model.Platform) diag.List {
	type owner struct {
		what, path string
		pos        model.Pos
	}
	var errs diag.List
	seen := map[string]owner{}
	reported := map[[2]string]bool{} // once per pair of owners, not per generation
	claim := func(kind, name string, o owner) {
		key := kind + "/" + name
		first, ok := seen[key]
		if !ok {
			seen[key] = o
			return
		}
		pair := [2]string{first.what, o.what}
		if first.what == o.what || reported[pair] {
			return
		}
		reported[pair] = true
		at := ""
		if first.pos.File != "" {
			at = " (" + first.pos.String() + ")"
		}
		errs = append(errs, diag.Errorf(o.pos, o.path, "the Argo CD %s %q of %s is also the %s of %s%s: rename one of them", kind, name, o.what, kind, first.what, at))
	}
	platform := owner{what: "the platform", path: "platform", pos: p.Config.Pos}
	claim("Application", naming.BootstrapApplication, platform)
	claim("ApplicationSet", naming.NamespacesApplicationSet, platform)
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			claim("Application", naming.NamespacesApplication(g.Name()), owner{what: fmt.Sprintf("the namespaces of cluster %q", c.Name), path: diag.Path("clusters", c.Name), pos: c.Pos})
		}
	}
	for _, a := range p.Config.Addons {
		o := owner{what: fmt.Sprintf("add-on %q", a.Name), path: diag.Path("platform", "addons", a.Name), pos: a.Pos}
		for _, unit := range naming.AddonUnits(a) {
			claim("ApplicationSet", naming.AddonApplicationSet(unit), o)
		}
	}
	for _, c := range p.Clusters {
		for _, a := range p.AddonsOf(c) {
			o := owner{what: fmt.Sprintf("add-on %q", a.Name), path: diag.Path("platform", "addons", a.Name), pos: a.Pos}
			for _, g := range c.Generations() {
				for _, unit := range naming.AddonUnits(a) {
					claim("Application", naming.AddonApplication(unit, g.Name()), o)
				}
			}
		}
	}
	for _, t := range p.Tenants {
		o := owner{what: fmt.Sprintf("tenant %q", t.Name), path: diag.Path("tenants", t.Name), pos: t.Pos}
		claim("ApplicationSet", naming.TenantApplicationSet(t), o)
		for _, c := range p.Placements(t) {
			for _, g := range c.Generations() {
				claim("Application", naming.TenantApplication(t, g.Name()), o)
			}
		}
	}
	return errs
}
