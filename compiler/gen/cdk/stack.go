package cdk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/platformc/platformc/compiler/fstree"
)

// GeneratorVersion names the code that turns a stack's input into its
// template. It is part of every stack's input hash: bump it whenever a
// change to this package or to jsiisynth (or to the CDK version, which it
// names) can change a template, so that every cached stack is synthesised again.
const GeneratorVersion = "platformc-cdk/3 aws-cdk-lib/2.270.0"

// Stack is one CloudFormation stack: its name and environment, and the
// slice of the model it is made from (its spec). A stack's template is a
// function of its Input alone, which is what makes caching by Hash sound:
// the spec is the only thing a Synthesizer reads.
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
	spec      Spec
}

// Spec is the model slice a stack depends on: one of AccessSpec,
// AddonsSpec, CertsSpec, DNSSpec, GenerationSpec, IAMSpec,
// ManagementSpec, NetworkSpec and TenantSpec, plain data that a
// Synthesizer turns into resources. It is encoded as JSON for the input
// hash, so every field a synthesiser reads must be exported.
type Spec interface {
	kind() string
}

// Kind is the kind of stack: "iam", "network", "generation", "access",
// "addons", "tenant", "dns", "certs" or "management".
func (s Stack) Kind() string { return s.spec.kind() }

// Spec is the slice of the model the stack is made from.
func (s Stack) Spec() Spec { return s.spec }

// Input is the canonical JSON of everything the stack's template and
// manifest entry depend on.
func (s Stack) Input() []byte {
	data, err := json.Marshal(struct {
		Generator, Kind, Name, Account, Region, Description string
		DependsOn                                           []string
		Spec                                                Spec
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
