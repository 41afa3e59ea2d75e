// Package kbuild runs kustomize (sigs.k8s.io/kustomize/api/krusty) over a
// generated file tree held in memory, to verify that every overlay builds
// and to see the objects Argo CD will apply. It is the one place that
// touches kustomize's API; a panic inside kustomize comes back as an error.
package kbuild
