package gitpub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/platformc/platformc/compiler/fstree"
)

// ErrNoChanges means the manifest repository already holds the tree.
var ErrNoChanges = errors.New("no changes to publish")

// Options says where and how to publish.
type Options struct {
	URL     string // the manifest repository: a URL (credentials in it are used when Credentials has none) or a local path
	Branch  string // default "main"
	Path    string // the folder of the repository that the tree replaces; "" is the root
	Message string // the commit's subject; a default names the change
	Source  string // the source commit, named in the message
	// SourceRepo is the source repository's URL, Uncommitted what its
	// work tree changed of the sources at Source, and Generator the
	// version of the program that compiled them: the commit's provenance.
	SourceRepo  string
	Uncommitted []string
	Generator   string
	Credentials Credentials
	AuthorName  string           // default "platformc"
	AuthorEmail string           // default "platformc@localhost"
	Now         func() time.Time // the commit time
	Retries     int              // attempts after a rejected push; default 5
	Log         io.Writer        // progress, or nil

	auth transport.AuthMethod // from Credentials, or from URL
}

// Result is what a publish did.
type Result struct {
	Commit                   string // the new commit, "" when nothing changed
	Added, Modified, Removed int    // files
	Attempts                 int
}

// Publish makes the folder opts.Path of branch opts.Branch hold exactly
// the files of tree, as one new commit on top of the branch, and pushes
// it. It returns ErrNoChanges, and commits nothing, when the branch
// already holds the tree. A push rejected because the branch moved is
// retried on top of the new branch; nothing is ever force-pushed.
func Publish(ctx context.Context, tree *fstree.Tree, opts Options) (Result, error) {
	if opts.Branch == "" {
		opts.Branch = "main"
	}
	if opts.Retries == 0 {
		opts.Retries = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	auth, err := opts.Credentials.auth(opts.URL)
	if err != nil {
		return Result{}, err
	}
	opts.auth, opts.URL = auth, PlainURL(opts.URL)
	if opts.Path = strings.Trim(path.Clean("/"+opts.Path), "/"); opts.Path != "" {
		if err := fstree.CheckPath(opts.Path); err != nil {
			return Result{}, fmt.Errorf("--path: %w", err)
		}
	}
	var res Result
	for res.Attempts = 1; ; res.Attempts++ {
		err := attempt(ctx, tree, opts, &res)
		if err == nil || errors.Is(err, ErrNoChanges) || !rejected(err) || res.Attempts > opts.Retries {
			return res, err
		}
		logf(opts.Log, "push rejected (%v): the branch moved; publishing again on top of it\n", err)
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(time.Duration(res.Attempts) * 50 * time.Millisecond):
		}
	}
}

// rejected reports whether a push failed because the branch moved under
// it, which another attempt can fix.
func rejected(err error) bool {
	msg := err.Error()
	return errors.Is(err, git.ErrForceNeeded) || strings.Contains(msg, "non-fast-forward") ||
		strings.Contains(msg, "fetch first") || strings.Contains(msg, "failed to update ref") ||
		strings.Contains(msg, "cannot lock ref")
}

func attempt(ctx context.Context, tree *fstree.Tree, opts Options, res *Result) error {
	*res = Result{Attempts: res.Attempts}
	repo, wt, err := checkout(ctx, opts)
	if err != nil {
		return err
	}
	if err := replace(wt.Filesystem, opts.Path, tree); err != nil {
		return err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	status, err := wt.Status()
	if err != nil {
		return err
	}
	var changed []string
	for p, s := range status {
		switch s.Staging {
		case git.Added:
			res.Added++
		case git.Modified:
			res.Modified++
		case git.Deleted:
			res.Removed++
		default:
			continue
		}
		changed = append(changed, p)
	}
	if len(changed) == 0 {
		return ErrNoChanges
	}
	sig := object.Signature{Name: opts.AuthorName, Email: opts.AuthorEmail, When: opts.Now()}
	if sig.Name == "" {
		sig.Name, sig.Email = "platformc", "platformc@localhost"
	}
	hash, err := wt.Commit(message(opts, res, changed), &git.CommitOptions{Author: &sig, Committer: &sig})
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	res.Commit = hash.String()
	ref := plumbing.NewBranchReferenceName(opts.Branch)
	err = repo.PushContext(ctx, &git.PushOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec(ref + ":" + ref)},
		Auth:       opts.auth,
	})
	if err != nil {
		res.Commit = ""
		return fmt.Errorf("push: %w", err)
	}
	return nil
}

// checkout clones the branch into memory; an empty repository or a missing
// branch gives an empty work tree whose first commit starts the branch.
func checkout(ctx context.Context, opts Options) (*git.Repository, *git.Worktree, error) {
	ref := plumbing.NewBranchReferenceName(opts.Branch)
	repo, err := git.CloneContext(ctx, memory.NewStorage(), memfs.New(), &git.CloneOptions{
		URL:           opts.URL,
		ReferenceName: ref,
		SingleBranch:  true,
		Auth:          opts.auth,
		Tags:          git.NoTags,
	})
	var missing git.NoMatchingRefSpecError
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository) || errors.As(err, &missing) || (err != nil && strings.Contains(err.Error(), "reference not found")):
		repo, err = git.Init(memory.NewStorage(), memfs.New())
		if err != nil {
			return nil, nil, err
		}
		if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{opts.URL}}); err != nil {
			return nil, nil, err
		}
		if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, ref)); err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, fmt.Errorf("cloning %s: %w", opts.URL, err)
	}
	wt, err := repo.Worktree()
	return repo, wt, err
}

// replace makes dir of fs hold exactly the files of tree.
func replace(fs billy.Filesystem, dir string, tree *fstree.Tree) error {
	root := dir
	if root == "" {
		root = "."
	}
	entries, err := fs.ReadDir(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if err := util.RemoveAll(fs, path.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	for _, p := range tree.Paths() {
		f, _ := tree.Get(p)
		if err := util.WriteFile(fs, path.Join(dir, p), f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// message names the source commit and summarises the change.
func message(opts Options, res *Result, changed []string) string {
	subject := opts.Message
	if subject == "" {
		subject = "platformc: regenerate outputs"
		if opts.Source != "" {
			subject += " for " + short(opts.Source)
		}
		if len(opts.Uncommitted) > 0 {
			subject += " (modified)"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", subject)
	if opts.Source != "" {
		fmt.Fprintf(&b, "Source: %s\n", opts.Source)
	}
	if opts.SourceRepo != "" {
		fmt.Fprintf(&b, "Source-Repository: %s\n", opts.SourceRepo)
	}
	if len(opts.Uncommitted) > 0 {
		fmt.Fprintf(&b, "Uncommitted: %s\n", strings.Join(atMost(opts.Uncommitted, 20), ", "))
	}
	if opts.Generator != "" {
		fmt.Fprintf(&b, "Generator: %s\n", opts.Generator)
	}
	fmt.Fprintf(&b, "Files: %d added, %d modified, %d removed\n", res.Added, res.Modified, res.Removed)
	if areas := areas(opts.Path, changed); len(areas) > 0 {
		fmt.Fprintf(&b, "Changed: %s\n", strings.Join(areas, ", "))
	}
	return b.String()
}

// areas names what the changed files belong to: "tenants/billing",
// "clusters/prod-shared-1-35", "argocd". At most 20, then "...".
func areas(dir string, changed []string) []string {
	var out []string
	for _, p := range changed {
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		parts := strings.SplitN(rel, "/", 3)
		area := parts[0]
		if len(parts) > 2 && (parts[0] == "tenants" || parts[0] == "clusters") {
			area = parts[0] + "/" + parts[1]
		}
		if !slices.Contains(out, area) {
			out = append(out, area)
		}
	}
	slices.Sort(out)
	return atMost(out, 20)
}

// atMost is the first n of list, and "..." if there are more.
func atMost(list []string, n int) []string {
	if len(list) > n {
		return append(list[:n:n], "...")
	}
	return list
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
