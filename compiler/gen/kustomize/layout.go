package kustomize

import "path"

// AppOverlay is the folder Argo CD deploys for a tenant on a cluster.
func AppOverlay(tenant, cluster string) string {
	return path.Join("tenants", tenant, "app", "overlays", cluster)
}

// NamespaceOverlay is the folder of a tenant's guard rails on a cluster.
func NamespaceOverlay(tenant, cluster string) string {
	return path.Join("tenants", tenant, "namespace", "overlays", cluster)
}

// ClusterDir is the folder of every tenant namespace of a cluster.
func ClusterDir(cluster string) string { return path.Join("clusters", cluster) }

func appBase(tenant string) string       { return path.Join("tenants", tenant, "app", "base") }
func namespaceBase(tenant string) string { return path.Join("tenants", tenant, "namespace", "base") }
