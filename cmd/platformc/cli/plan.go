package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

type planOptions struct {
	base   string
	format string
}

func newPlanCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := planOptions{format: "text"}
	cmd := &cobra.Command{
		Use:   "plan [--base REF] [--format text|markdown|json]",
		Short: "Order the steps that deliver the work tree: stacks to deploy, manifests to publish, what to drain and destroy",
		Long: `plan compares the platform at the base revision with the work tree, as diff
does, and lists the steps that make the live platform match the work tree,
each with why, in the order the platform needs:

  1. deploy, before publishing, the new or changed AWS stacks (found by
     their input hashes) but the DNS stacks: a tenant's IAM role and secret
     before its SecretStore is published, a green generation's cluster and
     the SSM parameters of its registration before the registration;
  2. publish the changed manifests;
  3. deploy the changed DNS stacks, once Argo CD reports synced the
     generations their weights move towards;
  4. drain each generation retired and each tenant leaving a cluster: wait
     until Argo CD has deleted their objects, those that own cloud
     resources (load balancers, nodes) first;
  5. destroy the stacks no longer generated, dependents first.

--format json is the form CI executes (docs/ci/README.md):
{"steps": [{"action": "deploy"|"publish"|"drain"|"destroy",
"stacks": [...], "paths": [...], "reason": "..."}]}. The stacks are planned,
not synthesised: plan starts no Node.js.`,
		Example: `  # What will delivering my change do, in which order?
  platformc plan

  # What CI runs after a merge
  platformc plan --base HEAD~1 --format json > plan.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := reportFormat(opts.format); err != nil {
				return err
			}
			return planRun(e, rf, &opts)
		},
	}
	cmd.Flags().StringVar(&opts.base, "base", "", "the revision the live platform is at (default: the merge base with the default branch)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "text, markdown or json")
	return cmd
}

func planRun(e *env, rf *rootFlags, opts *planOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	// The manifests are compiled without the AWS side: the stacks are
	// compared by their input hashes, which planning them gives.
	c, err := compare(e, root, opts.base, noStacks)
	if err != nil {
		return fail(err)
	}
	if c.BaseErr != nil {
		fmt.Fprintf(e.stderr, "platformc: the base (%s) does not compile, so everything is planned as new:\n%v\n", c.BaseName, c.BaseErr)
	}
	p, err := c.Plan()
	if err != nil {
		return fail(err)
	}
	switch opts.format {
	case "markdown":
		err = p.Markdown(e.stdout, c.BaseName)
	case "json":
		err = p.JSON(e.stdout)
	default:
		err = p.Text(e.stdout, c.BaseName)
	}
	if err != nil {
		return fail(err)
	}
	return nil
}
