// Package diff compares two output trees — the outputs of the base and of
// the work tree — as a reviewer needs to see them: object by object, the
// way Argo CD will apply them.
//
// The units of comparison are the folders Argo CD applies: every folder
// holding a kustomization.yaml that no other kustomization includes. Each
// unit whose input files differ is built with kustomize on both sides, and
// the objects are matched by identity (apiVersion, kind, namespace, name),
// so that moving an object between files or reordering it is no change.
// CloudFormation templates (out/cdk) are compared resource by logical ID,
// like "cdk diff". Changes are grouped by the tenant and cluster they
// belong to, and risky
// ones — a namespace or cluster deleted, a project's reach changed, a
// network policy removed, a workload identity changed — are flagged first.
package diff
