package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// A tool is a program the test runs, built from a pinned module in a Go
// module of its own under tools/, so that its dependencies stay apart from
// platformc's and from each other's.
type tool struct {
	name    string   // the binary's name under the cache folder
	dir     string   // its module, under tools/
	pkg     string   // the package to build
	ldflags string   // besides -s -w
	aliases []string // the names it is run under (a symlink each)
}

// tools are the programs of the end-to-end test, each run under the names
// of the upstream programs it contains.
var tools = []tool{
	{
		name: "kube", dir: "kube", pkg: ".",
		// The version the API servers report, as Kubernetes' own release
		// build stamps it.
		ldflags: "-X k8s.io/component-base/version.gitVersion=v1.34.2" +
			" -X k8s.io/component-base/version.gitMajor=1" +
			" -X k8s.io/component-base/version.gitMinor=34" +
			" -X k8s.io/component-base/version.gitTreeState=clean",
		aliases: []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl"},
	},
	{
		name: "argocd", dir: "argocd", pkg: ".",
		ldflags: "-X github.com/argoproj/argo-cd/v3/common.version=3.2.11",
		aliases: []string{"argocd-application-controller", "argocd-applicationset-controller",
			"argocd-repo-server", "argocd-git-ask-pass", "argocd-k8s-auth"},
	},
	{
		name: "external-secrets", dir: "eso", pkg: "github.com/external-secrets/external-secrets",
		aliases: []string{"external-secrets"},
	},
	{
		name: "kustomize", dir: "kustomize", pkg: "sigs.k8s.io/kustomize/kustomize/v5",
		aliases: []string{"kustomize"},
	},
}

// buildTools builds every tool that is not in cache yet and returns a
// folder holding a symlink per program name, to put first on PATH.
// A built binary is kept under cache/<name>-<key>, where the key hashes the
// tool's module (go.mod, go.sum, its Go files), the flags and the Go
// version: a warm run builds nothing.
func buildTools(ctx context.Context, toolsDir, cache, binDir string, log io.Writer) error {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	for _, tl := range tools {
		dir := filepath.Join(toolsDir, tl.dir)
		key, err := toolKey(dir, tl)
		if err != nil {
			return err
		}
		bin := filepath.Join(cache, tl.name+"-"+key)
		if _, err := os.Stat(bin); err != nil {
			fmt.Fprintf(log, "e2e: building %s from %s (once per version; several minutes cold)\n", tl.name, dir)
			tmp := bin + ".tmp"
			cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w "+tl.ldflags, "-o", tmp, tl.pkg)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			cmd.Stdout, cmd.Stderr = log, log
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("building %s: %w", tl.name, err)
			}
			if err := os.Rename(tmp, bin); err != nil {
				return err
			}
		}
		for _, alias := range tl.aliases {
			link := filepath.Join(binDir, alias)
			_ = os.Remove(link)
			if err := os.Symlink(bin, link); err != nil {
				return err
			}
		}
	}
	return nil
}

func toolKey(dir string, tl tool) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), tl.pkg, tl.ldflags)
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	names = append(names, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.sum"))
	sort.Strings(names)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, filepath.Base(name), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// pathWith returns PATH with dir first.
func pathWith(dir string) string {
	return "PATH=" + strings.Join([]string{dir, os.Getenv("PATH")}, string(os.PathListSeparator))
}
