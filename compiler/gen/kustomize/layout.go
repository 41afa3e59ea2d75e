package kustomize

import "path"

// Overlays are per cluster generation, named by model.Generation.Name: the
// generations of one cluster differ (labels, DNS names, which one runs the
// CronJobs), and an ApplicationSet that selects every generation of a
// cluster finds each one's overlay by the generation's name.

// AppOverlay is the folder Argo CD deploys for a tenant on a cluster
// generation.
func AppOverlay(tenant, generation string) string {
	return path.Join("tenants", tenant, "app", "overlays", generation)
}

// NamespaceOverlay is the folder of a tenant's guard rails on a cluster
// generation.
func NamespaceOverlay(tenant, generation string) string {
	return path.Join("tenants", tenant, "namespace", "overlays", generation)
}

// ClusterDir is the folder of every tenant namespace of a cluster
// generation.
func ClusterDir(generation string) string { return path.Join("clusters", generation) }

func appBase(tenant string) string       { return path.Join("tenants", tenant, "app", "base") }
func namespaceBase(tenant string) string { return path.Join("tenants", tenant, "namespace", "base") }
