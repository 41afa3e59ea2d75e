package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/policy"
	"github.com/platformc/platformc/internal/words"
)

type lintOptions struct{ format string }

func newLintCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := lintOptions{format: "text"}
	cmd := &cobra.Command{
		Use:   "lint [--format text|json]",
		Short: "Check the generated workloads against the platform's policy",
		Long: `lint compiles the platform and runs the policy checks alone: resources,
probes, a restricted security context, image registries (never Docker Hub),
immutable tags, and in production at least 2 replicas and a
PodDisruptionBudget. platform.cue sets each check's severity under
policy.checks; build runs the same checks and fails on errors.

Each finding names the tenant file and line that produced the object. A
tenant may waive a check until a date, with a reason:

  exemptions: "prod-replicas": {
      reason:  "a singleton until the leader election lands"
      expires: "2026-12-31"
  }

An exempted finding is a warning; an expired exemption is an error.
--format json prints the findings for CI annotations. lint exits 1 when
there is an error.`,
		Example: `  platformc lint
  platformc lint --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.format != "text" && opts.format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", opts.format)
			}
			return lintRun(e, rf, &opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "text or json")
	return cmd
}

func lintRun(e *env, rf *rootFlags, opts *lintOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	_, findings, err := compiler.Lint(os.DirFS(root), e.options(noStacks)...)
	if err != nil {
		return fail(err)
	}
	if opts.format == "json" {
		data, err := encode.JSON(append([]policy.Finding{}, findings...))
		if err != nil {
			return fail(err)
		}
		e.stdout.Write(data)
	} else {
		for _, f := range findings {
			fmt.Fprintln(e.stdout, f)
		}
		fmt.Fprintf(e.stdout, "%s, %s\n", words.Plural(len(policy.Errors(findings)), "error"), words.Plural(len(findings)-len(policy.Errors(findings)), "warning"))
	}
	if n := len(policy.Errors(findings)); n > 0 {
		return fail(fmt.Errorf("policy: %s", words.Plural(n, "error")))
	}
	return nil
}
