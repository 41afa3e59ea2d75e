package e2e

import (
	"crypto/subtle"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/platformc/platformc/test/e2e/internal/pki"
)

// gitServer serves the manifest repository over HTTPS with git's own
// smart-HTTP server (git http-backend), as a git host does: anyone may
// read, only the holder of the token may push.
type gitServer struct {
	URL   string // of the manifest repository
	Token string // the password publish pushes with
	repo  string // the bare repository
	srv   *http.Server
}

func startGitServer(dir string, ca *pki.CA, token string) (*gitServer, error) {
	root := filepath.Join(dir, "git")
	repo := filepath.Join(root, "platform-manifests.git")
	for _, args := range [][]string{
		{"init", "--quiet", "--bare", "--initial-branch=main", repo},
		{"-C", repo, "config", "http.receivepack", "true"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	backend, err := exec.LookPath("git")
	if err != nil {
		return nil, err
	}
	pair, err := ca.Serving("git", "localhost")
	if err != nil {
		return nil, err
	}
	cert, err := pair.TLS()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gitServer{URL: "https://" + l.Addr().String() + "/platform-manifests.git", Token: token, repo: repo}
	g.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			push := r.URL.Query().Get("service") == "git-receive-pack" || strings.HasSuffix(r.URL.Path, "/git-receive-pack")
			env := []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + dir}
			if push {
				_, pass, ok := r.BasicAuth()
				if !ok || subtle.ConstantTimeCompare([]byte(pass), []byte(token)) != 1 {
					w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
					http.Error(w, "push needs the token", http.StatusUnauthorized)
					return
				}
				env = append(env, "REMOTE_USER=ci")
			}
			h := &cgi.Handler{Path: backend, Args: []string{"http-backend"}, Env: env, Dir: root}
			h.ServeHTTP(w, r)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		ErrorLog:  nil,
	}
	go func() { _ = g.srv.ServeTLS(l, "", "") }()
	return g, nil
}

func (g *gitServer) close() { _ = g.srv.Close() }

// head returns the commit the repository's main branch points at.
func (g *gitServer) head() (string, error) {
	out, err := exec.Command("git", "--git-dir", g.repo, "rev-parse", "refs/heads/main").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse main: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// pushEscape commits to the manifest repository, as someone with write
// access could past platformc, the given objects into the overlay folder,
// and pushes.
func (g *gitServer) pushEscape(dir, overlay string, objs []objectRef) error {
	work := filepath.Join(dir, "escape")
	_ = os.RemoveAll(work)
	run := func(args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if _, err := os.Stat(work); err == nil {
			cmd.Dir = work
		}
		cmd.Env = append(os.Environ(), "GIT_SSL_CAINFO="+filepath.Join(dir, "ca.crt"), "HOME="+filepath.Join(dir, "home"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	authURL := strings.Replace(g.URL, "https://", "https://ci:"+g.Token+"@", 1)
	if err := run("clone", "--quiet", authURL, work); err != nil {
		return err
	}
	kfile := filepath.Join(work, overlay, "kustomization.yaml")
	k, err := os.ReadFile(kfile)
	if err != nil {
		return err
	}
	for i, o := range objs {
		name := fmt.Sprintf("escape-%d.yaml", i)
		body := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n", o.APIVersion, o.Kind, o.Name, o.Namespace)
		switch o.Kind {
		case "ResourceQuota":
			body += "spec:\n  hard:\n    pods: \"1000\"\n"
		case "RoleBinding":
			body += "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: " + o.Namespace + "\n"
		default:
			body += "data:\n  escaped: \"true\"\n"
		}
		if err := os.WriteFile(filepath.Join(work, overlay, name), []byte(body), 0o644); err != nil {
			return err
		}
		k = []byte(strings.Replace(string(k), "resources:\n", "resources:\n  - "+name+"\n", 1))
	}
	if err := os.WriteFile(kfile, k, 0o644); err != nil {
		return err
	}
	if err := run("add", "-A"); err != nil {
		return err
	}
	if err := run("-c", "user.name=intruder", "-c", "user.email=intruder@example.com", "commit", "--quiet", "-m", "escape"); err != nil {
		return err
	}
	return run("push", "--quiet", "origin", "HEAD:main")
}
