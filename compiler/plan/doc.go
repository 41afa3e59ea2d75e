// Package plan orders a delivery: from the platform at a base revision and
// in the work tree, the steps that make the live platform match the work
// tree, each with why, in the order the platform needs.
//
// A delivery is made of four actions. "deploy" runs the named AWS stacks
// (cdk deploy --exclusively), "publish" pushes the changed manifests to
// the manifest repository, "drain" waits until Argo CD has deleted what
// the publish removed from a cluster (the objects that own cloud
// resources first: Ingresses release their load balancers and target
// groups, Karpenter NodePools their nodes), and "destroy" deletes the
// stacks no longer generated (cdk destroy). Dependencies decide the
// order:
//
//  1. deploy, before publishing, every new or changed stack but the DNS
//     stacks: a tenant's IAM role and secret exist before its SecretStore
//     is published, a green generation's cluster and the SSM parameters
//     of its registration before the registration;
//  2. publish;
//  3. deploy the changed DNS stacks, once Argo CD reports the generations
//     their weights move towards synced;
//  4. drain each retired generation and each tenant leaving a cluster;
//  5. destroy the stacks no longer generated, dependents first.
//
// The package is pure: it reads models, stack summaries and output
// trees, and returns a Plan, which renders as text, Markdown or JSON.
package plan
