package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/owners"
)

type ownersOptions struct{ check bool }

func newOwnersCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts ownersOptions
	cmd := &cobra.Command{
		Use:   "owners [--check]",
		Short: "Write the CODEOWNERS file: each tenant file to its team",
		Long: `owners writes .github/CODEOWNERS under the platform's root: each tenant file
is owned by the tenant's owners (platform.codeowners.prefix turns a team
name into a code owner), so a product team reviews changes to its own file;
everything else belongs to platform.codeowners.platform. With --check it
writes nothing and exits 1 when the file is stale.`,
		Example: `  platformc owners
  platformc owners --check`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(ownersRun(e, rf, &opts))
		},
	}
	cmd.Flags().BoolVar(&opts.check, "check", false, "write nothing; fail if the file is stale")
	return cmd
}

func ownersRun(e *env, rf *rootFlags, opts *ownersOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	p, err := load.Load(os.DirFS(root))
	if err != nil {
		return err
	}
	if len(p.Config.CodeOwners.Platform) == 0 {
		return diag.List{diag.Errorf(p.Config.Pos, "platform.codeowners.platform", "%s", `no code owners for the platform team: everything but the tenant files would have no reviewer (set e.g. platform: ["@acme/platform-team"])`)}
	}
	want := owners.CodeOwners(p)
	file := filepath.Join(root, filepath.FromSlash(owners.File))
	have, _ := os.ReadFile(file)
	switch {
	case bytes.Equal(have, want):
		fmt.Fprintf(e.stdout, "%s is up to date\n", rel(e, file))
		return nil
	case opts.check:
		return fmt.Errorf("%s is stale: run 'platformc owners' and commit it", rel(e, file))
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(file, want, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", rel(e, file))
	return nil
}
