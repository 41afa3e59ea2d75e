package compiler_test

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/kbuild"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/appset"
)

// TestProjectsPermitTheirApplications checks every Application that the
// output makes Argo CD generate, and every object it deploys, as Argo CD
// checks them (controllers.md, Argo CD's util/argo ValidatePermissions and
// the sync's permission validator): the Application's destination must
// match a destination of its project, or Argo CD refuses it
// (InvalidSpecError); each object's group and kind must be allowed by the
// project's lists for its scope, and a namespaced object's namespace must
// match a destination too, or the sync fails. The end-to-end test (make
// e2e) runs the real Argo CD; this is the same rule, kept cheap.
//
// It caught the namespaces Applications, whose empty destination namespace
// no destination of the platform project matched: no tenant namespace
// would ever have been created. It also checks that automated syncs retry
// the newest commit (retry.refresh), which make e2e found missing.
func TestProjectsPermitTheirApplications(t *testing.T) {
	_, _, fs := sampleForKustomize(t)
	argo, err := kbuild.Build(fs, "/argocd")
	if err != nil {
		t.Fatal(err)
	}
	projects := map[string]kbuild.Object{}
	var apps []kbuild.Object
	for _, o := range argo {
		switch o["kind"] {
		case "AppProject":
			projects[str(o, "metadata", "name")] = o
		case "Application":
			apps = append(apps, o)
		case "ApplicationSet":
			gen, _, err := appset.Expand(o, appset.Clusters(argo))
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, gen...)
		}
	}
	checked := map[string]int{}
	for _, app := range apps {
		name, project := str(app, "metadata", "name"), str(app, "spec", "project")
		proj, ok := projects[project]
		if !ok {
			t.Errorf("application %s: no project %q", name, project)
			continue
		}
		cluster, ns := str(app, "spec", "destination", "name"), str(app, "spec", "destination", "namespace")
		if cluster == "" && str(app, "spec", "destination", "server") != "" {
			cluster = "in-cluster"
		}
		if !destinationPermitted(proj, cluster, ns) {
			t.Errorf("application %s: destination %s/%q matches no destination of project %s: Argo CD refuses it", name, cluster, ns, project)
			continue
		}
		if get(app, "spec", "syncPolicy", "retry") != nil && get(app, "spec", "syncPolicy", "retry", "refresh") != true {
			t.Errorf("application %s retries without retry.refresh: a failing sync would hold back the commit that fixes it", name)
		}
		src := str(app, "spec", "source", "path")
		if src == "" { // an add-on's Helm chart: not in the output
			continue
		}
		objs, err := kbuild.Build(fs, "/"+src)
		if err != nil {
			t.Errorf("application %s: %v", name, err)
			continue
		}
		for _, o := range objs {
			if why := objectRefused(proj, cluster, ns, o); why != "" {
				t.Errorf("application %s: %s %s/%s: %s", name, o["kind"], str(o, "metadata", "namespace"), str(o, "metadata", "name"), why)
			}
			checked[project]++
		}
	}
	for _, p := range []string{"platform-bootstrap", "platform", "platform-addons", "billing"} {
		if checked[p] == 0 {
			t.Errorf("no object of project %s checked", p)
		}
	}
	t.Logf("objects checked by project: %v", checked)
}

// TestProjectRuleRefuses checks the rule above on what it must refuse, so
// that the test cannot pass by permitting everything.
func TestProjectRuleRefuses(t *testing.T) {
	proj := kbuild.Object{"spec": map[string]any{
		"destinations":               []any{map[string]any{"name": "c1", "namespace": "billing"}},
		"clusterResourceWhitelist":   []any{},
		"namespaceResourceBlacklist": []any{map[string]any{"group": "", "kind": "ResourceQuota"}},
	}}
	obj := func(kind, ns string) kbuild.Object {
		return kbuild.Object{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": "x", "namespace": ns}}
	}
	if destinationPermitted(proj, "c1", "") || destinationPermitted(proj, "c2", "billing") {
		t.Error("a destination the project does not list was permitted")
	}
	for _, o := range []kbuild.Object{obj("ResourceQuota", "billing"), obj("ConfigMap", "payments"), obj("Namespace", "")} {
		if objectRefused(proj, "c1", "billing", o) == "" {
			t.Errorf("%s %s was permitted", o["kind"], str(o, "metadata", "namespace"))
		}
	}
	if why := objectRefused(proj, "c1", "billing", obj("ConfigMap", "")); why != "" {
		t.Errorf("a ConfigMap in the destination namespace was refused: %s", why)
	}
}

// destinationPermitted is AppProject.IsDestinationPermitted for the
// destinations platformc writes: by cluster name, with glob patterns.
func destinationPermitted(proj kbuild.Object, cluster, ns string) bool {
	dests, _ := get(proj, "spec", "destinations").([]any)
	for _, d := range dests {
		name, server, dns := str(d, "name"), str(d, "server"), str(d, "namespace")
		matchCluster := (name != "" && glob(name, cluster)) || (server != "" && cluster == "in-cluster" && server == "https://kubernetes.default.svc")
		if matchCluster && glob(dns, ns) {
			return true
		}
	}
	return false
}

// objectRefused says why Argo CD's sync refuses o in an Application of
// proj with the given destination, or "".
func objectRefused(proj kbuild.Object, cluster, destNS string, o kbuild.Object) string {
	apiVersion, _ := o["apiVersion"].(string)
	group := ""
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	kind, _ := o["kind"].(string)
	listed := func(list string) (bool, bool) {
		v, present := get(proj, "spec", list).([]any)
		for _, gk := range v {
			if glob(str(gk, "group"), group) && glob(str(gk, "kind"), kind) {
				return true, present
			}
		}
		return false, present
	}
	if slices.Contains(clusterScoped, kind) {
		if in, _ := listed("clusterResourceWhitelist"); !in {
			return "cluster-scoped kind not in the project's clusterResourceWhitelist"
		}
		if in, _ := listed("clusterResourceBlacklist"); in {
			return "cluster-scoped kind in the project's clusterResourceBlacklist"
		}
		return ""
	}
	if in, present := listed("namespaceResourceWhitelist"); present && !in {
		return "kind not in the project's namespaceResourceWhitelist"
	}
	if in, _ := listed("namespaceResourceBlacklist"); in {
		return "kind in the project's namespaceResourceBlacklist"
	}
	ns := str(o, "metadata", "namespace")
	if ns == "" {
		ns = destNS
	}
	if !destinationPermitted(proj, cluster, ns) {
		return fmt.Sprintf("namespace %q is not a destination of the project", ns)
	}
	return ""
}

// glob matches as Argo CD's glob.Match does for the patterns platformc
// writes ("*" or literal names; "" matches only "").
func glob(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

func str(v any, keys ...string) string { s, _ := get(v, keys...).(string); return s }

// TestRemovalsArePruned: platformc diff reports an object that leaves the
// output as deleted ("deletes namespace billing and everything in it"), so
// Argo CD must be allowed to prune every object it syncs. A Namespace kept
// with Prune=false left a removed tenant's workloads running without their
// guard rails, and the namespaces Application out of sync (make e2e).
func TestRemovalsArePruned(t *testing.T) {
	tree, _, fs := sampleForKustomize(t)
	n := 0
	for _, dir := range kbuild.Dirs(tree) {
		objs, err := kbuild.Build(fs, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			n++
			if opts := str(o, "metadata", "annotations", "argocd.argoproj.io/sync-options"); strings.Contains(opts, "Prune=false") {
				t.Errorf("%s: %s %s is never pruned, yet diff reports its removal as a deletion", dir, o["kind"], str(o, "metadata", "name"))
			}
		}
	}
	if n == 0 {
		t.Fatal("no object built")
	}
}

// sampleForKustomize compiles the sample and returns its output, also as
// a file system that kustomize builds from.
func sampleForKustomize(t *testing.T) (*fstree.Tree, *model.Platform, kbuild.FS) {
	t.Helper()
	tree, p, err := compiler.Compile(os.DirFS(sampleRoot))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := kbuild.Memory(tree)
	if err != nil {
		t.Fatal(err)
	}
	return tree, p, fs
}

// TestProjectsBeforeTheirApplicationSets: the bootstrap Application applies
// every project in an earlier sync wave than the ApplicationSets that name
// it. An ApplicationSet applied first finds no project, and the
// ApplicationSet controller retries only after its error requeue (about
// three minutes): make e2e saw a new tenant's Applications appear that
// late.
func TestProjectsBeforeTheirApplicationSets(t *testing.T) {
	_, _, fs := sampleForKustomize(t)
	argo, err := kbuild.Build(fs, "/argocd")
	if err != nil {
		t.Fatal(err)
	}
	wave := func(o kbuild.Object) int {
		w, _ := strconv.Atoi(str(o, "metadata", "annotations", "argocd.argoproj.io/sync-wave"))
		return w
	}
	projects := map[string]int{}
	for _, o := range argo {
		if o["kind"] == "AppProject" {
			projects[str(o, "metadata", "name")] = wave(o)
		}
	}
	checked := 0
	for _, o := range argo {
		if o["kind"] != "ApplicationSet" {
			continue
		}
		project := str(o, "spec", "template", "spec", "project")
		if w, ok := projects[project]; !ok || w >= wave(o) {
			t.Errorf("ApplicationSet %s (wave %d) names project %s (wave %d, present %t): the project must come first", str(o, "metadata", "name"), wave(o), project, w, ok)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no ApplicationSet checked")
	}
}
