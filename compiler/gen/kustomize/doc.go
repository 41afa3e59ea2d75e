// Package kustomize generates the Kubernetes side of every tenant as
// Kustomize bases and per-cluster overlays:
//
//	tenants/<t>/app/base/                  the tenant's workloads: ServiceAccount,
//	                                       Deployment, Service, Ingress, CronJob
//	tenants/<t>/app/overlays/<cluster>/    what the tenant's Argo CD project deploys
//	                                       to that cluster: labels, replicas, overrides
//	tenants/<t>/namespace/base/            the platform's guard rails: Namespace,
//	                                       ResourceQuota, LimitRange, NetworkPolicies
//	tenants/<t>/namespace/overlays/<c>/    the guard rails that depend on the cluster
//	clusters/<cluster>/                    every tenant namespace of that cluster, the
//	                                       source of the platform's own Argo CD app
//
// Workloads and guard rails are apart because they are applied by different
// Argo CD projects: a tenant's project may not create the objects that
// confine it.
package kustomize
