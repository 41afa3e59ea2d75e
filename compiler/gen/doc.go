// Package gen defines the Generator interface that every output kind
// implements. A generator is a pure function of the validated model: it
// reads no files, no clock and no environment, and returns files for the
// output tree. The ordered list of generators lives in package compiler;
// each implementation is a subpackage (kustomize, ...).
package gen
