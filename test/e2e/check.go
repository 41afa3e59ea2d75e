package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/platformc/platformc/internal/appset"
)

// expectedApp is an Application that out/argocd makes Argo CD generate for
// the registered generations.
type expectedApp struct {
	Name, Project       string
	Destination         string // the cluster's name; "" for the management cluster itself
	Namespace, Path     string
	Chart, ChartVersion string // for an add-on's Helm source
}

// expectedApps expands every ApplicationSet of out/argocd over the
// registrations of out/argocd, as the ApplicationSet controller does, with
// platformc's own model of it (internal/appset): the test checks that the
// real controller agrees.
func expectedApps(out string) (map[string]expectedApp, error) {
	objs, err := kustomizeBuild(filepath.Join(out, "argocd"))
	if err != nil {
		return nil, err
	}
	var plain []appset.Object
	for _, u := range objs {
		plain = append(plain, u.Object)
	}
	clusters := appset.Clusters(plain)
	apps := map[string]expectedApp{}
	for _, u := range objs {
		switch u.GetKind() {
		case "Application":
			apps[u.GetName()] = toExpected(u.Object)
		case "ApplicationSet":
			gen, _, err := appset.Expand(u.Object, clusters)
			if err != nil {
				return nil, fmt.Errorf("ApplicationSet %s: %w", u.GetName(), err)
			}
			for _, a := range gen {
				e := toExpected(a)
				apps[e.Name] = e
			}
		}
	}
	return apps, nil
}

func toExpected(a map[string]any) expectedApp {
	s := func(path ...string) string { v, _, _ := unstructured.NestedString(a, path...); return v }
	return expectedApp{
		Name: s("metadata", "name"), Project: s("spec", "project"),
		Destination: s("spec", "destination", "name"), Namespace: s("spec", "destination", "namespace"),
		Path: s("spec", "source", "path"), Chart: s("spec", "source", "chart"), ChartVersion: s("spec", "source", "targetRevision"),
	}
}

// appState is what the test reads of a live Application.
type appState struct {
	Name, Sync, Health, Phase, Message string
	Revision                           string
	Conditions                         []string // "Type: message"
	Resources                          []string // "Kind ns/name: status message" of resources not synced
}

func readApp(u *unstructured.Unstructured) appState {
	s := func(path ...string) string { v, _, _ := unstructured.NestedString(u.Object, path...); return v }
	st := appState{
		Name: u.GetName(), Sync: s("status", "sync", "status"), Health: s("status", "health", "status"),
		Phase: s("status", "operationState", "phase"), Message: s("status", "operationState", "message"),
		Revision: s("status", "sync", "revision"),
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		st.Conditions = append(st.Conditions, fmt.Sprintf("%v: %v", m["type"], m["message"]))
	}
	res, _, _ := unstructured.NestedSlice(u.Object, "status", "operationState", "syncResult", "resources")
	for _, r := range res {
		m, _ := r.(map[string]any)
		if m["status"] != "Synced" {
			st.Resources = append(st.Resources, fmt.Sprintf("%v %v/%v: %v %v", m["kind"], m["namespace"], m["name"], m["status"], m["message"]))
		}
	}
	return st
}

func (a appState) String() string {
	s := fmt.Sprintf("%s: sync=%s health=%s operation=%s", a.Name, a.Sync, a.Health, a.Phase)
	if a.Message != "" {
		s += " (" + a.Message + ")"
	}
	for _, c := range a.Conditions {
		s += "\n    condition " + c
	}
	for _, r := range a.Resources {
		s += "\n    resource " + r
	}
	return s
}

// apps returns the live Applications of the management cluster.
func (w *world) apps(ctx context.Context) (map[string]appState, error) {
	list, err := w.mgmt.Dynamic.Resource(applicationResource).Namespace(w.cfg.argo.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]appState{}
	for i := range list.Items {
		out[list.Items[i].GetName()] = readApp(&list.Items[i])
	}
	return out, nil
}

// isAddonChart reports whether an Application installs an add-on's chart:
// those cannot fetch their charts offline (see README.md).
func (e expectedApp) isAddonChart() bool { return e.Chart != "" }

// waitApps waits until Argo CD has made exactly the expected Applications,
// every one that deploys from git is Synced at revision with its last
// sync Succeeded, and every add-on chart Application has a comparison
// error (its chart repository cannot be reached offline). It prints
// progress as it goes.
func (w *world) waitApps(ctx context.Context, want map[string]expectedApp, revision string) error {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	last := time.Time{}
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		if err := w.argo.exited(); err != nil {
			return false, "", err
		}
		live, err := w.apps(ctx)
		if err != nil {
			return false, err.Error(), nil
		}
		var waiting []string
		synced := 0
		for name, e := range want {
			a, ok := live[name]
			switch {
			case !ok:
				waiting = append(waiting, name+": not generated yet")
			case e.isAddonChart():
				if !hasCondition(a, "ComparisonError") {
					waiting = append(waiting, a.String())
				} else {
					synced++
				}
			case a.Sync != "Synced" || a.Phase != "Succeeded" || (revision != "" && a.Revision != revision) || hasCondition(a, "Error"):
				waiting = append(waiting, a.String())
			default:
				synced++
			}
		}
		for name := range live {
			if _, ok := want[name]; !ok {
				waiting = append(waiting, name+": not expected, still there")
			}
		}
		sort.Strings(waiting)
		if time.Since(last) > 15*time.Second {
			last = time.Now()
			fmt.Fprintf(w.cfg.log, "e2e: %d/%d applications as expected\n", synced, len(want))
			if len(waiting) > 0 && len(waiting) <= 3 {
				fmt.Fprintf(w.cfg.log, "e2e:   waiting for %s\n", strings.Join(waiting, "; "))
			}
		}
		if len(waiting) > 0 {
			return false, fmt.Sprintf("%d applications not as expected:\n  %s", len(waiting), strings.Join(waiting, "\n  ")), nil
		}
		return true, "", nil
	})
}

func hasCondition(a appState, suffix string) bool {
	for _, c := range a.Conditions {
		typ, _, _ := strings.Cut(c, ":")
		if strings.HasSuffix(typ, suffix) {
			return true
		}
	}
	return false
}

// checkObjects checks that every object the Applications deploy from out/
// exists on its cluster, and returns how many it checked.
func (w *world) checkObjects(ctx context.Context, out string, want map[string]expectedApp) (int, error) {
	n := 0
	var missing []string
	for _, e := range want {
		if e.isAddonChart() {
			continue
		}
		cp := w.mgmt
		if e.Destination != "" && e.Destination != "in-cluster" {
			if cp = w.cluster(e.Destination); cp == nil {
				return n, fmt.Errorf("application %s: no cluster %s", e.Name, e.Destination)
			}
		}
		objs, err := kustomizeBuild(filepath.Join(out, e.Path))
		if err != nil {
			return n, fmt.Errorf("application %s: %w", e.Name, err)
		}
		mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cp.Client.Discovery()))
		for _, u := range objs {
			n++
			ns := u.GetNamespace()
			if ns == "" {
				ns = e.Namespace
			}
			if _, err := cp.get(ctx, mapper, u.GroupVersionKind(), ns, u.GetName()); err != nil {
				missing = append(missing, fmt.Sprintf("%s: %s %s/%s: %v", cp.Name, u.GetKind(), ns, u.GetName(), err))
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return n, fmt.Errorf("%d objects of out/ missing:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	return n, nil
}

// get reads an object.
func (cp *controlPlane) get(ctx context.Context, mapper meta.RESTMapper, gvk schema.GroupVersionKind, ns, name string) (*unstructured.Unstructured, error) {
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	ri := cp.Dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	}
	return ri.Get(ctx, name, metav1.GetOptions{})
}

// refreshApps asks Argo CD to compare every Application with git now, as
// the git host's webhook does on a push.
func (w *world) refreshApps(ctx context.Context) error {
	ri := w.mgmt.Dynamic.Resource(applicationResource).Namespace(w.cfg.argo.Namespace)
	list, err := ri.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	patch := []byte(`{"metadata":{"annotations":{"argocd.argoproj.io/refresh":"normal"}}}`)
	for _, a := range list.Items {
		if _, err := ri.Patch(ctx, a.GetName(), types.MergePatchType, patch, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// objectRef names an object, as platformc diff --format json does.
type objectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

func (r objectRef) String() string { return fmt.Sprintf("%s %s/%s", r.Kind, r.Namespace, r.Name) }

// getRef reads the object r names.
func (cp *controlPlane) getRef(ctx context.Context, r objectRef) (*unstructured.Unstructured, error) {
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cp.Client.Discovery()))
	return cp.get(ctx, mapper, schema.FromAPIVersionAndKind(r.APIVersion, r.Kind), r.Namespace, r.Name)
}

// waitGone waits until none of refs exists on the generation's cluster.
// When a Namespace is among them, everything in it must be gone too: the
// namespace itself is.
func (w *world) waitGone(ctx context.Context, gen string, refs []objectRef) error {
	cp := w.cluster(gen)
	if cp == nil {
		return fmt.Errorf("no cluster %s", gen)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		var left []string
		for _, r := range refs {
			_, err := cp.getRef(ctx, r)
			switch {
			case err == nil:
				left = append(left, r.String())
			case !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err):
				return false, "", err
			}
		}
		return len(left) == 0, fmt.Sprintf("still on %s: %s", gen, strings.Join(left, ", ")), nil
	})
}

// waitRefused waits until Argo CD refuses to sync each of the escapes in
// the Application, because its project does not permit it.
func (w *world) waitRefused(ctx context.Context, app string, escapes []objectRef) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		u, err := w.mgmt.Dynamic.Resource(applicationResource).Namespace(w.cfg.argo.Namespace).Get(ctx, app, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		a := readApp(u)
		for _, e := range escapes {
			refused := false
			for _, r := range a.Resources {
				refused = refused || strings.HasPrefix(r, e.String()+":") && strings.Contains(r, "not permitted")
			}
			if !refused {
				return false, "no refusal of " + e.String() + " yet: " + a.String(), nil
			}
		}
		fmt.Fprintf(w.cfg.log, "e2e: Argo CD: %s\n", a)
		return true, "", nil
	})
}
