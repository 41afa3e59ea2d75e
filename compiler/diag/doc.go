// Package diag is platformc's one diagnostic type: what the loader, the
// schema, the cross-field checks, the policy over the generated objects,
// the check of the APIs a Kubernetes version removed and the AWS stacks'
// preconditions report, and what every command prints. A Diagnostic has a
// position in the user's sources (file:line:col), the CUE path of the
// field it is about, a severity, the check that made it (the policy's
// checks; none for the others) and a message:
//
//	tenants/billing.cue:12:15: tenants.billing.services.api.replicas: must be at least 1
//	tenants/billing.cue:9:3: [run-as-non-root] Deployment/api: runs as root
//	clusters/prod.cue:4:23: warning: EKS standard support for 1.33 ended on 2026-07-29
package diag
