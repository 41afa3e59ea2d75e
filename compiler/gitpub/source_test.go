package gitpub_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-billy/v5/util"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/platformc/platformc/compiler/gitpub"
)

func commitFiles(t *testing.T, r *git.Repository, files map[string]string, n int) *object.Commit {
	t.Helper()
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	for p, d := range files {
		if err := util.WriteFile(wt.Filesystem, p, []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "dev", Email: "dev@example.com", When: time.Date(2026, 1, n, 0, 0, 0, 0, time.UTC)}
	h, err := wt.Commit("c", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTreeFS checks the file system of a commit (Commit.FS) against the io/fs
// contract, and that it shows the commit, not the work tree.
func TestTreeFS(t *testing.T) {
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitpub.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := commitFiles(t, r, map[string]string{
		"README.md":                    "repo",
		"platform/platform.cue":        "platform: {}",
		"platform/tenants/billing.cue": "tenants: billing: {}",
		"platform/clusters/prod.cue":   "clusters: prod: {}",
	}, 1)
	commitFiles(t, r, map[string]string{"platform/tenants/billing.cue": "changed", "platform/tenants/shop.cue": "new"}, 2)

	c, err := repo.Commit(first.Hash.String())
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := c.FS("platform")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, "platform.cue", "tenants/billing.cue", "clusters/prod.cue"); err != nil {
		t.Fatal(err)
	}
	data, err := fs.ReadFile(fsys, "tenants/billing.cue")
	if err != nil || string(data) != "tenants: billing: {}" {
		t.Errorf("tenants/billing.cue at the first commit: %q, %v", data, err)
	}
	if _, err := fs.Stat(fsys, "tenants/shop.cue"); err == nil {
		t.Error("a file of a later commit is visible")
	}
	if _, err := c.FS("nowhere"); err == nil {
		t.Error("a missing folder opened")
	}
}

// TestDefaultBase finds the merge base of a branch with main.
func TestDefaultBase(t *testing.T) {
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := gitpub.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := commitFiles(t, r, map[string]string{"a": "1"}, 1)
	wt, _ := r.Worktree()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: "refs/heads/feature", Create: true}); err != nil {
		t.Fatal(err)
	}
	commitFiles(t, r, map[string]string{"a": "2"}, 2)
	got, what, err := repo.DefaultBase()
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != base.Hash.String() || what != "merge base with master" && what != "merge base with main" {
		t.Errorf("base %s (%s), want %s", got.Hash, what, base.Hash)
	}
}

// TestOpenLinked opens repositories whose objects or refs live in another
// folder, as git makes them: a linked work tree (git worktree add) and a
// clone borrowing its source's objects (git clone --shared, --reference,
// as CI runners with a mirror make them). Each must resolve its HEAD,
// read its commits, find its default base and list its changes.
func TestOpenLinked(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	gitCmd(t, dir, "init", "--quiet", "--initial-branch=main", "src")
	if err := os.WriteFile(filepath.Join(src, "platform.cue"), []byte("platform: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, src, "add", "-A")
	gitCmd(t, src, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "--quiet", "-m", "base")
	base := strings.TrimSpace(gitCmd(t, src, "rev-parse", "HEAD"))
	gitCmd(t, src, "worktree", "add", "--quiet", "-b", "feature", filepath.Join(dir, "worktree"))
	gitCmd(t, dir, "clone", "--quiet", "--shared", src, "shared")

	for _, name := range []string{"worktree", "shared"} {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(dir, name)
			if err := os.WriteFile(filepath.Join(root, "platform.cue"), []byte("platform: {changed: true}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			repo, err := gitpub.Open(root)
			if err != nil {
				t.Fatal(err)
			}
			if repo.Root != root {
				t.Errorf("root %s, want %s", repo.Root, root)
			}
			c, err := repo.Commit("HEAD")
			if err != nil {
				t.Fatal(err)
			}
			if c.Hash != base {
				t.Errorf("HEAD is %s, want %s", c.Hash, base)
			}
			fsys, err := c.FS("")
			if err != nil {
				t.Fatal(err)
			}
			if data, err := fs.ReadFile(fsys, "platform.cue"); err != nil || string(data) != "platform: {}\n" {
				t.Errorf("platform.cue at HEAD: %q, %v", data, err)
			}
			if got, _, err := repo.DefaultBase(); err != nil || got.Hash != base {
				t.Errorf("default base %s, %v; want %s", got.Hash, err, base)
			}
			changed, err := repo.Changed("", "platform.cue")
			if err != nil || !slices.Equal(changed, []string{"platform.cue (modified)"}) {
				t.Errorf("changed: %q, %v", changed, err)
			}
		})
	}
}

// TestReadConcurrently reads many files of a commit at once, as Load
// does, where the commit is a loose object and the files' blobs are in
// packs: of the repository itself, or of the one it borrows from. Each is
// found (go-git reads a repository's pack indexes when it first needs
// one, and two goroutines must not both do it).
func TestReadConcurrently(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	const n = 200
	commit := func(dir, first string) {
		if err := os.WriteFile(filepath.Join(dir, "t000.cue"), []byte(first), 0o644); err != nil {
			t.Fatal(err)
		}
		gitCmd(t, dir, "add", "-A")
		gitCmd(t, dir, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "--quiet", "-m", "c")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	gitCmd(t, dir, "init", "--quiet", "--initial-branch=main", "src")
	for i := 1; i < n; i++ {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("t%03d.cue", i)), []byte(fmt.Sprintf("tenant: %d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	commit(src, "tenant: 0\n")
	gitCmd(t, dir, "clone", "--quiet", "--shared", src, "clone")
	gitCmd(t, src, "repack", "-a", "-d", "--quiet")
	commit(src, "tenant: changed\n")
	commit(filepath.Join(dir, "clone"), "tenant: changed\n")

	for _, name := range []string{"src", "clone"} {
		t.Run(name, func(t *testing.T) {
			repo, err := gitpub.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			c, err := repo.Commit("HEAD")
			if err != nil {
				t.Fatal(err)
			}
			fsys, err := c.FS("")
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					data, err := fs.ReadFile(fsys, fmt.Sprintf("t%03d.cue", i))
					want := fmt.Sprintf("tenant: %d\n", i)
					if i == 0 {
						want = "tenant: changed\n"
					}
					if err != nil || string(data) != want {
						t.Errorf("t%03d.cue: %q, %v", i, data, err)
					}
				})
			}
			wg.Wait()
		})
	}
}
