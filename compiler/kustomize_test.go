package compiler_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/kustomize"
	"github.com/platformc/platformc/compiler/kbuild"
	"github.com/platformc/platformc/compiler/model"
)

// TestKustomizeBuilds builds every folder of the sample's output that holds
// a kustomization.yaml with kustomize, and checks what the overlays
// produce against the model: every object in the tenant's namespace and
// labelled with its tenant and cluster, and the per-cluster overrides
// applied.
func TestKustomizeBuilds(t *testing.T) {
	tree, p, err := compiler.Compile(os.DirFS(sampleRoot))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := kbuild.Memory(tree)
	if err != nil {
		t.Fatal(err)
	}
	built := map[string][]kbuild.Object{}
	for _, dir := range kbuild.Dirs(tree) {
		objs, err := kbuild.Build(fs, dir)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(objs) == 0 {
			t.Errorf("%s builds to nothing", dir)
		}
		built[dir] = objs
	}
	if len(built) == 0 {
		t.Fatal("no kustomization found")
	}
	for _, tn := range p.Tenants {
		for _, c := range p.Placements(tn) {
			for _, g := range c.Generations() {
				app := built[kustomize.AppOverlay(tn.Name, g.Name())]
				checkOverlay(t, app, tn, g)
				checkServices(t, app, tn, g)
				ns := built[kustomize.NamespaceOverlay(tn.Name, g.Name())]
				checkOverlay(t, ns, tn, g)
				if find(ns, "Namespace", tn.Name) == nil || find(ns, "NetworkPolicy", "default-deny") == nil {
					t.Errorf("%s on %s: no Namespace or default-deny NetworkPolicy", tn.Name, g.Name())
				}
			}
		}
	}
	for _, c := range p.Clusters {
		var want int
		for _, tn := range p.Tenants {
			if tn.PlacedOn(c.Name) {
				want++
			}
		}
		for _, g := range c.Generations() {
			objs := built[kustomize.ClusterDir(g.Name())]
			if got := len(filter(objs, "Namespace")); got != want {
				t.Errorf("cluster %s: %d namespaces, want %d", g.Name(), got, want)
			}
			checkNetworkPolicyController(t, objs, g)
		}
	}
}

// checkNetworkPolicyController: on EKS Auto Mode, the namespaces
// Application turns the network policy controller on, or the tenants'
// NetworkPolicies are accepted and not enforced; elsewhere it leaves
// kube-system alone (the vpc-cni add-on is configured instead).
func checkNetworkPolicyController(t *testing.T, objs []kbuild.Object, g model.Generation) {
	t.Helper()
	cm := find(objs, "ConfigMap", model.NetworkPolicyConfigMap)
	auto := g.Cluster.Capacity.Mode == model.AutoMode
	switch {
	case auto && (cm == nil || get(cm, "metadata", "namespace") != model.NetworkPolicyNamespace || get(cm, "data", model.NetworkPolicyKey) != "true"):
		t.Errorf("%s (Auto Mode): NetworkPolicies not enforced: ConfigMap %v", g.Name(), cm)
	case !auto && cm != nil:
		t.Errorf("%s (%s): a ConfigMap %s", g.Name(), g.Cluster.Capacity.Mode, model.NetworkPolicyConfigMap)
	}
}

func checkOverlay(t *testing.T, objs []kbuild.Object, tn *model.Tenant, g model.Generation) {
	t.Helper()
	if len(objs) == 0 {
		t.Errorf("%s on %s: nothing built", tn.Name, g.Name())
	}
	for _, o := range objs {
		id := fmt.Sprintf("%s on %s: %s/%s", tn.Name, g.Name(), o["kind"], get(o, "metadata", "name"))
		if o["kind"] != "Namespace" && get(o, "metadata", "namespace") != tn.Name {
			t.Errorf("%s: namespace %v, want %s", id, get(o, "metadata", "namespace"), tn.Name)
		}
		for k, v := range map[string]string{k8s.LabelTenant: tn.Name, k8s.LabelCluster: g.Cluster.Name, k8s.LabelEnvironment: g.Cluster.Environment, k8s.LabelGeneration: g.Name()} {
			if got := get(o, "metadata", "labels", k); got != v {
				t.Errorf("%s: label %s=%v, want %s", id, k, got, v)
			}
		}
		// Fargate's "tenants" profile selects the tenants' pods by it.
		pod := get(o, "spec", "template", "metadata")
		if o["kind"] == "CronJob" {
			pod = get(o, "spec", "jobTemplate", "spec", "template", "metadata")
		}
		if pod != nil && get(pod, "labels", model.TenantPodLabel) != model.TenantPodValue {
			t.Errorf("%s: pods without the label %s=%s", id, model.TenantPodLabel, model.TenantPodValue)
		}
	}
}

// checkServices compares the built Deployments and Ingresses with the
// services as they run on the generation's cluster.
func checkServices(t *testing.T, objs []kbuild.Object, tn *model.Tenant, g model.Generation) {
	t.Helper()
	c := g.Cluster
	for _, s := range tn.Services {
		on := s.On(c.Name)
		d := find(objs, "Deployment", s.Name)
		if d == nil {
			t.Errorf("%s on %s: no Deployment %s", tn.Name, c.Name, s.Name)
			continue
		}
		if got := get(d, "spec", "replicas"); fmt.Sprint(got) != fmt.Sprint(on.Replicas) {
			t.Errorf("%s on %s: %s has %v replicas, want %d", tn.Name, c.Name, s.Name, got, on.Replicas)
		}
		if on.Ingress == nil {
			continue
		}
		in := find(objs, "Ingress", s.Name)
		rules, _ := get(in, "spec", "rules").([]any)
		if len(rules) != 1 || get(rules[0].(map[string]any), "host") != on.Ingress.Host {
			t.Errorf("%s on %s: ingress %s rules %v, want host %s", tn.Name, c.Name, s.Name, rules, on.Ingress.Host)
		}
		// One writer per DNS name: external-dns publishes the
		// generation's own name only; the host is the DNS stack's.
		if got := get(in, "metadata", "annotations", model.ExternalDNSHostname); got != g.LoadBalancerName(tn) || !strings.HasSuffix(g.LoadBalancerName(tn), "."+g.Domain()) {
			t.Errorf("%s on %s: ingress %s is published as %v, want %s, under %s", tn.Name, g.Name(), s.Name, got, g.LoadBalancerName(tn), g.Domain())
		}
		if got := get(in, "metadata", "annotations", model.ExternalDNSSource); got != "annotation-only" {
			t.Errorf("%s on %s: ingress %s: %s is %v: external-dns would also publish the host %s, which the DNS stack owns", tn.Name, g.Name(), s.Name, model.ExternalDNSSource, got, on.Ingress.Host)
		}
		for _, other := range c.Generations() {
			if strings.HasSuffix(on.Ingress.Host, "."+other.Domain()) {
				t.Errorf("%s: host %s is under generation %s's domain, which external-dns owns", tn.Name, on.Ingress.Host, other.Name())
			}
		}
	}
}

func find(objs []kbuild.Object, kind, name string) kbuild.Object {
	for _, o := range objs {
		if o["kind"] == kind && get(o, "metadata", "name") == name {
			return o
		}
	}
	return nil
}

func filter(objs []kbuild.Object, kind string) []kbuild.Object {
	var out []kbuild.Object
	for _, o := range objs {
		if o["kind"] == kind {
			out = append(out, o)
		}
	}
	return out
}

// get follows keys through nested maps.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
