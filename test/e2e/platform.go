package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// platform is a working copy of a platform repository, as a platform
// team's CI has it, and the platformc binary built from this repository.
type platform struct {
	dir string   // the working copy: a git repository
	bin string   // platformc
	env []string // what platformc runs with
}

// platformSources are what a platform repository holds besides out/.
var platformSources = []string{"platform.cue", "tenants", "clusters", "cdk.json", "out"}

// newPlatform copies the platform at src into dir (its sources and its
// committed out/, whose CDK stacks spare a synthesis), builds platformc from
// repo, and makes the copy a git repository with one commit.
func newPlatform(ctx context.Context, repo, src, dir, binDir string, env []string) (*platform, error) {
	p := &platform{dir: dir, bin: filepath.Join(binDir, "platformc"), env: env}
	build := exec.CommandContext(ctx, "go", "build", "-o", p.bin, "./cmd/platformc")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building platformc: %v\n%s", err, out)
	}
	for _, name := range platformSources {
		if err := copyTree(filepath.Join(src, name), filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	if err := p.git("init", "--quiet", "--initial-branch=main"); err != nil {
		return nil, err
	}
	return p, p.commit("the platform under test")
}

// run runs platformc in the working copy and returns what it printed.
func (p *platform) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("platformc %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// commit records every change of the working copy, as the pull request
// that CI publishes would.
func (p *platform) commit(msg string) error {
	if err := p.git("add", "-A"); err != nil {
		return err
	}
	return p.git("-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "--quiet", "--allow-empty", "-m", msg)
}

// head returns the commit of the working copy's HEAD.
func (p *platform) head() (string, error) {
	cmd := exec.Command("git", "rev-parse", "HEAD")
	cmd.Dir = p.dir
	cmd.Env = p.env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse HEAD: %v", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (p *platform) git(args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// path returns a file of the working copy.
func (p *platform) path(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }

// copyTree copies a file or a folder; symlinks are refused.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}
