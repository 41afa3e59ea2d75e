package cli

import (
	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diff"
)

// ExitDiff is the exit code of "diff --exit-code" when the outputs differ.
const ExitDiff = 3

type diffOptions struct {
	base     string
	format   string
	exitCode bool
}

func newDiffCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := diffOptions{format: "text"}
	cmd := &cobra.Command{
		Use:   "diff [--base REF] [--format text|markdown|json] [--exit-code]",
		Short: "Show what the work tree changes in the generated outputs",
		Long: `diff compiles the platform's sources twice — as they are at the base revision,
read from git's object store with no checkout, and as they are in the work
tree, uncommitted changes included — and shows how the generated objects
differ: a summary per tenant and cluster, risky changes first, then each
changed object. Objects are matched by identity, so moving or reordering
them is no change.

The default base is the merge base of HEAD with the default branch
(origin's HEAD, main or master): what a pull request is reviewed against.
A base that does not compile is reported, and its outputs count as empty.

--format markdown fits one pull request comment (at most 65,536
characters, tenant sections collapsed); --format json is for bots.
diff exits 0 whether or not there are differences; with --exit-code it
exits 3 when there are.`,
		Example: `  # What does my change do?
  platformc diff

  # Against a given revision, as a pull request comment
  platformc diff --base origin/main --format markdown > comment.md`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := reportFormat(opts.format); err != nil {
				return err
			}
			return diffRun(e, rf, &opts)
		},
	}
	cmd.Flags().StringVar(&opts.base, "base", "", "the revision to compare with (default: the merge base with the default branch)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "text, markdown or json")
	cmd.Flags().BoolVar(&opts.exitCode, "exit-code", false, "exit 3 when the outputs differ")
	return cmd
}

func diffRun(e *env, rf *rootFlags, opts *diffOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	c, err := compare(e, root, opts.base, builtStacks)
	if err != nil {
		return fail(err)
	}
	report, err := c.Diff()
	if err != nil {
		return fail(err)
	}
	switch opts.format {
	case "markdown":
		err = report.Markdown(e.stdout, diff.MarkdownLimit)
	case "json":
		err = report.JSON(e.stdout)
	default:
		err = report.Text(e.stdout)
	}
	if err != nil {
		return fail(err)
	}
	if opts.exitCode && len(report.Changes) > 0 {
		return exitCode(ExitDiff)
	}
	return nil
}

// compare compiles the platform at root at the base revision ref and in
// the work tree (compiler.Compare), printing the work tree's warnings.
func compare(e *env, root, ref string, aws stacks) (*compiler.Comparison, error) {
	c, err := compiler.Compare(root, ref, e.options(aws)...)
	if err != nil {
		return nil, err
	}
	warn(e, c.HeadModel)
	return c, nil
}
