package argocd

import (
	"slices"
	"strconv"
	"strings"

	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// AddonsProject is the project of the platform's add-ons: charts from the
// add-ons' repositories, anywhere in their namespaces on the generations
// that install them, cluster-scoped kinds included (CRDs, webhooks, RBAC).
// No tenant has a role in it, and every tenant ApplicationSet names its
// tenant's project.
const AddonsProject = "platform-addons"

// AddonsLabel marks the cluster Secrets that platformc's registrations
// make, for generations whose add-ons are declared and resolved (a chart
// version for each, or the build fails). Tenants' and namespaces'
// ApplicationSets select only generations that carry it, so that a
// cluster registered by other means, without the add-ons, gets no
// tenant application.
const AddonsLabel = "platformc.io/addons"

// AddonLabel is the label of a generation's cluster Secret that selects it
// for an add-on's ApplicationSet: "addons.platformc.io/<add-on>": "true".
func AddonLabel(a *model.Addon) string { return "addons.platformc.io/" + a.Name }

// The annotations of a generation's cluster Secret that add-on templates
// read. Their keys are plain identifiers so that templates can read them
// as fields ({{.metadata.annotations.platformcRegion}}), which
// missingkey=error turns into an error when one is missing; "index" would
// render an empty string.
const (
	ClusterAnnotation = "platformcCluster"
	RegionAnnotation  = "platformcRegion"
	ZoneAnnotation    = "platformcZone"
)

// ChartAnnotation holds the add-on's chart version for the generation's
// Kubernetes version; RoleAnnotation the ARN of the add-on's IAM role.
func ChartAnnotation(a *model.Addon) string { return "platformcChart_" + ident(a.Name) }

func RoleAnnotation(a *model.Addon) string { return "platformcRole_" + ident(a.Name) }

func ident(name string) string { return strings.ReplaceAll(name, "-", "_") }

func param(annotation string) string { return "{{.metadata.annotations." + annotation + "}}" }

// addonAnnotations are the annotations of a generation's cluster Secret:
// the facts its add-ons' values need.
func (g generator) addonAnnotations(gen model.Generation) map[string]string {
	addons := g.p.AddonsOf(gen.Cluster)
	if len(addons) == 0 {
		return nil
	}
	out := map[string]string{
		ClusterAnnotation: gen.Cluster.Name,
		RegionAnnotation:  gen.Cluster.Region,
		ZoneAnnotation:    gen.Cluster.DNSZone,
	}
	for _, a := range addons {
		out[ChartAnnotation(a)] = g.p.ChartVersion(gen, a)
		if a.AWS != "" {
			out[RoleAnnotation(a)] = naming.AddonRoleARN(g.p, gen, a)
		}
	}
	return out
}

// ChartRepo is an add-on chart's repository as Argo CD names it: an OCI
// registry without its oci:// scheme, which Argo CD reserves for OCI
// sources that are not Helm charts.
func ChartRepo(a *model.Addon) string { return strings.TrimPrefix(a.Chart.Repo, "oci://") }

// addonsProject may install the add-ons' charts in their namespaces on
// the generations that install them.
func (g generator) addonsProject() obj {
	var repos []string
	var dests []obj
	for _, c := range g.p.Clusters {
		for _, gen := range c.Generations() {
			var namespaces []string
			for _, a := range g.p.AddonsOf(c) {
				namespaces = append(namespaces, a.Namespace)
			}
			slices.Sort(namespaces)
			for _, ns := range slices.Compact(namespaces) {
				dests = append(dests, obj{"name": gen.Name(), "namespace": ns})
			}
		}
	}
	for _, a := range g.p.Config.Addons {
		repos = append(repos, ChartRepo(a))
		if naming.AddonConfigUnit(a) != "" {
			repos = append(repos, g.p.Config.Repo.URL)
		}
	}
	slices.Sort(repos)
	o := k8s.New(apiVersion, "AppProject", g.ns, AddonsProject, nil)
	// Before the ApplicationSets that name it (AddonWave: -30 to -10).
	k8s.Meta(o)["annotations"] = map[string]string{SyncWave: "-31"}
	o["spec"] = obj{
		"description":              "platformc: the platform's add-ons (platform.cue: platform.addons), installed on every cluster generation before tenants' applications",
		"sourceRepos":              slices.Compact(repos),
		"destinations":             dests,
		"clusterResourceWhitelist": kinds("*", "*"),
	}
	return o
}

// addonApplicationSet installs the add-on's chart on every generation
// whose cluster Secret carries its label, at the chart version and with
// the role that the Secret's annotations give for that generation.
//
// Order: the ApplicationSet carries the add-on's sync wave, below the
// tenants' (0), so that the bootstrap application applies the add-ons'
// ApplicationSets, in their waves, before any tenant's. Argo CD has no
// dependency between Applications; on a new generation the tenants'
// Applications retry with back-off (syncPolicy) until the add-ons' CRDs
// and webhooks answer.
func (g generator) addonApplicationSet(a *model.Addon) obj {
	facts := naming.AddonFacts{
		Generation: NameParam,
		Cluster:    param(ClusterAnnotation),
		Region:     param(RegionAnnotation),
		Zone:       param(ZoneAnnotation),
		Role:       param(RoleAnnotation(a)),
	}
	helm := obj{"releaseName": a.Name}
	if values := naming.AddonValues(a, facts); len(values) > 0 {
		helm["valuesObject"] = values
	}
	return g.addonSet(a, a.Name, AddonWave(a), obj{
		"repoURL":        ChartRepo(a),
		"chart":          a.Chart.Name,
		"targetRevision": param(ChartAnnotation(a)),
		"helm":           helm,
	}, Preserve)
}

// addonSet makes the ApplicationSet of an add-on's unit: an Application of
// source on every generation that installs the add-on, in its namespace,
// in the add-ons' project, at sync wave wave. A chart stays on a retiring
// generation, to release what the tenants held; its configuration
// (Karpenter's NodePools) is deleted there, so that its nodes go.
func (g generator) addonSet(a *model.Addon, unit string, wave int, source obj, deletion Deletion) obj {
	spec := obj{
		"project":     AddonsProject,
		"source":      source,
		"destination": obj{"name": NameParam, "namespace": a.Namespace},
		"syncPolicy":  addonSyncPolicy(),
	}
	selector := obj{"matchLabels": map[string]string{AddonLabel(a): "true"}}
	if deletion == Cascade {
		selector["matchExpressions"] = []obj{notRetiring}
	}
	o := g.applicationSet(naming.AddonApplicationSet(unit), naming.AddonApplication(unit, NameParam), map[string]string{LabelAddon: a.Name}, selector, spec, deletion)
	k8s.Meta(o)["annotations"] = map[string]string{SyncWave: strconv.Itoa(wave)}
	return o
}

// addonConfigApplicationSet applies, after the add-on's chart, the
// objects the add-on needs besides it on every generation that installs
// it: for Karpenter, its EC2NodeClass and NodePool. Their kinds come with
// the chart; until the chart is installed, the sync retries.
func (g generator) addonConfigApplicationSet(a *model.Addon, unit string) obj {
	return g.addonSet(a, unit, AddonWave(a)+1, g.source(g.repoPath(layout.Addon(a.Name, NameParam))), Cascade)
}

// LabelAddon names the add-on of an ApplicationSet and its Applications.
const LabelAddon = "platformc.io/addon"

// SyncWave is Argo CD's annotation that orders the objects of an
// application's sync.
const SyncWave = "argocd.argoproj.io/sync-wave"

// AddonWave is the sync wave of an add-on's objects: its wave, below
// every tenant's (0).
func AddonWave(a *model.Addon) int { return a.Wave - 20 }

// addonSyncPolicy is syncPolicy with the options charts need: the
// namespace created with the release, and server-side apply, as the
// CustomResourceDefinitions of some add-ons are too large for the
// annotation of a client-side apply.
func addonSyncPolicy() obj {
	p := syncPolicy()
	p["syncOptions"] = []string{"CreateNamespace=true", "ServerSideApply=true"}
	return p
}
