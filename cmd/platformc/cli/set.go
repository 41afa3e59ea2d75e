package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/internal/atomicfile"
	"github.com/platformc/platformc/internal/cueedit"
)

func newSetCmd(e *env, rf *rootFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Change one value of a tenant's file, validated",
		Long: `set changes one value of the platform's sources in place, the way a careful
person would: only the bytes of that value change, and the file is written
only if the whole platform is valid with the change.`,
		Args: subcommandArgs,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newSetImageCmd(e, rf))
	return cmd
}

type setImageOptions struct {
	job bool
}

func newSetImageCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts setImageOptions
	cmd := &cobra.Command{
		Use:   "image [--job] TENANT SERVICE IMAGE",
		Short: "Set the image of a tenant's service or job",
		Long: `set image sets the image of service SERVICE (with --job, of job SERVICE) of
tenant TENANT in tenants/TENANT.cue. It is what an application repository's
CI runs after pushing an image.

Only the value changes: comments, layout and every other line of the file
stay as written, so the change is a one-line diff. The whole platform is
validated with the change in memory first; if anything is wrong — an image
that is not pinned by a tag or digest, or any other error in the platform —
the errors are printed as file:line:col: path: message, the file is left
untouched and set exits 1. The file is replaced atomically.

Setting the image a workload already has changes nothing and exits 0.`,
		Example: `  # In the application's CI, after pushing the image
  platformc set image billing api 111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/billing-api:1.4.3

  # A scheduled job
  platformc set image --job billing invoice 111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/billing-batch:1.4.3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 3 {
				return fmt.Errorf("%s needs 3 arguments, TENANT SERVICE IMAGE; got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return completeSetImage(e, rf, &opts, args, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("tenant", args[0]); err != nil {
				return err
			}
			return setImageRun(e, rf, &opts, args[0], args[1], args[2])
		},
	}
	cmd.Flags().BoolVar(&opts.job, "job", false, "set the image of a job rather than a service")
	return cmd
}

func setImageRun(e *env, rf *rootFlags, opts *setImageOptions, tenant, workload, image string) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	kind := cueedit.Services
	if opts.job {
		kind = cueedit.Jobs
	}
	file := sourceFile(load.TenantsDir, tenant)
	src, err := os.ReadFile(onDisk(root, file))
	if errors.Is(err, fs.ErrNotExist) {
		return fail(fmt.Errorf("unknown tenant %q: there is no %s (tenants: %s)", tenant, file, orNone(entryNames(root, load.TenantsDir))))
	}
	if err != nil {
		return fail(err)
	}
	out, changes, err := cueedit.SetImage(file, src, tenant, kind, workload, image)
	var notFound *cueedit.NotFoundError
	if err != nil && !errors.As(err, &notFound) {
		// A file that does not parse: the loader says where.
		if _, lerr := validateWith(e, root, nil); lerr != nil {
			return invalidPlatform(e, lerr)
		}
	}
	if err != nil {
		return fail(err)
	}
	path := cuePathOf("tenants", tenant, kind, workload, "image")
	if string(out) == string(src) {
		fmt.Fprintf(e.stdout, "%s: %s is already %s: nothing to change\n", file, path, changes[0].New)
		return nil
	}
	if _, err := validateWith(e, root, map[string][]byte{file: out}); err != nil {
		return rejected(e, err, file+" is unchanged")
	}
	// Someone may have saved the file while the platform was validated.
	if now, err := os.ReadFile(onDisk(root, file)); err != nil || string(now) != string(src) {
		return fail(fmt.Errorf("%s was changed by someone else while the image was being set; it is left as they wrote it: run set image again", file))
	}
	if err := atomicfile.WriteFile(onDisk(root, file), out); err != nil {
		return fail(err)
	}
	for _, c := range changes {
		old := c.Old
		if old == "" {
			old = "(not set)"
		}
		fmt.Fprintf(e.stdout, "%s:%d:%d: %s: %s -> %s\n", file, c.Pos.Line, c.Pos.Column, path, old, c.New)
	}
	return nil
}
