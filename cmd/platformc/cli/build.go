package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
)

type buildOptions struct {
	out string
}

func newBuildCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts buildOptions
	cmd := &cobra.Command{
		Use:   "build [--out DIR]",
		Short: "Validate the platform and write every output to out/",
		Long: `build validates the platform's sources and writes the generated outputs to
the output folder (out/ under the platform's root unless --out says
otherwise).

The folder is replaced atomically: a build that fails for any reason
leaves it exactly as it was. Files that are no longer generated are
removed. out/platformc.json lists every file with the tenant and cluster it
came from. build refuses to replace a non-empty folder that has no
platformc.json, so it never deletes a folder it did not write.`,
		Example: `  # Build the platform of the current repository into out/
  platformc build

  # Build into another folder
  platformc build --out /tmp/manifests`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(buildRun(e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "output folder (default: out/ under the platform's root)")
	return cmd
}

func buildRun(e *env, rf *rootFlags, opts *buildOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	tree, p, err := compiler.Compile(os.DirFS(root))
	if err != nil {
		return err
	}
	out := filepath.Join(root, "out")
	if opts.out != "" {
		out = abs(e, opts.out)
	}
	if err := fstree.Write(out, tree); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "built %s: %s for %s on %s\n", rel(e, out), plural(tree.Len(), "file"), plural(len(p.Tenants), "tenant"), plural(len(p.Clusters), "cluster"))
	return nil
}
