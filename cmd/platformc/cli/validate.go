package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCmd(e *env, rf *rootFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the platform's sources without writing anything",
		Long: `validate checks every cluster and tenant file against the schema and
against each other, and prints each problem as file:line:col: path: message.
It writes nothing. It exits 1 when there is any problem.`,
		Example: `  # Check the platform of the current repository
  platformc validate`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(validateRun(e, rf))
		},
	}
}

func validateRun(e *env, rf *rootFlags) error {
	_, p, err := loadPlatform(e, rf)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ok: %s on %s\n", plural(len(p.Tenants), "tenant"), plural(len(p.Clusters), "cluster"))
	return nil
}
