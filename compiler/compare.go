package compiler

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gitpub"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/plan"
)

// Comparison is the platform compiled at a base revision and in the work
// tree: what diff and plan compare.
type Comparison struct {
	Base, Head           *fstree.Tree
	BaseModel, HeadModel *model.Platform
	// BaseErr is why the base does not compile, or has no platform at
	// all; Base is then empty and BaseModel nil.
	BaseErr error
	// BaseName names the base: "<commit>, <how it was chosen>".
	BaseName string
}

// Compare compiles the platform whose root is the folder root twice: as
// the revision ref of its git repository has it ("" is the merge base
// with the default branch), read from git's object store with no
// checkout, and as the work tree has it, uncommitted changes included.
// The base is compiled without a date (Today): what expired since is no
// reason to refuse it. With WithAWS, each side reuses the stacks of its
// own out/ folder where their inputs did not change (ReuseStacks): the
// base's as committed, the work tree's as built, each file by the SHA-256
// its manifest lists; the bytes of those that differ between the sides
// are read.
func Compare(root, ref string, opts ...Option) (*Comparison, error) {
	repo, err := gitpub.Open(root)
	if err != nil {
		return nil, err
	}
	var commit gitpub.Commit
	how := ref
	if ref == "" {
		commit, how, err = repo.DefaultBase()
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
	// The sides are compiled at once (one after the other with the AWS
	// stacks: jsii is one Node.js process), sharing the caches: each
	// tenant the change does not touch is evaluated and generated once.
	c := &Comparison{BaseName: fmt.Sprintf("%s, %s", commit.Short(), how)}
	done := make(chan struct{})
	var base fs.FS
	compileBase := func() {
		defer close(done)
		var err error
		base, err = commit.FS(filepath.ToSlash(sub))
		if err == nil {
			c.Base, c.BaseModel, err = Compile(base, slices.Concat(opts, []Option{Today(time.Time{}), reuse(committedOut(base))})...)
		}
		if err != nil {
			c.Base, c.BaseModel, c.BaseErr = &fstree.Tree{}, nil, err
		}
	}
	if collect(opts).aws {
		compileBase()
	} else {
		go compileBase()
	}
	out := filepath.Join(root, "out")
	c.Head, c.HeadModel, err = Compile(os.DirFS(root), slices.Concat(opts, []Option{reuse(builtOut(out))})...)
	<-done
	if err != nil {
		return nil, err
	}
	// Each side reused its stacks by their sums: the bytes of those that
	// differ from the other side's are read now.
	if c.BaseErr == nil {
		if err := c.Base.ReadDiffering(c.Head, func(p string) ([]byte, error) { return fs.ReadFile(base, path.Join("out", p)) }); err != nil {
			return nil, fmt.Errorf("%s: %w", c.BaseName, err)
		}
	}
	if err := c.Head.ReadDiffering(c.Base, func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(out, filepath.FromSlash(p))) }); err != nil {
		return nil, err
	}
	return c, nil
}

// builtOut reads a folder of the output folder out as a build does
// (fstree.Prepared.Previous): the bytes of the stacks file, and of the
// files changed since the manifest was written, only.
func builtOut(out string) func(folder string) (*fstree.Tree, error) {
	return func(folder string) (*fstree.Tree, error) {
		return fstree.ReadFolderListed(out, folder, path.Join(folder, cdk.StacksFile))
	}
}

// committedOut reads a folder of the out/ folder of base: the bytes of
// the stacks file only, the others' sums from the manifest committed with
// them (fstree.ReadFSListed).
func committedOut(base fs.FS) func(folder string) (*fstree.Tree, error) {
	return func(folder string) (*fstree.Tree, error) {
		out, err := fs.Sub(base, "out")
		if err != nil {
			return nil, err
		}
		return fstree.ReadFSListed(out, folder, path.Join(folder, cdk.StacksFile))
	}
}

// Diff is the report of how the generated objects differ, base to head.
func (c *Comparison) Diff() (*diff.Report, error) {
	report, err := diff.Trees(c.Base, c.Head)
	if err != nil {
		return nil, err
	}
	report.Generations(c.BaseModel, c.HeadModel)
	report.Base = c.BaseName
	if c.BaseErr != nil {
		report.BaseErr = c.BaseErr.Error()
	}
	return report, nil
}

// Plan orders the steps that take the live platform from the base to the
// head. A base that does not compile has no stacks: everything is new.
func (c *Comparison) Plan() (plan.Plan, error) {
	head, err := plan.SideOf(c.HeadModel, c.Head)
	if err != nil {
		return plan.Plan{}, err
	}
	base := plan.Side{Tree: c.Base}
	if c.BaseErr == nil {
		if base, err = plan.SideOf(c.BaseModel, c.Base); err != nil {
			return plan.Plan{}, err
		}
	}
	return plan.Make(base, head), nil
}
