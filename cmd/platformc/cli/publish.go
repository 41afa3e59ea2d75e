package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gitpub"
)

// The environment variables publish reads credentials and identity from.
const (
	envToken      = "PLATFORMC_GIT_TOKEN"    // HTTPS token (password)
	envUser       = "PLATFORMC_GIT_USERNAME" // HTTPS user name, default x-access-token
	envSSHKeyPass = "PLATFORMC_SSH_KEY_PASSPHRASE"
	envAuthorName = "GIT_AUTHOR_NAME"
	envAuthorMail = "GIT_AUTHOR_EMAIL"
	envEpoch      = "SOURCE_DATE_EPOCH" // the commit time, for reproducible commits
)

type publishOptions struct {
	repo, branch, path, message, sshKey string
	timeout                             time.Duration
	allowDirty                          bool
}

// published are the files of a platform that its outputs come from, and
// its outputs: what must not differ from the commit a publish names.
var published = []string{"platform.cue", "tenants", "clusters", "out"}

func newPublishCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := publishOptions{branch: "main", timeout: 10 * time.Minute}
	cmd := &cobra.Command{
		Use:   "publish --repo URL|PATH [--branch B] [--path P] [--message M]",
		Short: "Commit the generated outputs to the manifest repository and push",
		Long: `publish compiles the platform and makes folder P of branch B of the manifest
repository hold exactly the generated outputs, as one new commit that names
the source commit and summarises the change, and pushes it. Nothing is
committed when nothing changed.

The commit names the source repository (its origin), the source commit and
platformc's version. So that it names them truthfully, publish refuses a
platform whose platform.cue, tenants/, clusters/ or out/ differ from the
commit checked out (modified, staged or new files), listing them; with
--allow-dirty it publishes them anyway and says so in the commit.

A push rejected because the branch moved meanwhile is retried on top of it
(5 times at most); nothing is ever force-pushed.

Credentials come from the environment and are never printed:
` + envToken + ` (an HTTPS token; ` + envUser + ` sets the user name,
default x-access-token), or --ssh-key with ` + envSSHKeyPass + `; a user
and token written in an HTTPS URL are used, and not printed, too. A publish
that has not ended within --timeout (a repository that does not answer)
fails; publishing again commits only what the branch still lacks.
The commit's author is ` + envAuthorName + ` <` + envAuthorMail + `> (default
platformc), its time ` + envEpoch + ` if set.`,
		Example: `  # In CI, after merging to main
  PLATFORMC_GIT_TOKEN=$TOKEN platformc publish --repo https://github.com/acme/manifests.git

  # Into a folder of a local repository
  platformc publish --repo ../manifests --path platform`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.repo == "" {
				return errors.New("--repo is required")
			}
			return fail(publishRun(cmd.Context(), e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.repo, "repo", "", "the manifest repository: URL or local path")
	cmd.Flags().StringVar(&opts.branch, "branch", opts.branch, "the branch to commit to")
	cmd.Flags().StringVar(&opts.path, "path", "", "the folder of the repository to replace (default: its root)")
	cmd.Flags().StringVar(&opts.message, "message", "", "the commit's subject (default: names the source commit)")
	cmd.Flags().StringVar(&opts.sshKey, "ssh-key", "", "private key file for SSH URLs")
	cmd.Flags().BoolVar(&opts.allowDirty, "allow-dirty", false, "publish sources that differ from the commit checked out, and say so in the commit")
	cmd.Flags().DurationVar(&opts.timeout, "timeout", opts.timeout, "give up when the repository has not answered within this time")
	return cmd
}

func publishRun(ctx context.Context, e *env, rf *rootFlags, opts *publishOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	src, err := provenance(root, opts.allowDirty)
	if err != nil {
		return err
	}
	out := filepath.Join(root, "out")
	unlock, err := fstree.Lock(out, "publish")
	if err != nil {
		return err
	}
	defer unlock()
	tree, p, err := compiler.Compile(os.DirFS(root), append(e.options(builtStacks), compiler.ReuseStacks(out))...)
	if err != nil {
		return err
	}
	warn(e, p)
	now := time.Now
	if epoch := os.Getenv(envEpoch); epoch != "" {
		var sec int64
		if _, err := fmt.Sscan(epoch, &sec); err != nil {
			return fmt.Errorf("%s=%q: not a number of seconds", envEpoch, epoch)
		}
		now = func() time.Time { return time.Unix(sec, 0).UTC() }
	}
	po := gitpub.Options{
		URL:         opts.repo,
		Branch:      opts.branch,
		Path:        opts.path,
		Message:     opts.message,
		Source:      src.commit,
		SourceRepo:  src.repo,
		Uncommitted: src.uncommitted,
		Generator:   "platformc " + version(),
		Credentials: gitpub.Credentials{
			SSHKeyFile:       opts.sshKey,
			SSHKeyPassphrase: os.Getenv(envSSHKeyPass),
			Token:            os.Getenv(envToken),
			Username:         os.Getenv(envUser),
		},
		AuthorName:  os.Getenv(envAuthorName),
		AuthorEmail: os.Getenv(envAuthorMail),
		Now:         now,
		Log:         e.stderr,
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	repo := gitpub.PlainURL(opts.repo)
	res, err := gitpub.Publish(ctx, tree, po)
	switch {
	case errors.Is(err, gitpub.ErrNoChanges):
		fmt.Fprintf(e.stdout, "nothing to publish: %s %s already holds these outputs\n", repo, opts.branch)
		return nil
	case ctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("publishing to %s: not done within %s (--timeout); publish again: it commits only what the branch still lacks", repo, opts.timeout)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "published %s to %s %s: %d added, %d modified, %d removed\n", res.Commit[:12], repo, opts.branch, res.Added, res.Modified, res.Removed)
	return nil
}

// source is where the published outputs come from.
type source struct {
	commit, repo string
	uncommitted  []string // files that differ from commit
}

// provenance finds the commit the platform at root is checked out at, and
// refuses one whose sources or outputs differ from it, unless allowDirty.
func provenance(root string, allowDirty bool) (source, error) {
	repo, err := gitpub.Open(root)
	var head gitpub.Commit
	if err == nil {
		head, err = repo.Head()
	}
	if err != nil {
		if allowDirty {
			return source{uncommitted: []string{"(no source commit)"}}, nil
		}
		return source{}, fmt.Errorf("%w\npublish names the commit its outputs come from: commit the platform, or publish --allow-dirty", err)
	}
	sub, err := filepath.Rel(repo.Root, root)
	if err != nil {
		return source{}, err
	}
	changed, err := repo.Changed(filepath.ToSlash(sub), published...)
	if err != nil {
		return source{}, err
	}
	if len(changed) > 0 && !allowDirty {
		return source{}, fmt.Errorf("the platform differs from commit %s, which publish would name as its source:\n  %s\ncommit these files, or publish --allow-dirty", head.Short(), strings.Join(changed, "\n  "))
	}
	return source{commit: head.Hash, repo: repo.Remote(), uncommitted: changed}, nil
}
