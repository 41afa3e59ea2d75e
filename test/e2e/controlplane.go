package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/platformc/platformc/test/e2e/internal/pki"
)

// etcd is the one etcd server of the run; every control plane keeps its
// objects under a prefix of its own.
type etcd struct {
	url  string
	proc *proc
}

func startEtcd(p *procs, dir string) (*etcd, error) {
	client, err := freePort()
	if err != nil {
		return nil, err
	}
	peer, err := freePort()
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	pr, err := p.start("etcd", "etcd", nil,
		"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+url, "--advertise-client-urls="+url,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=e2e="+peerURL,
		"--unsafe-no-fsync", "--quota-backend-bytes=4294967296", "--log-level=warn")
	if err != nil {
		return nil, err
	}
	return &etcd{url: url, proc: pr}, nil
}

// A controlPlane is one Kubernetes cluster without nodes: kube-apiserver
// and kube-controller-manager, with a CA and a service-account issuer of
// its own, as an EKS cluster has.
type controlPlane struct {
	Name     string
	Endpoint string // https://127.0.0.1:port
	CA       *pki.CA
	Issuer   string // the service-account issuer, EKS style
	SAKey    *rsa.PublicKey

	Kubeconfig string // the admin's (system:masters)
	Config     *rest.Config
	Client     kubernetes.Interface
	Dynamic    dynamic.Interface

	apiserver, controllers *proc
}

// CAData is the cluster's CA as EKS gives it: base64 of the PEM.
func (cp *controlPlane) CAData() string { return base64.StdEncoding.EncodeToString(cp.CA.PEM) }

// controlPlaneOptions are what a control plane is started with.
type controlPlaneOptions struct {
	name, region string
	etcd         *etcd
	// webhook, if set, is the URL of the EKS token authenticator and the
	// CA that signs its certificate.
	webhook   string
	webhookCA []byte
}

// startControlPlane starts a control plane and waits until it is ready.
func startControlPlane(ctx context.Context, p *procs, dir string, o controlPlaneOptions) (*controlPlane, error) {
	dir = filepath.Join(dir, o.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ca, err := pki.NewCA(o.name + "-ca")
	if err != nil {
		return nil, err
	}
	serving, err := ca.Serving("kube-apiserver", "localhost", "kubernetes.default.svc")
	if err != nil {
		return nil, err
	}
	certFile, keyFile, err := serving.Write(dir, "apiserver")
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(caFile, ca.PEM, 0o600); err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saFile := filepath.Join(dir, "sa.key")
	if err := os.WriteFile(saFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}), 0o600); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(o.name))
	cp := &controlPlane{
		Name:     o.name,
		Endpoint: "https://127.0.0.1:" + strconv.Itoa(port),
		CA:       ca,
		Issuer:   fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", o.region, hex.EncodeToString(sum[:16])),
		SAKey:    &saKey.PublicKey,
	}
	args := []string{
		"--etcd-servers=" + o.etcd.url, "--etcd-prefix=/" + o.name,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + certFile, "--tls-private-key-file=" + keyFile,
		"--client-ca-file=" + caFile,
		"--service-account-issuer=" + cp.Issuer,
		"--service-account-key-file=" + saFile, "--service-account-signing-key-file=" + saFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC",
		"--cert-dir=" + dir,
		"--profiling=false",
		"--endpoint-reconciler-type=none",
	}
	if o.webhook != "" {
		wh, err := writeKubeconfig(filepath.Join(dir, "webhook.kubeconfig"), o.webhook, o.webhookCA, pki.Pair{}, "")
		if err != nil {
			return nil, err
		}
		args = append(args, "--authentication-token-webhook-config-file="+wh,
			"--authentication-token-webhook-version=v1",
			"--authentication-token-webhook-cache-ttl=10s")
	}
	if cp.apiserver, err = p.start(o.name+"-apiserver", "kube-apiserver", nil, args...); err != nil {
		return nil, err
	}

	admin, err := ca.Client("e2e-admin", "system:masters")
	if err != nil {
		return nil, err
	}
	if cp.Kubeconfig, err = writeKubeconfig(filepath.Join(dir, "admin.kubeconfig"), cp.Endpoint, ca.PEM, admin, ""); err != nil {
		return nil, err
	}
	kcm, err := ca.Client("system:kube-controller-manager")
	if err != nil {
		return nil, err
	}
	kcmConfig, err := writeKubeconfig(filepath.Join(dir, "controller-manager.kubeconfig"), cp.Endpoint, ca.PEM, kcm, "")
	if err != nil {
		return nil, err
	}
	if cp.Config, err = clientcmd.BuildConfigFromFlags("", cp.Kubeconfig); err != nil {
		return nil, err
	}
	cp.Config.QPS, cp.Config.Burst = 100, 200
	if cp.Client, err = kubernetes.NewForConfig(cp.Config); err != nil {
		return nil, err
	}
	if cp.Dynamic, err = dynamic.NewForConfig(cp.Config); err != nil {
		return nil, err
	}
	if err := cp.waitReady(ctx); err != nil {
		return nil, err
	}
	// The controllers that matter without nodes: namespace deletion,
	// garbage collection, CronJobs and Jobs, Deployments' ReplicaSets and
	// Pods (which stay Pending: there is no scheduler and no kubelet),
	// PodDisruptionBudgets' status, the default service accounts, and
	// HorizontalPodAutoscalers (without metrics, which need kubelets, they
	// still bring a Deployment within their bounds).
	cp.controllers, err = p.start(o.name+"-controller-manager", "kube-controller-manager", nil,
		// Each controller as its own service account, with the RBAC
		// Kubernetes bootstraps for it, as kubeadm and EKS run them.
		"--kubeconfig="+kcmConfig, "--use-service-account-credentials", "--leader-elect=false", "--secure-port=0",
		"--controllers=namespace-controller,garbage-collector-controller,cronjob-controller,job-controller,"+
			"deployment-controller,replicaset-controller,disruption-controller,serviceaccount-controller,"+
			"horizontal-pod-autoscaler-controller",
		"--concurrent-namespace-syncs=5")
	if err != nil {
		return nil, err
	}
	return cp, nil
}

func (cp *controlPlane) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return poll(ctx, 500*time.Millisecond, func() (bool, string, error) {
		if err := cp.apiserver.exited(); err != nil {
			return false, "", err
		}
		body, err := cp.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, fmt.Sprintf("%s: %v %s", cp.Name, err, body), nil
		}
		return true, "", nil
	})
}

// stop stops the control plane (its objects stay in etcd).
func (cp *controlPlane) stop() {
	cp.controllers.stop()
	cp.apiserver.stop()
}

// writeKubeconfig writes a kubeconfig for server, trusting ca, with the
// client certificate of pair (if any) and the context's namespace ns.
func writeKubeconfig(file, server string, ca []byte, pair pki.Pair, ns string) (string, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{ClientCertificateData: pair.CertPEM, ClientKeyData: pair.KeyPEM}
	cfg.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u", Namespace: ns}
	cfg.CurrentContext = "c"
	return file, clientcmd.WriteToFile(*cfg, file)
}
