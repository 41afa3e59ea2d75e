package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/internal/words"
)

// envCDKOutdir is where the CDK CLI wants the app's cloud assembly.
const envCDKOutdir = "CDK_OUTDIR"

// The CDK CLI passes its context (cdk.json's, ~/.cdk.json's, --context)
// in the environment, which the CDK in Node.js reads.
var envCDKContext = []string{"CDK_CONTEXT_JSON", "CONTEXT_OVERFLOW_LOCATION_ENV"}

type synthOptions struct {
	cache string
}

func newSynthCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts synthOptions
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "The CDK app: write the platform's AWS stacks to $CDK_OUTDIR",
		Long: `synth is the CDK app that cdk.json runs: the cdk CLI ("cdk synth",
"cdk deploy", "cdk diff") starts it with CDK_OUTDIR set, and it writes the
cloud assembly of the platform's AWS stacks there: manifest.json and a
template per stack. They are the same bytes as out/cdk/ of "platformc
build": the stacks are a function of the platform's sources alone, so the
context the cdk CLI passes (from cdk.json, ~/.cdk.json or --context) is
ignored, feature flags included.

It runs the checks of a build first (the sources, the policy, the APIs
each cluster's Kubernetes version serves, the AWS stacks' preconditions):
a platform that build refuses has no stacks.

Stacks whose inputs did not change since the build whose output is in
out/ (or in --cache) are copied from it; only the others are synthesised,
with the AWS CDK through jsii, which needs Node.js. When none changed,
Node.js is not started.`,
		Example: `  # Deploy every stack, through the CDK CLI and cdk.json
  cdk deploy --all

  # Write the cloud assembly without the CDK CLI
  CDK_OUTDIR=/tmp/assembly platformc synth`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(synthRun(e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.cache, "cache", "", "output folder of a previous build whose unchanged stacks are reused (default: out/ under the platform's root)")
	return cmd
}

func synthRun(e *env, rf *rootFlags, opts *synthOptions) error {
	defer jsiisynth.Close()
	outdir := os.Getenv(envCDKOutdir)
	if outdir == "" {
		return fmt.Errorf("%s is not set: synth is the CDK app that cdk.json runs, so run it through the CDK CLI (cdk synth, cdk deploy), or set %s to the folder to write the cloud assembly to", envCDKOutdir, envCDKOutdir)
	}
	outdir = abs(e, outdir)
	// The stacks take no context from the CDK CLI: jsii's Node.js process,
	// started later, inherits this process's environment.
	for _, name := range envCDKContext {
		os.Unsetenv(name)
	}
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	cache := filepath.Join(root, "out")
	if opts.cache != "" {
		cache = abs(e, opts.cache)
	}
	files, p, err := compiler.Stacks(os.DirFS(root), append(e.options(noStacks), e.stacks(), compiler.ReuseStacks(cache))...)
	if err != nil {
		return err
	}
	warn(e, p)
	if len(files) == 0 {
		return fmt.Errorf("the platform has no AWS stacks: it defines no cluster")
	}
	stacks := 0
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".template.json") {
			stacks++
		}
		name, ok := strings.CutPrefix(f.Path, layout.CDK+"/")
		if !ok {
			continue
		}
		dst := filepath.Join(outdir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "wrote the cloud assembly of %s to %s\n", words.Plural(stacks, "stack"), rel(e, outdir))
	return nil
}

// isTerminal reports whether w is a terminal, where progress is shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
