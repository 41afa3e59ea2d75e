// Package load reads a platform's CUE sources — clusters/<name>.cue and
// tenants/<name>.cue — checks them against the embedded schema and returns
// the validated model.
//
// Each file is evaluated on its own, unified with the schema only. A tenant
// file therefore cannot see, reference or change another tenant, and a
// changed file can be re-evaluated alone. What spans files (placements on
// clusters, dedicated clusters, ingress hosts) is checked afterwards in Go,
// at the position of the reference.
//
// Every problem is returned at once as a diag.List, sorted by position, each as
// "file:line:col: cue.path: message" with the file relative to the
// platform root.
package load
