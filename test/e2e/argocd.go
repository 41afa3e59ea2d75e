package e2e

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"

	"github.com/alicebob/miniredis/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// argoCD is Argo CD's application controller, ApplicationSet controller
// and repo server, run from the pinned module on the management cluster
// as its manifests run them in pods.
type argoCD struct {
	redis *miniredis.Miniredis
	procs []*proc
}

// argoOptions are what Argo CD is started with.
type argoOptions struct {
	toolsDir  string   // tools/, whose argocd module pins Argo CD
	namespace string   // where it runs: platform.argocd.namespace
	gitHost   string   // the git server's host name, whose CA Argo CD trusts
	gitCA     []byte   // that CA
	env       []string // AWS credentials and proxy for argocd-k8s-auth
}

func startArgoCD(ctx context.Context, p *procs, dir string, mgmt *controlPlane, o argoOptions) (*argoCD, error) {
	src, err := moduleDir(filepath.Join(o.toolsDir, "argocd"), "github.com/argoproj/argo-cd/v3")
	if err != nil {
		return nil, err
	}
	// The namespace, the CRDs and Argo CD's default configuration, from
	// the module's own manifests.
	for _, k := range []string{"manifests/crds", "manifests/base/config"} {
		objs, err := kustomizeBuild(filepath.Join(src, k))
		if err != nil {
			return nil, err
		}
		for _, u := range objs {
			if u.GetKind() != "CustomResourceDefinition" {
				u.SetNamespace(o.namespace)
			}
		}
		if err := mgmt.apply(ctx, objs); err != nil {
			return nil, err
		}
	}
	// The git server's CA, as argocd-tls-certs-cm mounts it into the
	// containers: a file named after the host.
	tlsDir := filepath.Join(dir, "argocd", "tls")
	if err := os.MkdirAll(tlsDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tlsDir, o.gitHost), o.gitCA, 0o644); err != nil {
		return nil, err
	}
	if _, err := mgmt.Client.CoreV1().ConfigMaps(o.namespace).Update(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "argocd-tls-certs-cm", Namespace: o.namespace,
			Labels: map[string]string{"app.kubernetes.io/name": "argocd-tls-certs-cm", "app.kubernetes.io/part-of": "argocd"}},
		Data: map[string]string{o.gitHost: string(o.gitCA)},
	}, metav1.UpdateOptions{}); err != nil {
		return nil, err
	}

	// The key Argo CD's API server generates at its first start; the
	// ApplicationSet controller's webhook handler needs one.
	if _, err := mgmt.Client.CoreV1().Secrets(o.namespace).Patch(ctx, "argocd-secret", types.MergePatchType,
		[]byte(`{"stringData":{"server.secretkey":"`+hex.EncodeToString(randomBytes(32))+`"}}`), metav1.PatchOptions{}); err != nil {
		return nil, err
	}
	a := &argoCD{}
	if a.redis, err = miniredis.Run(); err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(dir, "argocd", "kubeconfig")
	admin, err := mgmt.CA.Client("system:serviceaccount:"+o.namespace+":argocd-application-controller", "system:masters")
	if err != nil {
		return nil, err
	}
	if _, err := writeKubeconfig(kubeconfig, mgmt.Endpoint, mgmt.CA.PEM, admin, o.namespace); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	repoServer := "127.0.0.1:" + strconv.Itoa(port)
	env := append([]string{
		"KUBECONFIG=" + kubeconfig,
		"ARGOCD_FAKE_IN_CLUSTER=true",
		"ARGOCD_TLS_DATA_PATH=" + tlsDir,
		"ARGOCD_SSH_DATA_PATH=" + filepath.Join(dir, "argocd", "ssh"),
		"ARGOCD_GPG_ENABLED=false",
		"ARGOCD_GNUPGHOME=" + filepath.Join(dir, "argocd", "gpg"),
		"REDIS_SERVER=" + a.redis.Addr(),
		// A git host's webhook would refresh at once; the test polls
		// often instead.
		"ARGOCD_RECONCILIATION_TIMEOUT=15s",
		"ARGOCD_RECONCILIATION_JITTER=0",
	}, o.env...)
	for _, c := range []struct {
		name string
		args []string
	}{
		// Metrics and probes on ports the kernel picks (0), or none.
		{"argocd-repo-server", []string{"--port=" + strconv.Itoa(port), "--metrics-port=0",
			"--disable-tls", "--loglevel=info", "--address=127.0.0.1", "--metrics-address=127.0.0.1"}},
		{"argocd-application-controller", []string{"--repo-server=" + repoServer, "--repo-server-plaintext",
			"--metrics-port=0", "--loglevel=info", "--status-processors=10", "--operation-processors=10"}},
		{"argocd-applicationset-controller", []string{"--argocd-repo-server=" + repoServer, "--repo-server-plaintext",
			"--metrics-addr=0", "--probe-addr=0", "--webhook-addr=127.0.0.1:0", "--loglevel=info", "--enable-leader-election=false"}},
	} {
		pr, err := p.start(c.name, c.name, env, c.args...)
		if err != nil {
			return nil, err
		}
		a.procs = append(a.procs, pr)
	}
	return a, nil
}

// exited returns an error if a component has ended.
func (a *argoCD) exited() error {
	for _, pr := range a.procs {
		if err := pr.exited(); err != nil {
			return err
		}
	}
	return nil
}

func (a *argoCD) close() {
	if a.redis != nil {
		a.redis.Close()
	}
}
