package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gitpub"
	"github.com/platformc/platformc/compiler/model"
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
	c, err := compileBoth(e, root, opts.base, withAWS(e, outFolder(filepath.Join(root, "out"))))
	if err != nil {
		return fail(err)
	}
	report, err := diff.Trees(c.base, c.head)
	if err != nil {
		return fail(err)
	}
	report.Generations(c.baseModel, c.headModel)
	report.Base = c.what
	if c.baseErr != nil {
		report.BaseErr = c.baseErr.Error()
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

// sides are the platform compiled at a base revision and in the work
// tree.
type sides struct {
	base, head           *fstree.Tree
	baseModel, headModel *model.Platform
	baseErr              error  // why the base does not compile; its tree is then empty
	what                 string // the base: "<commit>, <how it was chosen>"
}

// compileBoth compiles the platform at root twice: as the base revision
// has it (ref; "" is the merge base with the default branch), read from
// git's object store with no checkout, and as the work tree has it,
// uncommitted changes included. A base that does not compile, or has no
// platform at all, is reported in baseErr against empty outputs.
func compileBoth(e *env, root, ref string, aws []compiler.Option) (*sides, error) {
	repo, err := gitpub.Open(root)
	if err != nil {
		return nil, err
	}
	var commit gitpub.Commit
	what := ref
	if ref == "" {
		commit, what, err = repo.DefaultBase()
	} else {
		commit, err = repo.Commit(ref)
	}
	if err != nil {
		return nil, err
	}
	sub, err := filepath.Rel(repo.Root, root)
	if err != nil {
		return nil, err
	}
	// The base and the work tree are compiled at once (one after the
	// other with the AWS stacks: jsii is one Node.js process), sharing
	// the caches: each tenant the change does not touch is evaluated and
	// generated once. Each side reuses the stacks of its own out/: the
	// base's as committed, the work tree's as built.
	s := &sides{what: fmt.Sprintf("%s, %s", commit.Short(), what)}
	done := make(chan struct{})
	compileBase := func() {
		defer close(done)
		baseFS, err := commit.FS(filepath.ToSlash(sub))
		if err == nil {
			s.base, s.baseModel, err = compiler.Compile(baseFS, append(baseStacks(e, baseFS, len(aws) > 0), e.cached()...)...)
		}
		if err != nil {
			s.base, s.baseErr = &fstree.Tree{}, err
		}
	}
	if len(aws) == 0 {
		go compileBase()
	} else {
		compileBase()
	}
	s.head, s.headModel, err = compile(e, os.DirFS(root), aws...)
	<-done
	if err != nil {
		return nil, err
	}
	return s, nil
}

// baseStacks are the options that add the AWS stacks to the base's
// compilation, if aws: the stacks the base commit holds in its out/ are
// reused where their inputs are unchanged, so that a diff right after a
// build starts Node.js for neither side.
func baseStacks(e *env, base fs.FS, aws bool) []compiler.Option {
	if !aws {
		return nil
	}
	return withStacks(e, func() *fstree.Tree {
		if out, err := fs.Sub(base, "out"); err == nil {
			if t, err := fstree.ReadFS(out, layout.CDK); err == nil {
				return t
			}
		}
		return nil
	})
}
