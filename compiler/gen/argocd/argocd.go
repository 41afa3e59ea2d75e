package argocd

import (
	"fmt"
	"path"
	"slices"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

const (
	apiVersion = "argoproj.io/v1alpha1"

	// InCluster is how Argo CD names the cluster it runs in.
	InCluster = "https://kubernetes.default.svc"

	// BootstrapProject and PlatformProject are the platform's own projects;
	// tenants have no role in them.
	BootstrapProject = "platform-bootstrap"
	PlatformProject  = "platform"

	// SecretTypeLabel marks an Argo CD cluster Secret.
	SecretTypeLabel = "argocd.argoproj.io/secret-type"
)

type obj = k8s.Object

// Generator writes the Argo CD objects. A tenant's project and
// ApplicationSet are its part (gen.TenantGenerator).
type Generator struct{}

var _ gen.TenantGenerator = Generator{}

func (Generator) Name() string { return "argocd" }

func (g Generator) Generate(p *model.Platform) ([]fstree.File, error) {
	files, err := g.GeneratePlatform(p)
	for _, t := range p.Tenants {
		if err != nil {
			break
		}
		var more []fstree.File
		more, err = g.GenerateTenant(p, t)
		files = append(files, more...)
	}
	return files, err
}

// GenerateTenant writes the tenant's project and ApplicationSet.
func (Generator) GenerateTenant(p *model.Platform, t *model.Tenant) ([]fstree.File, error) {
	g := generator{p: p, ns: p.Config.ArgoCD.Namespace}
	var fs k8s.Files
	fs.AddObjects(layout.ArgoCDTenant(t.Name), fstree.Origin{Tenant: t.Name}, t.Pos.File, g.tenantObjects(t)...)
	return fs.Out, fs.Err
}

func (g generator) tenantObjects(t *model.Tenant) []obj {
	return []obj{g.tenantProject(t), g.tenantApplicationSet(t)}
}

// tenantFileNames are the files of tenantObjects, named without making
// the objects (making a thousand tenants' cost 70 ms): the
// platform's kustomization lists them. A name that differs fails the
// kustomization's build (TestKustomizeBuilds).
func tenantFileNames(t *model.Tenant) []string {
	return []string{k8s.FileNameOf("AppProject", t.Name), k8s.FileNameOf("ApplicationSet", naming.TenantApplicationSet(t))}
}

// GeneratePlatform writes everything but the tenants' parts: the
// bootstrap, the platform's and the add-ons' objects, the cluster
// registrations, and the kustomization that lists every file, the
// tenants' included.
func (Generator) GeneratePlatform(p *model.Platform) ([]fstree.File, error) {
	g := generator{p: p, ns: p.Config.ArgoCD.Namespace}
	var fs k8s.Files
	var resources []string
	add := func(dir string, origin fstree.Origin, source string, objs ...obj) {
		for _, name := range fs.AddObjects(path.Join(layout.ArgoCD, dir), origin, source, objs...) {
			resources = append(resources, path.Join(dir, name))
		}
	}
	boot := fs.AddObjects(layout.Bootstrap, fstree.Origin{}, PlatformFileName, g.bootstrapProject(), g.bootstrapApplication())
	fs.Add(layout.Bootstrap, "kustomization.yaml", fstree.Origin{}, PlatformFileName, kustomization(g.ns, boot))

	add("platform", fstree.Origin{}, PlatformFileName, g.platformProject(), g.platformApplicationSet())
	add("registry", fstree.Origin{}, PlatformFileName, g.registry()...)
	if len(p.Config.Addons) > 0 {
		objs := []obj{g.addonsProject()}
		for _, a := range p.Config.Addons {
			objs = append(objs, g.addonApplicationSet(a))
			if u := naming.AddonConfigUnit(a); u != "" {
				objs = append(objs, g.addonConfigApplicationSet(a, u))
			}
		}
		add("addons", fstree.Origin{}, PlatformFileName, objs...)
	}
	for _, t := range p.Tenants {
		for _, name := range tenantFileNames(t) { // written by GenerateTenant
			resources = append(resources, path.Join(layout.Tenants, t.Name, name)) // in layout.ArgoCDTenant
		}
	}
	for _, c := range p.Clusters {
		for _, gen := range c.Generations() {
			add(path.Join(layout.Clusters, c.Name), fstree.Origin{Cluster: c.Name}, c.Pos.File, g.clusterRegistration(gen))
		}
	}
	slices.Sort(resources)
	fs.Add(layout.ArgoCD, "kustomization.yaml", fstree.Origin{}, PlatformFileName, kustomization(g.ns, append([]string{"../" + layout.Bootstrap}, resources...)))
	return fs.Out, fs.Err
}

// PlatformFileName is the source of the objects that belong to the whole
// platform.
const PlatformFileName = "platform.cue"

type generator struct {
	p  *model.Platform
	ns string
}

func kustomization(namespace string, resources []string) obj {
	return obj{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"namespace":  namespace,
		"resources":  resources,
		"labels":     []obj{{"pairs": map[string]string{k8s.LabelManagedBy: "platformc"}, "includeSelectors": false}},
	}
}

// repoPath is a folder of out/ as Argo CD sees it in the manifest
// repository.
func (g generator) repoPath(p string) string { return path.Join(g.p.Config.Repo.Path, p) }

func (g generator) source(p string) obj {
	return obj{"repoURL": g.p.Config.Repo.URL, "targetRevision": g.p.Config.Repo.Revision, "path": p}
}

// syncPolicy keeps applications in sync with git, deleting what git no
// longer holds, and retries while what they depend on (a namespace, a CRD)
// is not there yet. Each retry syncs the newest commit (refresh): without
// it, a failing sync retries its own commit for half an hour and holds back
// the commit that fixes it (Argo CD issue 11494; seen in make e2e). A new
// tenant's Application usually syncs before its namespace exists: the
// retries wait at most a minute (not five), for about a quarter of an hour.
func syncPolicy() obj {
	return obj{
		"automated": obj{"prune": true, "selfHeal": true},
		"retry": obj{
			"limit":   20,
			"refresh": true,
			"backoff": obj{"duration": "5s", "factor": 2, "maxDuration": "1m"},
		},
	}
}

// kinds lists API kinds as AppProject group/kind entries.
func kinds(gks ...string) []obj {
	out := make([]obj, 0, len(gks)/2)
	for i := 0; i+1 < len(gks); i += 2 {
		out = append(out, obj{"group": gks[i], "kind": gks[i+1]})
	}
	return out
}

func (g generator) bootstrapProject() obj {
	o := k8s.New(apiVersion, "AppProject", g.ns, BootstrapProject, nil)
	o["spec"] = obj{
		"description":              "platformc: applies the Argo CD objects of the manifest repository to the management cluster",
		"sourceRepos":              []string{g.p.Config.Repo.URL},
		"destinations":             []obj{{"server": InCluster, "namespace": g.ns}},
		"clusterResourceWhitelist": []obj{},
		"namespaceResourceWhitelist": kinds(
			"argoproj.io", "AppProject",
			"argoproj.io", "Application",
			"argoproj.io", "ApplicationSet",
			"external-secrets.io", "ExternalSecret",
			"external-secrets.io", "SecretStore",
			"", "ServiceAccount",
		),
	}
	return o
}

// bootstrapApplication is the app of apps: apply it once with
// "kubectl apply -k bootstrap/" and Argo CD manages everything else,
// itself included.
func (g generator) bootstrapApplication() obj {
	o := k8s.New(apiVersion, "Application", g.ns, naming.BootstrapApplication, nil)
	o["spec"] = obj{
		"project":     BootstrapProject,
		"source":      g.source(g.repoPath(layout.ArgoCD)),
		"destination": obj{"server": InCluster, "namespace": g.ns},
		"syncPolicy":  syncPolicy(),
	}
	return o
}

// platformProject may put tenant namespaces and their guard rails on the
// cluster generations, and nothing else anywhere.
//
// Each generation's namespaces Application has no destination namespace
// (it makes Namespaces, which have none), and Argo CD refuses an
// Application whose destination no project destination matches: so each
// generation is a destination with the empty namespace too. Argo CD then
// checks every namespaced object of the Application against the tenant
// namespaces listed, at sync. On EKS Auto Mode, the Application also
// turns NetworkPolicy enforcement on (naming.NetworkPolicyConfigMap, in
// naming.NetworkPolicyNamespace).
func (g generator) platformProject() obj {
	var dests []obj
	for _, c := range g.p.Clusters {
		for _, gen := range c.Generations() {
			dests = append(dests, obj{"name": gen.Name(), "namespace": ""})
			if c.Capacity.Mode == model.AutoMode {
				dests = append(dests, obj{"name": gen.Name(), "namespace": naming.NetworkPolicyNamespace})
			}
			for _, t := range g.p.Tenants {
				if t.PlacedOn(c.Name) {
					dests = append(dests, obj{"name": gen.Name(), "namespace": t.Namespace()})
				}
			}
		}
	}
	namespaced := kinds(
		"", "ResourceQuota",
		"", "LimitRange",
		"", "ServiceAccount",
		"networking.k8s.io", "NetworkPolicy",
		"external-secrets.io", "SecretStore",
	)
	if slices.ContainsFunc(g.p.Clusters, func(c *model.Cluster) bool { return c.Capacity.Mode == model.AutoMode }) {
		namespaced = append(kinds("", "ConfigMap"), namespaced...)
	}
	o := k8s.New(apiVersion, "AppProject", g.ns, PlatformProject, nil)
	k8s.Meta(o)["annotations"] = map[string]string{SyncWave: ProjectWave}
	o["spec"] = obj{
		"description":                "platformc: tenant namespaces and the guard rails that confine them",
		"sourceRepos":                []string{g.p.Config.Repo.URL},
		"destinations":               dests,
		"clusterResourceWhitelist":   kinds("", "Namespace"),
		"namespaceResourceWhitelist": namespaced,
	}
	return o
}

func (g generator) platformApplicationSet() obj {
	var clusters []string
	for _, c := range g.p.Clusters {
		clusters = append(clusters, c.Name)
	}
	return g.applicationSet(naming.NamespacesApplicationSet, naming.NamespacesApplication(NameParam), nil, inClusters(clusters), obj{
		"project":     PlatformProject,
		"source":      g.source(g.repoPath(layout.Cluster(NameParam))),
		"destination": obj{"name": NameParam},
		"syncPolicy":  syncPolicy(),
	}, Cascade)
}

// ProjectWave is the sync wave of the platform's and the tenants' projects:
// before the ApplicationSets that name them (wave 0), which the
// ApplicationSet controller would otherwise find without a project and
// retry only after its error requeue (about three minutes), holding back
// a new tenant's Applications.
const ProjectWave = "-1"

// NameParam is the cluster generator's parameter that templates use: the
// name of the cluster generation.
const NameParam = "{{.name}}"

// inClusters selects the cluster generations whose platformc.io/cluster
// label is one of clusters, among those whose add-ons are declared, but
// a retiring one.
func inClusters(clusters []string) obj {
	return obj{"matchExpressions": []obj{
		{"key": k8s.LabelCluster, "operator": "In", "values": clusters},
		{"key": AddonsLabel, "operator": "In", "values": []string{"declared"}},
		notRetiring,
	}}
}

// RetiringLabel marks the cluster Secret of a retiring generation
// (model.Retiring). The ApplicationSets of what it no longer serves
// (tenants, namespaces, Karpenter's NodePools) do not select it, so their
// Applications there are deleted, with what they applied; the add-ons'
// stay, so that their controllers release what those objects held.
const RetiringLabel = "platformc.io/retiring"

var notRetiring = obj{"key": RetiringLabel, "operator": "DoesNotExist"}

// ResourcesFinalizer makes Argo CD delete what an Application applied
// before the Application itself, in the reverse order of their sync
// waves, waiting for each object's own finalizers (an Ingress's until
// its load balancer is released).
const ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

// Deletion says what happens on a cluster when an ApplicationSet deletes
// one of its Applications (its generation or tenant is gone, or the
// generation retires).
type Deletion bool

const (
	// Cascade deletes what the Application applied, first.
	Cascade Deletion = true
	// Preserve leaves it: the add-ons' charts, which a retiring
	// generation still runs, and which go with its cluster.
	Preserve Deletion = false
)

// applicationSet makes an Application app, named with NameParam, from spec
// for every cluster generation that selector selects. Parameters are read as fields, never
// with "index", so that missingkey=error makes a missing one fail rather
// than render empty.
func (g generator) applicationSet(name, app string, labels map[string]string, selector, spec obj, deletion Deletion) obj {
	o := k8s.New(apiVersion, "ApplicationSet", g.ns, name, labels)
	meta := obj{"name": app}
	if len(labels) > 0 {
		meta["labels"] = labels
	}
	if deletion == Cascade {
		meta["finalizers"] = []string{ResourcesFinalizer}
	}
	o["spec"] = obj{
		"goTemplate":        true,
		"goTemplateOptions": []string{"missingkey=error"},
		"generators":        []obj{{"clusters": obj{"selector": selector}}},
		"template":          obj{"metadata": meta, "spec": spec},
		"syncPolicy":        obj{"preserveResourcesOnDeletion": deletion == Preserve},
	}
	return o
}

// generationNames lists the Argo CD names of every generation of the
// tenant's clusters.
func (g generator) generationNames(t *model.Tenant) []string {
	var out []string
	for _, c := range g.p.Placements(t) {
		for _, gen := range c.Generations() {
			out = append(out, gen.Name())
		}
	}
	return out
}

// tenantProject confines a tenant: its own namespace on its own clusters,
// only the manifest repository, no cluster-scoped kind, none of the kinds
// that the platform sets in its namespace, and a role for its owners that
// can see and sync its own applications only.
func (g generator) tenantProject(t *model.Tenant) obj {
	var dests []obj
	for _, name := range g.generationNames(t) {
		dests = append(dests, obj{"name": name, "namespace": t.Namespace()})
	}
	role := "owners"
	var policies []string
	for _, action := range []string{"get", "sync"} {
		policies = append(policies, fmt.Sprintf("p, proj:%s:%s, applications, %s, %s/*, allow", t.Name, role, action, t.Name))
	}
	o := k8s.New(apiVersion, "AppProject", g.ns, t.Name, map[string]string{k8s.LabelTenant: t.Name})
	k8s.Meta(o)["annotations"] = map[string]string{SyncWave: ProjectWave}
	// A removed tenant's project goes after its Applications: Argo CD
	// deletes an Application's objects only where its project permits.
	k8s.Meta(o)["finalizers"] = []string{ResourcesFinalizer}
	o["spec"] = obj{
		"description":              fmt.Sprintf("Tenant %s, defined in %s", t.Name, t.Pos.File),
		"sourceRepos":              []string{g.p.Config.Repo.URL},
		"destinations":             dests,
		"clusterResourceWhitelist": []obj{},
		"namespaceResourceBlacklist": kinds(
			"", "ResourceQuota",
			"", "LimitRange",
			"networking.k8s.io", "NetworkPolicy",
			"rbac.authorization.k8s.io", "Role",
			"rbac.authorization.k8s.io", "RoleBinding",
			"external-secrets.io", "SecretStore",
		),
		"roles": []obj{{
			"name":        role,
			"description": "The tenant's owners: view and sync the tenant's applications",
			"groups":      t.Owners,
			"policies":    policies,
		}},
	}
	return o
}

func (g generator) tenantApplicationSet(t *model.Tenant) obj {
	var clusters []string
	for _, c := range g.p.Placements(t) {
		clusters = append(clusters, c.Name)
	}
	return g.applicationSet(naming.TenantApplicationSet(t), naming.TenantApplication(t, NameParam), map[string]string{k8s.LabelTenant: t.Name}, inClusters(clusters), obj{
		"project":     t.Name,
		"source":      g.source(g.repoPath(layout.AppOverlay(t.Name, NameParam))),
		"destination": obj{"name": NameParam, "namespace": t.Namespace()},
		"syncPolicy":  syncPolicy(),
	}, Cascade)
}
