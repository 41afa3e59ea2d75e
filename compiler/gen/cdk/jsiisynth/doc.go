// Package jsiisynth is the synthesiser of the platform's AWS stacks: it
// turns the specs that package cdk plans into CloudFormation templates
// with the AWS CDK (aws-cdk-lib, run on Node.js through jsii), and owns
// what that takes and cdk does not do: the Node.js process, a temporary
// folder for the cloud assembly, and the environment the process
// inherits. It is the one package of platformc that links aws-cdk-go
// (most of the binary's size: the embedded aws-cdk-lib); cdk.Generator
// is given a Synthesizer, and ReadAssembly checks what it wrote.
//
// A program that imports this package should call Close before it exits:
// the CDK's Go bindings prepare a jsii runtime when the program starts.
//
// Its behaviour is tested through cdk.Generator, in package cdk's tests:
// the templates, the tenants' isolation, CloudFormation's limits, cfn-lint
// and the cdk CLI running "platformc synth".
//
// # Determinism
//
// The same model gives the same bytes, whoever runs the synthesis (a
// build, or the cdk CLI through "platformc synth" and cdk.json):
//
//   - Context pins version reporting, path and asset metadata and stack
//     traces off, as the app's context and as its post-CLI context, so the
//     CLI's switches change nothing; no tree.json, no analytics;
//   - nothing is looked up: zones are Fn::GetAZs, the hosted zone is named,
//     the network is imported by export name; a synthesis that reports
//     missing context is refused (cdk.ReadAssembly);
//   - no asset but the template itself (no Lambda-backed custom resource:
//     the IRSA trust policy is an Fn::Sub, not a CfnJson), so no file is
//     staged and no absolute path can enter the assembly; ReadAssembly
//     refuses any other asset;
//   - constructs are added in sorted order, and maps cross jsii as sorted
//     JSON.
package jsiisynth
