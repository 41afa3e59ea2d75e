package gitpub_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gitpub"
)

const token = "s3cret-token"

// server is a real git server on 127.0.0.1: git http-backend behind
// net/http/cgi, accepting pushes only with the right token.
type server struct {
	dir string // holds manifests.git
	url string
}

func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newServer(t *testing.T) *server {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitCmd(t, dir, "init", "--quiet", "--bare", "--initial-branch=main", "manifests.git")
	gitCmd(t, filepath.Join(dir, "manifests.git"), "config", "http.receivepack", "true")
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + dir, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			nethttp.Error(w, "authentication required", nethttp.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &server{dir: dir, url: srv.URL + "/manifests.git"}
}

// cloneBack clones the branch with the real git CLI and returns its files
// under dir (the .git folder left out), and the log of commit subjects.
func (s *server) cloneBack(t *testing.T, dir string) (map[string]string, []string) {
	t.Helper()
	work := t.TempDir()
	gitCmd(t, work, "clone", "--quiet", "--branch", "main", filepath.Join(s.dir, "manifests.git"), "clone")
	root := filepath.Join(work, "clone")
	files := map[string]string{}
	filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(filepath.Join(root, dir), p)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	log := strings.Split(strings.TrimSpace(gitCmd(t, root, "log", "--format=%s")), "\n")
	return files, log
}

func tree(t *testing.T, files map[string]string) *fstree.Tree {
	t.Helper()
	tr := &fstree.Tree{}
	for p, d := range files {
		if err := tr.Add(fstree.File{Path: p, Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func opts(s *server, source string) gitpub.Options {
	return gitpub.Options{
		URL:         s.url,
		Path:        "platform",
		Source:      source,
		Credentials: gitpub.Credentials{Username: "ci", Token: token},
		AuthorName:  "CI",
		AuthorEmail: "ci@example.com",
		Now:         func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) },
	}
}

func equal(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d files, want %d: %v", len(got), len(want), keys(got))
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: got %q, want %q", p, got[p], w)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestPublishEndToEnd publishes into an empty repository, then a change
// with a removal, then the same tree again, and checks each result with a
// clone made by the real git CLI.
func TestPublishEndToEnd(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	first := map[string]string{"tenants/a/x.yaml": "a: 1\n", "tenants/b/y.yaml": "b: 1\n", "platformc.json": "{}\n"}
	res, err := gitpub.Publish(ctx, tree(t, first), opts(s, "1111111111111111111111111111111111111111"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 3 || res.Commit == "" {
		t.Errorf("first publish: %+v", res)
	}
	got, log := s.cloneBack(t, "platform")
	equal(t, got, first)
	if len(log) != 1 || log[0] != "platformc: regenerate outputs for 111111111111" {
		t.Errorf("log %q", log)
	}

	second := map[string]string{"tenants/a/x.yaml": "a: 2\n", "platformc.json": "{}\n"}
	res, err = gitpub.Publish(ctx, tree(t, second), opts(s, "2222222222222222222222222222222222222222"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Modified != 1 || res.Removed != 1 || res.Added != 0 {
		t.Errorf("second publish: %+v", res)
	}
	got, log = s.cloneBack(t, "platform")
	equal(t, got, second)
	if len(log) != 2 {
		t.Errorf("log %q", log)
	}
	body := gitCmd(t, filepath.Join(s.dir, "manifests.git"), "log", "-1", "--format=%B", "main")
	for _, want := range []string{"Source: 2222222222222222222222222222222222222222", "Files: 0 added, 1 modified, 1 removed", "Changed: tenants/a, tenants/b"} {
		if !strings.Contains(body, want) {
			t.Errorf("commit message lacks %q:\n%s", want, body)
		}
	}

	// The same tree again: no commit.
	res, err = gitpub.Publish(ctx, tree(t, second), opts(s, "3333333333333333333333333333333333333333"))
	if !errors.Is(err, gitpub.ErrNoChanges) || res.Commit != "" {
		t.Fatalf("publishing the same tree: %+v, %v; want ErrNoChanges", res, err)
	}
	if _, log = s.cloneBack(t, "platform"); len(log) != 2 {
		t.Errorf("a commit was made for no change: %q", log)
	}
}

func TestPublishWrongToken(t *testing.T) {
	s := newServer(t)
	o := opts(s, "")
	o.Credentials.Token = "wrong"
	_, err := gitpub.Publish(context.Background(), tree(t, map[string]string{"a": "1"}), o)
	if err == nil {
		t.Fatal("published with a wrong token")
	}
	if strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), token) {
		t.Errorf("the error shows a credential: %v", err)
	}
}

// TestPublishRace runs publishers of different trees at once on one
// branch: each must succeed or find nothing to do, every published commit
// must hold one whole tree, and no commit may be lost.
func TestPublishRace(t *testing.T) {
	s := newServer(t)
	trees := []map[string]string{}
	for i := range 4 {
		m := map[string]string{"platformc.json": "{}\n"}
		for j := range 20 {
			m[fmt.Sprintf("tenants/t%02d/obj.yaml", j)] = fmt.Sprintf("publisher: %d\n", i)
		}
		trees = append(trees, m)
	}
	var wg sync.WaitGroup
	results := make([]gitpub.Result, len(trees))
	errs := make([]error, len(trees))
	for i, m := range trees {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := opts(s, fmt.Sprintf("%040d", i))
			o.Retries = 20
			results[i], errs[i] = gitpub.Publish(context.Background(), tree(t, m), o)
		}()
	}
	wg.Wait()
	var commits []string
	for i, err := range errs {
		switch {
		case errors.Is(err, gitpub.ErrNoChanges):
		case err != nil:
			t.Fatalf("publisher %d: %v", i, err)
		default:
			commits = append(commits, results[i].Commit)
		}
	}
	bare := filepath.Join(s.dir, "manifests.git")
	history := strings.Fields(gitCmd(t, bare, "log", "--format=%H", "main"))
	for _, c := range commits {
		if !slices.Contains(history, c) {
			t.Errorf("commit %s was pushed but is not on main: lost", c)
		}
	}
	// Every commit holds exactly one of the trees.
	for _, c := range history {
		files := strings.Fields(gitCmd(t, bare, "ls-tree", "-r", "--name-only", c, "platform/"))
		if len(files) != 21 {
			t.Errorf("commit %s holds %d files, want 21: a partial tree", c, len(files))
		}
		content := gitCmd(t, bare, "show", c+":platform/tenants/t00/obj.yaml")
		for _, f := range files {
			if got := gitCmd(t, bare, "show", c+":"+f); strings.HasPrefix(f, "platform/tenants/") && got != content {
				t.Errorf("commit %s mixes trees: %s holds %q, t00 holds %q", c, f, got, content)
			}
		}
	}
	if len(commits) == 0 {
		t.Error("no publisher published")
	}
	for i, r := range results {
		t.Logf("publisher %d: %d attempts, commit %.12s, %v", i, r.Attempts, r.Commit, errs[i])
	}
}

// TestPublishTokenInURL takes the credentials of an HTTPS URL as Auth and
// never shows them: not in an error of go-git, which names the URL.
func TestPublishTokenInURL(t *testing.T) {
	s := newServer(t)
	withToken := func(password string) gitpub.Options {
		o := opts(s, "")
		o.Credentials = gitpub.Credentials{}
		o.URL = strings.Replace(s.url, "://", "://ci:"+password+"@", 1)
		return o
	}
	if _, err := gitpub.Publish(context.Background(), tree(t, map[string]string{"a": "1"}), withToken(token)); err != nil {
		t.Fatalf("with the token in the URL: %v", err)
	}
	_, err := gitpub.Publish(context.Background(), tree(t, map[string]string{"a": "2"}), withToken("wrong-secret"))
	if err == nil || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("with a wrong token in the URL: got %v, want an error that does not show it", err)
	}
	if got := gitpub.PlainURL("https://ci:" + token + "@git.example.com/m.git"); got != "https://git.example.com/m.git" {
		t.Errorf("PlainURL: %s", got)
	}
}

// TestPublishTimeout gives up on a repository that accepts connections and
// never answers, when the context ends.
func TestPublishTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	o := opts(&server{url: "http://" + l.Addr().String() + "/manifests.git"}, "")
	if _, err := gitpub.Publish(ctx, tree(t, map[string]string{"a": "1"}), o); err == nil || ctx.Err() == nil {
		t.Fatalf("got %v, want the publish to end with its context", err)
	}
}
