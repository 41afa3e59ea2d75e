package compiler_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/kustomize"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/kbuild"
	"github.com/platformc/platformc/compiler/model"
)

// TestKustomizeBuilds builds every folder of the sample's output that holds
// a kustomization.yaml with kustomize, and checks what the overlays
// produce against the model: every object in the tenant's namespace and
// labelled with its tenant and cluster, and the per-cluster overrides
// applied.
func TestKustomizeBuilds(t *testing.T) {
	tree, p, fs := sampleForKustomize(t)
	mounted := 0   // files, over every overlay
	manifests := 0 // tenants' own objects, over every overlay
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
				app := built[layout.AppOverlay(tn.Name, g.Name())]
				checkOverlay(t, app, tn, g)
				checkServices(t, app, tn, g)
				mounted += checkFiles(t, app, tn)
				checkRoles(t, p, app, tn, g)
				for _, m := range tn.Manifests {
					o := find(app, m.Kind, m.Name)
					if o == nil || get(o, "metadata", "namespace") != tn.Namespace() || get(o, "metadata", "labels", k8s.LabelTenant) != tn.Name {
						t.Errorf("%s on %s: manifest %s/%s built as %v", tn.Name, g.Name(), m.Kind, m.Name, o)
					}
					manifests++
				}
				ns := built[layout.NamespaceOverlay(tn.Name, g.Name())]
				checkOverlay(t, ns, tn, g)
				if find(ns, "Namespace", tn.Name) == nil || find(ns, "NetworkPolicy", "default-deny") == nil {
					t.Errorf("%s on %s: no Namespace or default-deny NetworkPolicy", tn.Name, g.Name())
				}
			}
		}
	}
	if mounted == 0 || manifests == 0 {
		t.Errorf("the sample mounts %d files and has %d manifests: what is not there is not checked", mounted, manifests)
	}
	for _, c := range p.Clusters {
		var want int
		for _, tn := range p.Tenants {
			if tn.PlacedOn(c.Name) {
				want++
			}
		}
		for _, g := range c.Generations() {
			objs := built[layout.Cluster(g.Name())]
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
	cm := find(objs, "ConfigMap", naming.NetworkPolicyConfigMap)
	auto := g.Cluster.Capacity.Mode == model.AutoMode
	switch {
	case auto && (cm == nil || get(cm, "metadata", "namespace") != naming.NetworkPolicyNamespace || get(cm, "data", naming.NetworkPolicyKey) != "true"):
		t.Errorf("%s (Auto Mode): NetworkPolicies not enforced: ConfigMap %v", g.Name(), cm)
	case !auto && cm != nil:
		t.Errorf("%s (%s): a ConfigMap %s", g.Name(), g.Cluster.Capacity.Mode, naming.NetworkPolicyConfigMap)
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
		checkScale(t, objs, tn.Name+" on "+g.Name()+": "+s.Name, on, d)
		if s.Kind == model.Worker {
			checkWorker(t, objs, tn, s, d)
			continue
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
		if got := get(in, "metadata", "annotations", naming.ExternalDNSHostname); got != naming.LoadBalancerName(g, tn) || !strings.HasSuffix(naming.LoadBalancerName(g, tn), "."+g.Domain()) {
			t.Errorf("%s on %s: ingress %s is published as %v, want %s, under %s", tn.Name, g.Name(), s.Name, got, naming.LoadBalancerName(g, tn), g.Domain())
		}
		if got := get(in, "metadata", "annotations", naming.ExternalDNSSource); got != "annotation-only" {
			t.Errorf("%s on %s: ingress %s: %s is %v: external-dns would also publish the host %s, which the DNS stack owns", tn.Name, g.Name(), s.Name, naming.ExternalDNSSource, got, on.Ingress.Host)
		}
		for _, other := range c.Generations() {
			if strings.HasSuffix(on.Ingress.Host, "."+other.Domain()) {
				t.Errorf("%s: host %s is under generation %s's domain, which external-dns owns", tn.Name, on.Ingress.Host, other.Name())
			}
		}
	}
}

// checkScale: a service runs its replicas, or an autoscaler scales its
// Deployment, which then sets no replicas (Argo CD would undo the
// autoscaler's), between the bounds of the cluster, on CPU use relative to
// requests that every container sets.
func checkScale(t *testing.T, objs []kbuild.Object, id string, on model.Service, d kbuild.Object) {
	t.Helper()
	hpa := find(objs, "HorizontalPodAutoscaler", on.Name)
	a := on.Autoscaling
	if a == nil {
		if got := get(d, "spec", "replicas"); fmt.Sprint(got) != fmt.Sprint(on.Replicas) || hpa != nil {
			t.Errorf("%s: %v replicas, autoscaler %v; want %d replicas and no autoscaler", id, got, hpa != nil, on.Replicas)
		}
		return
	}
	if got := get(d, "spec", "replicas"); got != nil || hpa == nil {
		t.Fatalf("%s: autoscaled, but the Deployment sets %v replicas, autoscaler %v", id, got, hpa)
	}
	want := fmt.Sprintf("apps/v1 Deployment %s %d %d cpu Utilization %d", on.Name, a.Min, a.Max, a.CPU)
	metrics, _ := get(hpa, "spec", "metrics").([]any)
	got := fmt.Sprint(get(hpa, "spec", "scaleTargetRef", "apiVersion"), " ", get(hpa, "spec", "scaleTargetRef", "kind"), " ", get(hpa, "spec", "scaleTargetRef", "name"), " ",
		get(hpa, "spec", "minReplicas"), " ", get(hpa, "spec", "maxReplicas"))
	if len(metrics) == 1 {
		m := metrics[0]
		got += fmt.Sprint(" ", get(m, "resource", "name"), " ", get(m, "resource", "target", "type"), " ", get(m, "resource", "target", "averageUtilization"))
	}
	if got != want {
		t.Errorf("%s: autoscaler %s, want %s", id, got, want)
	}
	containers, _ := get(d, "spec", "template", "spec", "containers").([]any)
	for _, c := range containers {
		if get(c, "resources", "requests", "cpu") == nil {
			t.Errorf("%s: a container requests no CPU: the autoscaler has no utilisation to compute", id)
		}
	}
}

// checkFiles: each file of each workload is mounted read-only at its path,
// and only there, from the ConfigMap the pod template names, which holds
// its content and cannot change (its name changes with its content, so
// that the pods roll). It returns how many files it checked.
func checkFiles(t *testing.T, objs []kbuild.Object, tn *model.Tenant) int {
	t.Helper()
	n := 0
	check := func(w *model.Workload, pod any) {
		id := tn.Name + "/" + w.Name
		cm := find(objs, "ConfigMap", naming.FilesConfigMap(w))
		var volume any
		volumes, _ := get(pod, "spec", "volumes").([]any)
		for _, v := range volumes {
			if get(v, "configMap") != nil {
				volume = v
			}
		}
		if len(w.Files) == 0 {
			if cm != nil || volume != nil {
				t.Errorf("%s has no files, but a ConfigMap %v or volume %v", id, cm != nil, volume)
			}
			return
		}
		if cm == nil || get(cm, "immutable") != true || get(volume, "configMap", "name") != naming.FilesConfigMap(w) {
			t.Fatalf("%s: ConfigMap %s: %v, immutable %v; the pods' volume %v", id, naming.FilesConfigMap(w), cm != nil, get(cm, "immutable"), volume)
		}
		mounts := map[string]any{}
		containers, _ := get(pod, "spec", "containers").([]any)
		for _, m := range get(containers[0], "volumeMounts").([]any) {
			if get(m, "name") == get(volume, "name") {
				mounts[get(m, "mountPath").(string)] = m
			}
		}
		if len(mounts) != len(w.Files) {
			t.Errorf("%s: %d files mounted, want %d", id, len(mounts), len(w.Files))
		}
		for _, f := range w.Files {
			m := mounts[f.Path]
			key, _ := get(m, "subPath").(string)
			if get(m, "readOnly") != true || key == "" || get(cm, "data", key) != f.Content || strings.HasPrefix(f.Path, "/tmp/") {
				t.Errorf("%s: file %s mounted as %v, content %q", id, f.Path, m, get(cm, "data", key))
			}
			n++
		}
	}
	for _, s := range tn.Services {
		check(&s.Workload, get(find(objs, "Deployment", s.Name), "spec", "template"))
	}
	for _, j := range tn.Jobs {
		check(&j.Workload, get(find(objs, "CronJob", j.Name), "spec", "jobTemplate", "spec", "template"))
	}
	return n
}

// checkRoles: the ServiceAccount of a workload with AWS access carries the
// role of its environment on the generation; no other carries a role.
func checkRoles(t *testing.T, p *model.Platform, objs []kbuild.Object, tn *model.Tenant, g model.Generation) {
	t.Helper()
	for _, w := range tn.Workloads() {
		want := ""
		if len(w.AWS) > 0 {
			_, want = naming.WorkloadRole(p, tn, w, g.Cluster.Environment)
		}
		if got, _ := get(find(objs, "ServiceAccount", w.ServiceAccount()), "metadata", "annotations", naming.RoleAnnotation).(string); got != want {
			t.Errorf("%s/%s on %s: ServiceAccount role %q, want %q", tn.Name, w.Name, g.Name(), got, want)
		}
	}
}

// checkWorker: a worker is a Deployment with no Service, no Ingress, no
// port and no HTTP probe, its liveness its probe command if it has one.
func checkWorker(t *testing.T, objs []kbuild.Object, tn *model.Tenant, s *model.Service, d kbuild.Object) {
	t.Helper()
	id := tn.Name + "/" + s.Name
	if find(objs, "Service", s.Name) != nil || find(objs, "Ingress", s.Name) != nil {
		t.Errorf("worker %s has a Service or an Ingress", id)
	}
	containers, _ := get(d, "spec", "template", "spec", "containers").([]any)
	if len(containers) != 1 {
		t.Fatalf("worker %s: %d containers", id, len(containers))
	}
	c := containers[0]
	if get(c, "ports") != nil || get(c, "readinessProbe") != nil || get(c, "livenessProbe", "httpGet") != nil {
		t.Errorf("worker %s serves: ports %v, readiness %v, liveness %v", id, get(c, "ports"), get(c, "readinessProbe"), get(c, "livenessProbe"))
	}
	if got := fmt.Sprint(get(c, "livenessProbe", "exec", "command")); len(s.Probe) > 0 && got != fmt.Sprint(s.Probe) {
		t.Errorf("worker %s: liveness %s, want %v", id, got, s.Probe)
	}
}

// TestWorkersAdmitNoTraffic evaluates the NetworkPolicies of every tenant
// namespace of the sample, as the network policy agent selects pods: no
// policy admits ingress to a worker's pods, and every pod, a worker's
// too, may reach the pods of its namespace.
func TestWorkersAdmitNoTraffic(t *testing.T) {
	_, p, fs := sampleForKustomize(t)
	workers := 0
	for _, tn := range p.Tenants {
		for _, c := range p.Placements(tn) {
			for _, g := range c.Generations() {
				ns, err := kbuild.Build(fs, layout.NamespaceOverlay(tn.Name, g.Name()))
				if err != nil {
					t.Fatal(err)
				}
				app, err := kbuild.Build(fs, layout.AppOverlay(tn.Name, g.Name()))
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range filter(app, "Deployment") {
					labels, _ := get(d, "spec", "template", "metadata", "labels").(map[string]any)
					worker := labels[k8s.LabelComponent] == kustomize.WorkerComponent
					if worker {
						workers++
					}
					var admits, reaches []string
					for _, np := range filter(ns, "NetworkPolicy") {
						if !selects(get(np, "spec", "podSelector"), labels) {
							continue
						}
						types := fmt.Sprint(get(np, "spec", "policyTypes"))
						if rules, _ := get(np, "spec", "ingress").([]any); strings.Contains(types, "Ingress") && len(rules) > 0 {
							admits = append(admits, fmt.Sprint(get(np, "metadata", "name")))
						}
						if rules, _ := get(np, "spec", "egress").([]any); strings.Contains(types, "Egress") && strings.Contains(fmt.Sprint(rules), "map[podSelector:map[]]") {
							reaches = append(reaches, fmt.Sprint(get(np, "metadata", "name")))
						}
					}
					id := fmt.Sprintf("%s on %s: %s", tn.Name, g.Name(), get(d, "metadata", "name"))
					if worker && len(admits) > 0 {
						t.Errorf("%s is a worker, but %v admit traffic to it", id, admits)
					}
					if len(reaches) == 0 {
						t.Errorf("%s may not reach its namespace's pods", id)
					}
				}
			}
		}
	}
	if workers == 0 {
		t.Fatal("no worker in the sample")
	}
}

// selects reports whether a label selector (matchLabels, matchExpressions
// with In, NotIn, Exists, DoesNotExist) selects a pod with labels.
func selects(selector any, labels map[string]any) bool {
	matchLabels, _ := get(selector, "matchLabels").(map[string]any)
	for k, v := range matchLabels {
		if labels[k] != v {
			return false
		}
	}
	exprs, _ := get(selector, "matchExpressions").([]any)
	for _, e := range exprs {
		v, has := labels[fmt.Sprint(get(e, "key"))]
		values, _ := get(e, "values").([]any)
		in := has && slices.ContainsFunc(values, func(x any) bool { return x == v })
		switch get(e, "operator") {
		case "In":
			if !in {
				return false
			}
		case "NotIn":
			if in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
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
