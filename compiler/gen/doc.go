// Package gen defines the Generator interface that every output kind
// implements. A generator is a pure function of the validated model: it
// reads no files, no clock and no environment, and returns files for the
// output tree. The ordered list of generators lives in package compiler;
// each implementation is a subpackage (kustomize, ...). The CDK generator
// (cdk) is given two more inputs, explicitly: the previous output, whose
// unchanged stacks it copies, and a Synthesizer that owns what is not
// pure (Node.js, a temporary folder, the environment: cdk/jsiisynth).
package gen
