// Package model holds the validated platform as plain Go values: clusters,
// tenants and their workloads, each with the position in the CUE source that
// defined it. It does no I/O. Generators read it; only compiler/load builds
// it.
//
// It holds the platform's facts only: a tenant's namespace is its name,
// a generation is a cluster at a Kubernetes version. What the outputs call
// things (object names, annotations, Helm values, IAM roles and ARNs, SSM
// paths) is compiler/gen/naming's, one place that the Kubernetes and the
// AWS sides share so that they always agree; the folder layout is
// compiler/gen/layout's.
package model
