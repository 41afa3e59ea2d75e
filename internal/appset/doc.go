// Package appset expands ApplicationSets as Argo CD's ApplicationSet
// controller does for the generators platformc writes: a cluster
// generator with a label selector, and Go templates with
// missingkey=error. The cluster Secrets it expands against are those that
// platformc's cluster registrations (ExternalSecrets) template. Tests use
// it to check the Applications that Argo CD will create.
package appset
