package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/load"
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
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	p, err := load.Load(os.DirFS(root), load.Today(e.today))
	if err != nil {
		return err
	}
	warn(e, p)
	fmt.Fprintf(e.stdout, "ok: %s on %s\n", plural(len(p.Tenants), "tenant"), plural(len(p.Clusters), "cluster"))
	return nil
}
