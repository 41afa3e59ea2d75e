package argocd_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/naming"

	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/appset"
)

type obj = map[string]any

// sample compiles the repository's sample platform and returns every
// object of its output, by kind.
func sample(t *testing.T) (*model.Platform, *fstree.Tree, map[string][]obj) {
	t.Helper()
	return compileDir(t, "../../..")
}

// copySample copies the sources of the sample platform to a new folder.
func copySample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, pattern := range []string{"platform.cue", "clusters/*", "tenants/*"} {
		names, _ := filepath.Glob(filepath.Join("../../..", pattern))
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			to := filepath.Join(dir, strings.TrimPrefix(filepath.ToSlash(name), "../../../"))
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(to, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// compileDir compiles the platform in dir and returns every object of
// its output, by kind.
func compileDir(t *testing.T, dir string) (*model.Platform, *fstree.Tree, map[string][]obj) {
	t.Helper()
	tree, p, err := compiler.Compile(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]obj{}
	for _, name := range tree.Paths() {
		if path.Ext(name) != ".yaml" || path.Base(name) == "kustomization.yaml" {
			continue
		}
		f, _ := tree.Get(name)
		var o obj
		if err := yaml.Unmarshal(f.Data, &o); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o["__file"] = name
		byKind[o["kind"].(string)] = append(byKind[o["kind"].(string)], o)
	}
	return p, tree, byKind
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(obj)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, keys ...string) string { s, _ := get(v, keys...).(string); return s }

// clusterSecrets returns the cluster generator's parameters for every
// cluster Secret the registrations produce: what Argo CD passes to
// ApplicationSet templates.
func clusterSecrets(t *testing.T, byKind map[string][]obj) []obj {
	t.Helper()
	out := appset.Clusters(byKind["ExternalSecret"])
	if len(out) == 0 {
		t.Fatal("no cluster registration found")
	}
	return out
}

// TestApplicationSetsRender renders every ApplicationSet's template for
// every cluster Secret it selects, with missingkey=error, and checks the
// Application: a name, the fixed project, a destination that is that
// generation, and a source path that is a folder of the output holding a
// kustomization.
func TestApplicationSetsRender(t *testing.T) {
	p, tree, byKind := sample(t)
	clusters := clusterSecrets(t, byKind)
	var rendered int
	for _, as := range byKind["ApplicationSet"] {
		if get(as, "spec", "goTemplate") != true || fmt.Sprint(get(as, "spec", "goTemplateOptions")) != "[missingkey=error]" {
			t.Errorf("%s: goTemplate with missingkey=error is not set", as["__file"])
		}
		apps, params, err := appset.Expand(as, clusters)
		if err != nil {
			t.Errorf("%s: %v", as["__file"], err)
		}
		for i, app := range apps {
			rendered++
			id := fmt.Sprintf("%s for %s", as["__file"], params[i]["name"])
			if name := str(app, "metadata", "name"); name == "" || strings.Contains(name, "{{") {
				t.Errorf("%s: application name %q", id, name)
			}
			if str(app, "spec", "project") != str(get(as, "spec", "template"), "spec", "project") {
				t.Errorf("%s: the project is templated", id)
			}
			if got := str(app, "spec", "destination", "name"); got != params[i]["name"] {
				t.Errorf("%s: destination %q, want %q", id, got, params[i]["name"])
			}
			if str(app, "spec", "source", "chart") != "" {
				continue // an add-on's chart: TestAddonApplications
			}
			src := str(app, "spec", "source", "path")
			if _, ok := tree.Get(path.Join(strings.TrimPrefix(src, p.Config.Repo.Path), "kustomization.yaml")); !ok {
				t.Errorf("%s: source path %q holds no kustomization", id, src)
			}
		}
	}
	// Every tenant on every cluster generation, plus the platform's
	// namespaces and add-ons on every generation.
	want := len(clusters)
	for _, tn := range p.Tenants {
		for _, c := range p.Placements(tn) {
			want += len(c.Generations())
		}
	}
	for _, c := range p.Clusters {
		for _, a := range p.AddonsOf(c) {
			want += len(c.Generations())
			if a.AWS == model.KarpenterAddon {
				want += len(c.Generations()) // its NodePool and EC2NodeClass
			}
		}
	}
	if rendered != want {
		t.Errorf("rendered %d applications, want %d", rendered, want)
	}
}

// TestTenantIsolation checks, for every tenant of the sample, that its
// Argo CD project and applications reach only its own namespace, and that
// its ExternalSecrets read only its own secret through its own store.
func TestTenantIsolation(t *testing.T) {
	p, _, byKind := sample(t)
	if n := len(byKind["ClusterSecretStore"]); n > 0 {
		t.Errorf("%d ClusterSecretStores generated; stores must be per namespace", n)
	}
	tenants := map[string]*model.Tenant{}
	for _, tn := range p.Tenants {
		tenants[tn.Name] = tn
	}
	projects := map[string]bool{}
	for _, ap := range byKind["AppProject"] {
		name := str(ap, "metadata", "name")
		projects[name] = true
		tn, ok := tenants[name]
		if !ok {
			continue
		}
		dests := get(ap, "spec", "destinations").([]any)
		if len(dests) == 0 {
			t.Errorf("project %s has no destination", name)
		}
		for _, d := range dests {
			if str(d, "namespace") != tn.Namespace() || str(d, "server") != "" || strings.ContainsAny(str(d, "name"), "*?[") {
				t.Errorf("project %s: destination %v outside the tenant's namespace", name, d)
			}
		}
		if w := get(ap, "spec", "clusterResourceWhitelist").([]any); len(w) != 0 {
			t.Errorf("project %s allows cluster-scoped kinds %v", name, w)
		}
		if repos := get(ap, "spec", "sourceRepos").([]any); len(repos) != 1 || repos[0] != p.Config.Repo.URL {
			t.Errorf("project %s: sourceRepos %v", name, repos)
		}
	}
	for _, tn := range p.Tenants {
		if !projects[tn.Name] {
			t.Errorf("tenant %s has no AppProject", tn.Name)
		}
	}
	for _, as := range byKind["ApplicationSet"] {
		spec := get(as, "spec", "template", "spec")
		project := str(spec, "project")
		if strings.Contains(project, "{{") {
			t.Errorf("%s: project %q is templated", as["__file"], project)
		}
		if tn, ok := tenants[project]; ok {
			if got := str(spec, "destination", "namespace"); got != tn.Namespace() {
				t.Errorf("%s: destination namespace %q, want %q", as["__file"], got, tn.Namespace())
			}
		}
	}
	for _, es := range byKind["ExternalSecret"] {
		ns := str(es, "metadata", "namespace")
		tn, ok := tenants[ns]
		if !ok {
			continue
		}
		if ref := get(es, "spec", "secretStoreRef"); str(ref, "kind") != "SecretStore" || str(ref, "name") != naming.SecretStoreName {
			t.Errorf("%s: store %v, want the namespace's SecretStore", es["__file"], ref)
		}
		if get(es, "spec", "dataFrom") != nil {
			t.Errorf("%s: dataFrom reads every key", es["__file"])
		}
		var own []string
		for _, c := range p.Placements(tn) {
			own = append(own, naming.Secret(p, tn, c.Environment).Name)
		}
		for _, d := range get(es, "spec", "data").([]any) {
			key := str(d, "remoteRef", "key")
			if !contains(own, key) {
				t.Errorf("%s: reads %q, not one of the tenant's own secrets %v", es["__file"], key, own)
			}
		}
	}
	for _, ss := range byKind["SecretStore"] {
		ns := str(ss, "metadata", "namespace")
		if _, ok := tenants[ns]; !ok {
			continue
		}
		if role := get(ss, "spec", "provider", "aws", "role"); role != nil {
			t.Errorf("%s: a tenant store must not assume another role (%v)", ss["__file"], role)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
