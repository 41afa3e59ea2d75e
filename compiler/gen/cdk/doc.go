// Package cdk generates the AWS side of the platform as a cloud assembly
// that the standard cdk CLI deploys (out/cdk/: manifest.json and a
// template per stack): it plans the stacks, and a Synthesizer makes their
// templates with the AWS CDK (aws-cdk-lib through jsii: jsiisynth).
//
// # Stacks
//
// Names are predictable, all prefixed with the platform's name, and each
// stack has an explicit account and region:
//
//	<p>-<env>-iam        per environment with clusters: the owners role of
//	                     each tenant placed there (edits its namespace through
//	                     access entries) and, once per account, the roles the
//	                     management cluster assumes: Argo CD's deployer
//	                     (trusted by <p>-argocd only) and the cluster registry
//	                     reader (trusted by the registry role only; may
//	                     ssm:GetParameter /<p>/clusters/* and nothing else)
//	<p>-<cluster>-network per cluster: a VPC over three zones, private and
//	                     public subnets, exported by name for its generations
//	<p>-<generation>     per generation: the EKS cluster (API authentication,
//	                     the deployer's access entry, IRSA provider,
//	                     capacity, add-ons of the versions table) and the SSM
//	                     parameters Argo CD and the tenant stacks read
//	<p>-<generation>-access-<h>
//	                     the tenants' owners' access entries, each scoped to
//	                     its namespace, in 16 stacks by tenant hash
//	<p>-<generation>-addons
//	                     the IAM roles of the generation's add-ons (IRSA)
//	<p>-<env>-<tenant>   per tenant and environment: its one secret, created
//	                     empty, and the role its SecretStore assumes through
//	                     IRSA, which may read that secret alone
//	<p>-<cluster>-dns-<h> per cluster with ingress hosts: weighted records,
//	                     one per host and generation, in up to 16 stacks by
//	                     tenant hash
//
// Stacks whose size grows with the number of tenants are spread over 16
// stacks by a hash of the tenant's name (never by position, so nothing
// moves between stacks as tenants come and go); TestStacksFitAtScale
// synthesises the largest of each kind for 1,000 tenants and checks
// CloudFormation's 500 resources.
//
// No stack refers to another's resources. Values cross stacks by name:
// CloudFormation exports (the network) and SSM parameters read at deploy
// time (the OIDC issuer), so that each stack is synthesised on its own;
// the deployment order is written into the manifest instead.
//
// # Caching
//
// Starting Node.js for jsii costs about 1.5 s and 430 MiB, so a stack is
// synthesised only when its input changed. Each Stack is made from a spec,
// the slice of the model it depends on and nothing else; Stack.Hash is the
// SHA-256 of that spec's canonical JSON with GeneratorVersion. StacksFile
// (out/cdk/platformc-stacks.json) records, per stack, that hash, the
// SHA-256 of each of its files and its manifest entries. Generator reads
// it from the previous output: a stack whose hash and files are unchanged
// is copied byte for byte, the others go to the Synthesizer in one batch,
// and manifest.json is assembled from the entries of both. When nothing
// changed, Node.js is not started.
//
// # Planner and synthesiser
//
// This package is the planner, pure and without the AWS CDK: Plan makes
// the specs, Stack.Hash their hashes, Generator the reuse and the
// assembly. A Synthesizer given to the Generator turns the specs that
// changed into templates: jsiisynth.Synthesizer, which links aws-cdk-go
// and runs aws-cdk-lib on Node.js, so that a program that never
// synthesises (the compiler's tests, a validation) does not link it.
package cdk
