package argocd_test

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/argocd"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/appset"
)

// expandAddons renders every add-on ApplicationSet for every cluster
// Secret it selects, as Argo CD's cluster generator does (goTemplate,
// missingkey=error), and returns the Applications by generation and
// add-on.
func expandAddons(t *testing.T, byKind map[string][]obj) map[string]map[string]obj {
	t.Helper()
	apps := map[string]map[string]obj{}
	for _, as := range byKind["ApplicationSet"] {
		if str(as, "metadata", "labels", argocd.LabelAddon) == "" {
			continue
		}
		// The add-on's name, or "<add-on>-config" for its other objects.
		addon := strings.TrimPrefix(str(as, "metadata", "name"), "addon-")
		expanded, params, err := appset.Expand(as, clusterSecrets(t, byKind))
		if err != nil {
			t.Fatalf("%s: %v", as["__file"], err)
		}
		for i, app := range expanded {
			name := params[i]["name"].(string)
			if apps[name] == nil {
				apps[name] = map[string]obj{}
			}
			if _, dup := apps[name][addon]; dup {
				t.Errorf("%s: two applications of %s", name, addon)
			}
			apps[name][addon] = app
		}
	}
	return apps
}

// TestAddonApplications expands the add-on ApplicationSets of the sample
// into one Application per add-on per generation, each installing the
// add-on's chart at the version of the versions table for that
// generation's Kubernetes version, in the add-ons' project, with the
// role and the facts of that generation in its values.
func TestAddonApplications(t *testing.T) {
	p, tree, byKind := sample(t)
	checkAddonApplications(t, p, tree, byKind)
}

func checkAddonApplications(t *testing.T, p *model.Platform, tree *fstree.Tree, byKind map[string][]obj) {
	t.Helper()
	apps := expandAddons(t, byKind)
	total := 0
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			want := p.AddonsOf(c)
			configs := 0
			for _, a := range want {
				if a.AWS == model.KarpenterAddon {
					configs++
					app := apps[g.Name()][a.Name+"-config"]
					src := str(app, "spec", "source", "path")
					k, ok := tree.Get(path.Join(src, "kustomization.yaml"))
					if !ok || !strings.Contains(string(k.Data), "nodepool-default.yaml") || !strings.Contains(string(k.Data), "ec2nodeclass-default.yaml") {
						t.Errorf("%s: %s: no NodePool and EC2NodeClass at %q", g.Name(), a.Name, src)
					}
					if str(app, "spec", "project") != argocd.AddonsProject {
						t.Errorf("%s: %s config in project %q", g.Name(), a.Name, str(app, "spec", "project"))
					}
				}
			}
			if len(apps[g.Name()]) != len(want)+configs {
				t.Errorf("%s: %d add-on applications, want %d", g.Name(), len(apps[g.Name()]), len(want)+configs)
			}
			for _, a := range want {
				app, ok := apps[g.Name()][a.Name]
				id := g.Name() + ": " + a.Name
				if !ok {
					t.Errorf("%s: no application", id)
					continue
				}
				total++
				src := get(app, "spec", "source")
				if got, want := str(src, "targetRevision"), p.ChartVersion(g, a); got != want || want == "" {
					t.Errorf("%s: chart version %q, want %q (Kubernetes %s)", id, got, want, g.Version)
				}
				if str(src, "chart") != a.Chart.Name || str(src, "repoURL") != strings.TrimPrefix(a.Chart.Repo, "oci://") {
					t.Errorf("%s: source %v", id, src)
				}
				if str(app, "spec", "project") != argocd.AddonsProject {
					t.Errorf("%s: project %q", id, str(app, "spec", "project"))
				}
				if d := get(app, "spec", "destination"); str(d, "name") != g.Name() || str(d, "namespace") != a.Namespace {
					t.Errorf("%s: destination %v", id, d)
				}
				values := get(src, "helm", "valuesObject")
				if s := fmt.Sprint(values); strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
					t.Errorf("%s: values not rendered: %s", id, s)
				}
				if a.AWS != "" {
					if got := str(values, "serviceAccount", "annotations", naming.RoleAnnotation); got != naming.AddonRoleARN(p, g, a) {
						t.Errorf("%s: role %q, want %q", id, got, naming.AddonRoleARN(p, g, a))
					}
					if got := str(values, "serviceAccount", "name"); got != a.ServiceAccount {
						t.Errorf("%s: service account %q, want %q (the role trusts it)", id, got, a.ServiceAccount)
					}
				}
				facts := naming.AddonFacts{Generation: g.Name(), Cluster: c.Name, Region: c.Region, Zone: c.DNSZone, Role: naming.AddonRoleARN(p, g, a)}
				if got, want := fmt.Sprint(values), fmt.Sprint(jsonTree(naming.AddonValues(a, facts))); got != want && a.AWS != "" {
					t.Errorf("%s: values\n got %s\nwant %s", id, got, want)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no add-on application expanded")
	}
}

// jsonTree turns the model's values into what YAML decoding gives.
func jsonTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := obj{}
		for k, x := range v {
			out[k] = jsonTree(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonTree(x)
		}
		return out
	}
	return v
}

// TestAddonsProject checks that the add-ons' project reaches only the
// add-ons' namespaces on generations that install them and their chart
// repositories, and that no tenant can use it.
func TestAddonsProject(t *testing.T) {
	p, _, byKind := sample(t)
	var project obj
	for _, ap := range byKind["AppProject"] {
		if str(ap, "metadata", "name") == argocd.AddonsProject {
			project = ap
		}
	}
	if project == nil {
		t.Fatal("no add-ons project")
	}
	if roles := get(project, "spec", "roles"); roles != nil {
		t.Errorf("the add-ons project has roles %v", roles)
	}
	tenants := map[string]bool{}
	for _, tn := range p.Tenants {
		tenants[tn.Namespace()] = true
	}
	for _, d := range get(project, "spec", "destinations").([]any) {
		if tenants[str(d, "namespace")] || strings.ContainsAny(str(d, "name")+str(d, "namespace"), "*?[") {
			t.Errorf("add-ons project destination %v", d)
		}
	}
	for _, as := range byKind["ApplicationSet"] {
		if str(as, "metadata", "labels", argocd.LabelAddon) == "" && str(as, "spec", "template", "spec", "project") == argocd.AddonsProject {
			t.Errorf("%s: not an add-on, in the add-ons project", as["__file"])
		}
	}
}

// TestAddonsBlueGreen bumps prod-shared's Kubernetes version in a copy of
// the sample: the green generation gets the add-on chart versions of its
// new version, blue keeps its own, both expand, and their versions
// differ where the versions table's rows do.
func TestAddonsBlueGreen(t *testing.T) {
	dir := copySample(t)
	src, err := os.ReadFile(dir + "/clusters/prod-shared.cue")
	if err != nil {
		t.Fatal(err)
	}
	bumped := strings.Replace(string(src), `version: "1.35"`, `version: "1.36"`, 1)
	if bumped == string(src) {
		t.Fatal("prod-shared is not at 1.35 in the sample")
	}
	if err := os.WriteFile(dir+"/clusters/prod-shared.cue", []byte(bumped), 0o644); err != nil {
		t.Fatal(err)
	}
	p, tree, byKind := compileDir(t, dir)
	c := p.Cluster("prod-shared")
	gens := c.Generations()
	if len(gens) != 2 || gens[0].Version != "1.35" || gens[1].Version != "1.36" {
		t.Fatalf("generations %v, want blue 1.35 and green 1.36", gens)
	}
	checkAddonApplications(t, p, tree, byKind)
	apps := expandAddons(t, byKind)
	differ := 0
	for _, a := range p.AddonsOf(c) {
		blue := str(apps[gens[0].Name()][a.Name], "spec", "source", "targetRevision")
		green := str(apps[gens[1].Name()][a.Name], "spec", "source", "targetRevision")
		if blue != p.Versions["1.35"].Charts[a.Name] || green != p.Versions["1.36"].Charts[a.Name] {
			t.Errorf("%s: blue %s, green %s", a.Name, blue, green)
		}
		if blue != green {
			differ++
		}
	}
	if differ == 0 {
		t.Error("no add-on version differs between blue and green: the scenario proves nothing")
	}
}

// TestTenantsNeedDeclaredAddons checks that the tenants' and namespaces'
// ApplicationSets select no cluster Secret without platformc's add-ons
// label (a cluster registered by other means), and every one with it.
func TestTenantsNeedDeclaredAddons(t *testing.T) {
	_, _, byKind := sample(t)
	clusters := clusterSecrets(t, byKind)
	for _, as := range byKind["ApplicationSet"] {
		if str(as, "metadata", "labels", argocd.LabelAddon) != "" {
			continue
		}
		for _, c := range clusters {
			labels := obj{}
			for k, v := range get(c, "metadata", "labels").(obj) {
				labels[k] = v
			}
			if labels[argocd.AddonsLabel] != "declared" {
				t.Fatalf("registration %s has no %s label", c["name"], argocd.AddonsLabel)
			}
			delete(labels, argocd.AddonsLabel)
			stripped := obj{"name": c["name"], "metadata": obj{"labels": labels, "annotations": obj{}}}
			if apps, _, _ := appset.Expand(as, []obj{stripped}); len(apps) > 0 {
				t.Errorf("%s selects %s without its add-ons", as["__file"], c["name"])
			}
		}
	}
}

// TestRetiringGeneration retires blue on the sample's Karpenter cluster:
// its registration stays, labelled retiring; no tenant's, namespaces' or
// Karpenter configuration's ApplicationSet selects it any more (so Argo
// CD deletes those Applications there, and, through their finalizer,
// what they applied), while every add-on chart's still does (its
// controllers release what the deleted objects held). Green keeps
// everything, and the projects still permit blue until it is gone (Argo
// CD deletes only what a project permits).
func TestRetiringGeneration(t *testing.T) {
	dir := copySample(t)
	file := dir + "/clusters/prod-shared.cue"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	retire := strings.Replace(string(src), `version: "1.35"`, `version: "1.36"`, 1)
	retire = strings.Replace(retire, "\tcapacity:", "\tupgrade: {traffic: 100, retire: true}\n\tcapacity:", 1)
	if err := os.WriteFile(file, []byte(retire), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/clusters/prod-shared.lock.json", []byte(`{"generations": ["1.35", "1.36"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p, tree, byKind := compileDir(t, dir)
	gens := p.Cluster("prod-shared").Generations()
	if len(gens) != 2 || gens[0].Role != model.Retiring {
		t.Fatalf("generations %v, want 1.35 retiring and 1.36", gens)
	}
	blue, green := gens[0].Name(), gens[1].Name()
	clusters := clusterSecrets(t, byKind)
	var registered bool
	for _, c := range clusters {
		if c["name"] == blue {
			registered = str(c, "metadata", "labels", argocd.RetiringLabel) == "true"
		} else if str(c, "metadata", "labels", argocd.RetiringLabel) != "" {
			t.Errorf("%s is labelled retiring", c["name"])
		}
	}
	if !registered {
		t.Fatalf("%s is not registered with the retiring label", blue)
	}
	kept, charts := map[string]bool{}, 0
	for _, as := range byKind["ApplicationSet"] {
		apps, params, err := appset.Expand(as, clusters)
		if err != nil {
			t.Fatal(err)
		}
		chart := str(get(as, "spec", "template"), "spec", "source", "chart") != ""
		preserve := get(as, "spec", "syncPolicy", "preserveResourcesOnDeletion") == true
		finalizers := fmt.Sprint(get(as, "spec", "template", "metadata", "finalizers"))
		if chart != preserve || (finalizers == "["+argocd.ResourcesFinalizer+"]") == chart {
			t.Errorf("%s: chart %t, preserveResourcesOnDeletion %t, finalizers %s: only charts are preserved, everything else is deleted first", as["__file"], chart, preserve, finalizers)
		}
		for i := range apps {
			if params[i]["name"] == blue {
				if !chart {
					t.Errorf("%s still selects retiring %s", as["__file"], blue)
				}
				charts++
			}
			kept[params[i]["name"].(string)] = true
		}
	}
	if charts != len(p.AddonsOf(gens[0].Cluster)) || !kept[green] {
		t.Errorf("on %s: %d add-on charts, want %d; green selected: %t", blue, charts, len(p.AddonsOf(gens[0].Cluster)), kept[green])
	}
	for _, name := range tree.Paths() {
		if strings.Contains(name, "/"+blue+"/") || strings.HasPrefix(name, "clusters/"+blue+"/") {
			t.Errorf("%s: a retiring generation has no overlay", name)
		}
	}
	for _, proj := range byKind["AppProject"] {
		name := str(proj, "metadata", "name")
		if name == argocd.BootstrapProject || slices.ContainsFunc(p.Tenants, func(t *model.Tenant) bool { return t.Name == name && !t.PlacedOn("prod-shared") }) {
			continue
		}
		if !strings.Contains(fmt.Sprint(get(proj, "spec", "destinations")), "name:"+blue) {
			t.Errorf("project %s no longer permits %s: Argo CD would delete nothing there", name, blue)
		}
		if tenant := str(proj, "metadata", "labels", "platformc.io/tenant"); tenant != "" && fmt.Sprint(get(proj, "metadata", "finalizers")) != "["+argocd.ResourcesFinalizer+"]" {
			t.Errorf("project %s goes before its Applications", tenant)
		}
	}
}
