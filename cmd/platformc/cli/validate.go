package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/internal/words"
)

func newValidateCmd(e *env, rf *rootFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the platform's sources without writing anything",
		Long: `validate runs every check that build runs and writes nothing: every cluster
and tenant file against the schema and against each other, the policy over
the objects they generate (exemptions and their dates included), the APIs
each cluster's Kubernetes version no longer serves, and the AWS stacks'
preconditions (planned, not synthesised: no Node.js). It prints each problem
as file:line:col: path: message, and exits 1 when there is any.`,
		Example: `  # Check the platform of the current repository
  platformc validate`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(validateRun(e, rf))
		},
	}
}

func validateRun(e *env, rf *rootFlags) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	p, err := validateWith(e, root, nil)
	if err != nil {
		return err
	}
	warn(e, p)
	fmt.Fprintf(e.stdout, "ok: %s on %s\n", words.Plural(len(p.Tenants), "tenant"), words.Plural(len(p.Clusters), "cluster"))
	return nil
}
