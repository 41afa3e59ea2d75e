// Package model holds the validated platform as plain Go values: clusters,
// tenants and their workloads, each with the position in the CUE source that
// defined it. It does no I/O. Generators read it; only compiler/load builds
// it.
//
// Names that both the Kubernetes and the AWS outputs use (namespaces,
// service accounts, Secrets Manager secret names, IAM role names) are
// computed here, in one place, so that the two sides always agree.
package model
