package cdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Synthesizer turns stacks into CloudFormation templates and their entries
// in the cloud assembly's manifest. JSII is the real one; tests wrap it to
// count what is synthesised.
type Synthesizer interface {
	Synth(stacks []Stack) (*Synthesis, error)
}

// Synthesis is what a Synthesizer made of some stacks.
type Synthesis struct {
	Version string                 // the cloud assembly schema version, "54.0.0"
	Stacks  map[string]StackOutput // by stack name
}

// StackOutput is one stack's part of a cloud assembly.
type StackOutput struct {
	// Files are the stack's files, by path relative to the assembly
	// folder: its template, the asset manifest that uploads it, and the
	// metadata the CDK CLI shows.
	Files map[string][]byte
	// Artifacts are the stack's entries of the manifest's "artifacts": the
	// stack's own and its asset manifest's.
	Artifacts map[string]any

	sums map[string]string // of Files, when known (a reused stack's)
}

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

// JSII synthesises stacks with the AWS CDK through jsii: a Node.js
// process that runs aws-cdk-lib. Starting it costs about 1.5 s and
// 430 MiB; Synth starts it once for all the stacks it is given and stops
// it when done. Node.js must be on the PATH.
type JSII struct {
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

var _ Synthesizer = JSII{}

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

func (j JSII) Synth(stacks []Stack) (syn *Synthesis, err error) {
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
	defer jsii.Close()
	defer func() {
		if r := recover(); r != nil { // jsii reports JavaScript errors as panics
			syn, err = nil, fmt.Errorf("synthesising %s with the AWS CDK (jsii, on Node.js): %v", count(len(stacks), "stack"), r)
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
		s.Define(st)
	}
	if j.Progress != nil {
		fmt.Fprintf(j.Progress, "cdk: synthesising the cloud assembly of %s\n", count(len(stacks), "stack"))
	}
	app.Synth(nil)
	return readAssembly(dir, stacks)
}

// assemblyManifest is the part of a cloud assembly's manifest.json that
// platformc reads.
type assemblyManifest struct {
	Version   string                    `json:"version"`
	Artifacts map[string]map[string]any `json:"artifacts"`
	Missing   []any                     `json:"missing"`
}

// readAssembly collects each stack's files and manifest entries from the
// cloud assembly in dir. It refuses what would make the output depend on
// more than the stack: context lookups, assets other than the template,
// and errors reported in the metadata.
func readAssembly(dir string, stacks []Stack) (*Synthesis, error) {
	var m assemblyManifest
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return nil, err
	}
	if len(m.Missing) > 0 {
		return nil, fmt.Errorf("the stacks need context lookups, which platformc does not allow: %v", m.Missing)
	}
	syn := &Synthesis{Version: m.Version, Stacks: map[string]StackOutput{}}
	for _, s := range stacks {
		out := StackOutput{Files: map[string][]byte{}, Artifacts: map[string]any{}}
		art, ok := m.Artifacts[s.Name]
		if !ok || art["type"] != "aws:cloudformation:stack" {
			return nil, fmt.Errorf("stack %s: not in the cloud assembly", s.Name)
		}
		out.Artifacts[s.Name] = art
		props, _ := art["properties"].(map[string]any)
		template, _ := props["templateFile"].(string)
		files := []string{template}
		if md, ok := art["additionalMetadataFile"].(string); ok {
			files = append(files, md)
		}
		deps, _ := art["dependencies"].([]any)
		for _, d := range deps {
			id, _ := d.(string)
			dep := m.Artifacts[id]
			if dep["type"] != "cdk:asset-manifest" {
				return nil, fmt.Errorf("stack %s: depends on %s, which is not its asset manifest", s.Name, id)
			}
			out.Artifacts[id] = dep
			file, _ := dep["properties"].(map[string]any)["file"].(string)
			if err := checkAssets(filepath.Join(dir, file), template); err != nil {
				return nil, fmt.Errorf("stack %s: %w", s.Name, err)
			}
			files = append(files, file)
		}
		for _, f := range files {
			if !filepath.IsLocal(f) || f != filepath.Base(f) {
				return nil, fmt.Errorf("stack %s: file %q is not in the assembly folder", s.Name, f)
			}
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return nil, fmt.Errorf("stack %s: %w", s.Name, err)
			}
			out.Files[f] = data
		}
		if err := checkMetadata(s.Name, art, out.Files); err != nil {
			return nil, err
		}
		syn.Stacks[s.Name] = out
	}
	return syn, nil
}

// checkAssets fails unless the asset manifest uploads only the template:
// a file or image asset would have to be cached, staged and published
// besides the templates.
func checkAssets(file, template string) error {
	var am struct {
		Files map[string]struct {
			Source struct{ Path string } `json:"source"`
		} `json:"files"`
		DockerImages map[string]any `json:"dockerImages"`
	}
	if err := readJSON(file, &am); err != nil {
		return err
	}
	for id, f := range am.Files {
		if f.Source.Path != template {
			return fmt.Errorf("has a file asset (%s, %s): platformc's stacks must not bundle files", id, f.Source.Path)
		}
	}
	if len(am.DockerImages) > 0 {
		return fmt.Errorf("has container image assets: platformc's stacks must not build images")
	}
	return nil
}

// checkMetadata fails on errors the CDK reported into the stack's
// metadata (in the manifest or in its metadata file).
func checkMetadata(stack string, art map[string]any, files map[string][]byte) error {
	type entry struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	all := map[string][]entry{}
	if md, ok := art["metadata"]; ok {
		data, _ := json.Marshal(md)
		if err := json.Unmarshal(data, &all); err != nil {
			return fmt.Errorf("stack %s: metadata: %w", stack, err)
		}
	}
	if name, ok := art["additionalMetadataFile"].(string); ok {
		var more map[string][]entry
		if err := json.Unmarshal(files[name], &more); err != nil {
			return fmt.Errorf("stack %s: %s: %w", stack, name, err)
		}
		for k, v := range more {
			all[k] = append(all[k], v...)
		}
	}
	for path, entries := range all {
		for _, e := range entries {
			if e.Type == "aws:cdk:error" {
				return fmt.Errorf("stack %s: %s: %v", stack, path, e.Data)
			}
		}
	}
	return nil
}

func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

// decodeJSON keeps numbers as written, so that re-encoding a manifest
// entry gives the same digits.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// count formats a number of things: "1 stack", "3 stacks".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
