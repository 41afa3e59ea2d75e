// Package layout is the folder layout of the output (out/, and the
// manifest repository it is published to): where each generator writes
// and where the others, Argo CD's sources and the commands find what it
// wrote. It is one package so that no generator imports another for a
// path. Paths are slash-separated and relative to the output's root.
//
//	tenants/<tenant>/app/base               the tenant's workloads
//	tenants/<tenant>/app/overlays/<gen>     what Argo CD deploys on a generation
//	tenants/<tenant>/namespace/base         the namespace's guard rails
//	tenants/<tenant>/namespace/overlays/<gen>
//	clusters/<gen>/                         every tenant namespace of a generation
//	addons/<addon>/<gen>/                   an add-on's objects besides its chart
//	argocd/                                 Argo CD's objects (tenants/<tenant>, clusters/<cluster>)
//	bootstrap/                              the platform's own project and Application
//	cdk/                                    the cloud assembly of the AWS stacks
//
// <gen> is a cluster generation's name (model.Generation.Name): the
// generations of one cluster differ, and an ApplicationSet that selects
// every generation of a cluster finds each one's folder by that name.
package layout

import "path"

// The top-level folders.
const (
	Tenants   = "tenants"
	Clusters  = "clusters"
	Addons    = "addons"
	ArgoCD    = "argocd"
	Bootstrap = "bootstrap"
	CDK       = "cdk"
)

// Tenant is the folder of a tenant's Kubernetes objects.
func Tenant(tenant string) string { return path.Join(Tenants, tenant) }

// AppBase is the folder of a tenant's workloads.
func AppBase(tenant string) string { return path.Join(Tenants, tenant, "app", "base") }

// AppOverlay is the folder Argo CD deploys for a tenant on a cluster
// generation.
func AppOverlay(tenant, generation string) string {
	return path.Join(Tenants, tenant, "app", "overlays", generation)
}

// NamespaceBase is the folder of the guard rails of a tenant's namespace.
func NamespaceBase(tenant string) string { return path.Join(Tenants, tenant, "namespace", "base") }

// NamespaceOverlay is the folder of a tenant's guard rails on a cluster
// generation.
func NamespaceOverlay(tenant, generation string) string {
	return path.Join(Tenants, tenant, "namespace", "overlays", generation)
}

// Cluster is the folder of every tenant namespace of a cluster
// generation.
func Cluster(generation string) string { return path.Join(Clusters, generation) }

// Addon is the folder of the objects that an add-on needs besides its
// chart on a cluster generation: "addons/karpenter/prod-shared-1-35".
func Addon(addon, generation string) string { return path.Join(Addons, addon, generation) }

// ArgoCDTenant is the folder of a tenant's AppProject and ApplicationSet.
func ArgoCDTenant(tenant string) string { return path.Join(ArgoCD, Tenants, tenant) }

// ArgoCDCluster is the folder of a cluster's registrations, one per
// generation.
func ArgoCDCluster(cluster string) string { return path.Join(ArgoCD, Clusters, cluster) }
