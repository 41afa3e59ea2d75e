package jsiisynth

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/internal/words"
)

// Context is the CDK context every stack is synthesised with. It is set
// both as the app's context and as its post-CLI context, so that the
// switches the cdk CLI passes (path and asset metadata, version
// reporting) cannot change a template: "platformc build" and "cdk synth"
// make the same bytes.
//
//   - no version reporting: no AWS::CDK::Metadata resource naming the
//     CDK version and the constructs used;
//   - no path metadata: no aws:cdk:path on every resource;
//   - no stack traces and creation stacks in the metadata: they name
//     files of the jsii runtime's temporary folder.
//
// Asset staging is left on: the stacks have no assets (the synthesiser
// refuses any), and staging is what would keep absolute paths out of an
// assembly that had some.
func Context() map[string]any {
	return map[string]any{
		"aws:cdk:version-reporting":             false,
		"aws:cdk:enable-path-metadata":          false,
		"aws:cdk:enable-asset-metadata":         false,
		"aws:cdk:disable-stack-trace":           true,
		"aws:cdk:disable-creation-stack-traces": true,
	}
}

// Synthesizer synthesises stacks with the AWS CDK through jsii: a Node.js
// process that runs aws-cdk-lib. Starting it costs about 0.7 s and
// 140 MiB once jsii's package cache holds aws-cdk-lib's runtime index,
// which the first synthesis writes (Index), and 2.6 s and 500 MiB
// without; Synth starts it once for all the stacks it is given and stops
// it when done. Node.js must be on the PATH.
type Synthesizer struct {
	Progress io.Writer // one line per stack defined; nil is quiet
}

// validationEnv switches the CDK's template validation (a CloudFormation
// schema and rule check run in Node.js at synthesis) on or off; only the
// environment can. platformc turns it off unless it is set: cfn-lint in
// the tests covers the same ground.
const validationEnv = "CDK_VALIDATION"

// nodeEOLEnv silences jsii's warning that the Node.js version is past its
// end of life.
const nodeEOLEnv = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// jsiiLock serialises syntheses: jsii's runtime is a single process per
// Go process, shared by every caller.
var jsiiLock sync.Mutex

var _ cdk.Synthesizer = Synthesizer{}

// Close stops jsii's Node.js process, if one runs, and removes its
// temporary folder. The CDK's Go bindings prepare that process (and
// extract jsii's runtime to a temporary folder) as soon as a program that
// imports this package starts, synthesis or not: such a program should
// call Close before it exits.
func Close() {
	jsiiLock.Lock()
	defer jsiiLock.Unlock()
	jsii.Close()
}

func (j Synthesizer) Synth(stacks []cdk.Stack) (syn *cdk.Synthesis, err error) {
	jsiiLock.Lock()
	defer jsiiLock.Unlock()
	dir, err := os.MkdirTemp("", "platformc-cdk-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, set := os.LookupEnv(validationEnv); !set {
		// The CDK's own template validation costs about half a second
		// per stack; jsii's Node.js process inherits this environment.
		os.Setenv(validationEnv, "false")
	}
	if _, set := os.LookupEnv(nodeEOLEnv); !set {
		// Node 20 is what this machine has; jsii's banner about its end
		// of life would fill every build's output. The variable lists the
		// major versions to stay quiet about.
		os.Setenv(nodeEOLEnv, "16,17,18,19,20,21,23")
	}
	// The CDK's Go bindings prepared a jsii process when the program
	// started, with the environment of then; drop it, so that the one
	// started now inherits the environment above.
	jsii.Close()
	// Once jsii's Node.js process is done, its package cache is given the
	// runtime index that makes the next one start faster (Index); a
	// failure only leaves it as slow as this one.
	defer indexPackageCache()
	defer jsii.Close()
	defer func() {
		if r := recover(); r != nil { // jsii reports JavaScript errors as panics
			syn, err = nil, fmt.Errorf("synthesising %s with the AWS CDK (jsii, on Node.js): %v", words.Plural(len(stacks), "stack"), r)
		}
	}()
	ctx := Context()
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:               str(dir),
		AutoSynth:            jsii.Bool(false),
		AnalyticsReporting:   jsii.Bool(false),
		PerformanceReporting: jsii.Bool(false),
		StackTraces:          jsii.Bool(false),
		TreeMetadata:         jsii.Bool(false),
		Context:              &ctx,
		PostCliContext:       &ctx,
	})
	for i, s := range stacks {
		if j.Progress != nil {
			fmt.Fprintf(j.Progress, "cdk: [%d/%d] %s\n", i+1, len(stacks), s.Name)
		}
		st := awscdk.NewStack(app, str(s.Name), &awscdk.StackProps{
			StackName:   str(s.Name),
			Description: str(s.Description),
			Env:         &awscdk.Environment{Account: str(s.Account), Region: str(s.Region)},
		})
		Define(st, s)
	}
	if j.Progress != nil {
		fmt.Fprintf(j.Progress, "cdk: synthesising the cloud assembly of %s\n", words.Plural(len(stacks), "stack"))
	}
	app.Synth(nil)
	return cdk.ReadAssembly(os.DirFS(dir), stacks)
}

// Define adds the stack's resources to st, a stack created with the
// stack's name, environment and description. The spec is all it reads.
func Define(st awscdk.Stack, s cdk.Stack) {
	switch spec := s.Spec().(type) {
	case cdk.IAMSpec:
		defineIAM(st, spec)
	case cdk.NetworkSpec:
		defineNetwork(st, spec)
	case cdk.GenerationSpec:
		defineGeneration(st, spec)
	case cdk.AccessSpec:
		defineAccess(st, spec)
	case cdk.AddonsSpec:
		defineAddons(st, spec)
	case cdk.TenantSpec:
		defineTenant(st, spec)
	case cdk.DNSSpec:
		defineDNS(st, spec)
	case cdk.CertsSpec:
		defineCerts(st, spec)
	case cdk.ManagementSpec:
		defineManagement(st, spec)
	default:
		panic(fmt.Sprintf("stack %s: no definition for a %s stack", s.Name, s.Kind()))
	}
}
