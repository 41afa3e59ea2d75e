// Package policy checks the generated workloads against the platform's
// rules — resources, probes, a restricted security context, the image
// registries, immutable tags, and in production at least two replicas and a
// PodDisruptionBudget — as configured in platform.cue (policy.checks sets
// each check's severity).
//
// A finding names the tenant file and line that produced the object, not
// the generated YAML, since that is what the product team edits. A tenant
// may waive a check until a date (exemptions in its file); an exempted
// finding is a warning that says until when, and an expired exemption is
// an error. Build runs the checks; "platformc lint" runs them alone.
package policy
