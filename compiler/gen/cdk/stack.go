package cdk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/platformc/platformc/compiler/fstree"
)

// GeneratorVersion names the code that turns a stack's input into its
// template. It is part of every stack's input hash: bump it whenever a
// change to this package (or to the CDK version, which it names) can
// change a template, so that every cached stack is synthesised again.
const GeneratorVersion = "platformc-cdk/3 aws-cdk-lib/2.270.0"

// Stack is one CloudFormation stack: its name and environment, and the
// slice of the model it is made from (its spec). A stack's template is a
// function of its Input alone, which is what makes caching by Hash sound:
// the spec is the only thing Define reads.
type Stack struct {
	Name            string // the CloudFormation stack name and the artifact id
	Account, Region string
	Description     string
	// DependsOn names the stacks to deploy first. No stack refers to
	// another's resources (each is synthesised on its own); values pass
	// through exports and SSM parameters, so the order is declared here
	// and written into the cloud assembly's manifest.
	DependsOn []string
	Origin    fstree.Origin // the tenant or cluster of the stack's files
	spec      spec
}

// spec is the model slice a stack depends on. It is encoded as JSON for
// the input hash, so every field that define reads must be exported.
type spec interface {
	kind() string
	define(st awscdk.Stack)
}

// Kind is the kind of stack: "iam", "network", "generation", "access",
// "addons", "tenant", "dns", "certs" or "management".
func (s Stack) Kind() string { return s.spec.kind() }

// Define adds the stack's resources to st, a stack created with the
// stack's name, environment and description.
func (s Stack) Define(st awscdk.Stack) { s.spec.define(st) }

// Input is the canonical JSON of everything the stack's template and
// manifest entry depend on.
func (s Stack) Input() []byte {
	data, err := json.Marshal(struct {
		Generator, Kind, Name, Account, Region, Description string
		DependsOn                                           []string
		Spec                                                spec
	}{GeneratorVersion, s.Kind(), s.Name, s.Account, s.Region, s.Description, s.DependsOn, s.spec})
	if err != nil {
		panic(err) // specs are plain strings, numbers, slices and structs
	}
	return data
}

// Hash is the SHA-256 of Input, in hex.
func (s Stack) Hash() string {
	sum := sha256.Sum256(s.Input())
	return hex.EncodeToString(sum[:])
}
