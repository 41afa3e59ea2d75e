package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/internal/words"
)

type buildOptions struct {
	out   string
	check bool
}

func newBuildCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts buildOptions
	cmd := &cobra.Command{
		Use:   "build [--out DIR]",
		Short: "Validate the platform and write every output to out/",
		Long: `build validates the platform's sources and writes the generated outputs to
the output folder (out/ under the platform's root unless --out says
otherwise).

Only the files whose bytes change are written, under a journal kept beside
the folder: a build that fails for any reason leaves it exactly as it
was, and the next platformc command undoes a build that was interrupted.
Files that are no longer generated, or were added by hand, are removed;
files edited by hand are written again. out/platformc.json lists every
file with the tenant and cluster it came from. build refuses to replace a
non-empty folder that has no platformc.json, so it never deletes a folder
it did not write. One platformc at a time uses an output folder: build and
publish hold a lock on it (.out.lock beside it), and another one fails at
once with a message naming the holder.

Each tenant's evaluation, generated files and policy findings are kept in
a cache, keyed by the content they were computed from, so that a build
after a change redoes only the tenants it touched. A build also records
every source it read and seals the output folder; when nothing it read
changed and the folder still holds exactly what it wrote, the next build
(same binary, date and PLATFORMC_AWS) says what it said then and stops.
PLATFORMC_CACHE names the cache's folder (default: platformc/ in the
user's cache folder; "off" for none); it is safe to delete at any time.

With --check, build writes nothing: it exits 1 and lists the files of the
output folder that differ from a fresh build — the CI gate against hand
edits and stale outputs. It uses no cache and synthesises every AWS stack:
it trusts nothing it did not compute.`,
		Example: `  # Build the platform of the current repository into out/
  platformc build

  # Build into another folder
  platformc build --out /tmp/manifests

  # In CI: fail if the committed out/ is not what the sources produce
  platformc build --check`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(buildRun(e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "output folder (default: out/ under the platform's root)")
	cmd.Flags().BoolVar(&opts.check, "check", false, "write nothing; fail if the output folder is not what a build would write")
	return cmd
}

func buildRun(e *env, rf *rootFlags, opts *buildOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	out := filepath.Join(root, "out")
	if opts.out != "" {
		out = abs(e, opts.out)
	}
	if opts.check {
		return check(e, root, out)
	}
	r, err := compiler.Build(root, out, e.options(builtStacks)...)
	if err != nil {
		return err
	}
	for _, w := range r.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
	fmt.Fprintf(e.stdout, "built %s: %s for %s on %s\n", rel(e, out), words.Plural(r.Files, "file"), words.Plural(r.Tenants, "tenant"), words.Plural(r.Clusters, "cluster"))
	return nil
}

// check lists how the output folder and the lock files differ from a
// fresh build (compiler.Check).
func check(e *env, root, out string) error {
	c, err := compiler.Check(root, out, e.options(builtStacks)...)
	if err != nil {
		return err
	}
	for _, name := range c.Locks {
		fmt.Fprintf(e.stderr, "%-8s %s\n", "stale", rel(e, filepath.Join(root, filepath.FromSlash(name))))
	}
	for _, d := range c.Out {
		fmt.Fprintf(e.stderr, "%-8s %s\n", d.How, filepath.Join(rel(e, out), d.Path))
	}
	if n := len(c.Locks) + len(c.Out); n > 0 {
		return fmt.Errorf("%s is not what the sources produce (%s): run 'platformc build' and commit the result", rel(e, out), words.Plural(n, "file"))
	}
	fmt.Fprintf(e.stdout, "%s is up to date: %s\n", rel(e, out), words.Plural(c.Files, "file"))
	return nil
}
