package e2e

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/test/e2e/internal/cfn"
	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
	"github.com/platformc/platformc/test/e2e/internal/pki"
)

// config is what a run is given.
type config struct {
	repo  string // this repository: platformc's source and tools/
	dir   string // the run's folder: everything is written there
	cache string // where built binaries are kept between runs
	log   io.Writer
	// name and argo are the platform's name and where its Argo CD runs
	// (platform.name, platform.argocd).
	name string
	argo model.ArgoCD
}

// world is everything a run starts: one etcd, the management cluster with
// Argo CD and External Secrets, a control plane per cluster generation
// that the CDK stacks create, the git server and the fake AWS.
type world struct {
	cfg      config
	procs    *procs
	etcd     *etcd
	ca       *pki.CA // signs the git server's and the fake AWS's certificates
	mgmt     *controlPlane
	argo     *argoCD
	git      *gitServer
	aws      *fakeaws.Cloud
	awsURL   string
	stacks   *cfn.Deployer
	platform *platform
	esoCRDs  []byte
	addonCRD [][]byte

	mu       sync.Mutex
	clusters map[string]*controlPlane // by generation name
	servers  []*http.Server
}

func (w *world) toolsDir() string { return filepath.Join(w.cfg.repo, "test", "e2e", "tools") }

// start brings up everything but the platform's own clusters.
func start(ctx context.Context, cfg config) (_ *world, err error) {
	// w is not the result: a failure returns a nil world, and the deferred
	// stop needs the one started so far.
	w := &world{cfg: cfg, clusters: map[string]*controlPlane{}}
	w.procs = &procs{dir: filepath.Join(cfg.dir, "logs")}
	defer func() {
		if err != nil {
			w.stop()
		}
	}()
	for _, d := range []string{"logs", "home", "tmp", "bin"} {
		if err := os.MkdirAll(filepath.Join(cfg.dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	bin := filepath.Join(cfg.dir, "bin")
	if err := buildTools(ctx, w.toolsDir(), cfg.cache, bin, cfg.log); err != nil {
		return nil, err
	}
	if w.ca, err = pki.NewCA("e2e"); err != nil {
		return nil, err
	}
	caFile := filepath.Join(cfg.dir, "ca.crt")
	if err := os.WriteFile(caFile, w.ca.PEM, 0o644); err != nil {
		return nil, err
	}
	// Every program runs with this environment: nothing of the host's
	// HOME, caches or proxies; the test's CA as the system's.
	w.procs.env = []string{
		pathWith(bin),
		"HOME=" + filepath.Join(cfg.dir, "home"),
		"TMPDIR=" + filepath.Join(cfg.dir, "tmp"),
		"XDG_CONFIG_HOME=" + filepath.Join(cfg.dir, "home", ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(cfg.dir, "home", ".cache"),
		"SSL_CERT_FILE=" + caFile,
		"AWS_CA_BUNDLE=" + caFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1,localhost",
	}

	if err := w.startAWS(); err != nil {
		return nil, err
	}
	if w.etcd, err = startEtcd(w.procs, cfg.dir); err != nil {
		return nil, err
	}
	if w.esoCRDs, err = esoCRDs(w.toolsDir()); err != nil {
		return nil, err
	}
	if w.addonCRD, err = addonCRDs(); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.log, "e2e: starting the management cluster")
	if w.mgmt, err = startControlPlane(ctx, w.procs, cfg.dir, controlPlaneOptions{name: "management", region: cfg.argo.Region, etcd: w.etcd}); err != nil {
		return nil, err
	}
	if err := w.managementPrerequisites(ctx); err != nil {
		return nil, err
	}
	if _, err := startESO(ctx, w.procs, w.mgmt, w.esoCRDs, w.awsURL); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(randomBytes(16))
	if w.git, err = startGitServer(cfg.dir, w.ca, token); err != nil {
		return nil, err
	}
	argoEnv, err := w.argoIdentity(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.log, "e2e: starting Argo CD")
	if w.argo, err = startArgoCD(ctx, w.procs, cfg.dir, w.mgmt, argoOptions{
		toolsDir: w.toolsDir(), namespace: w.cfg.argo.Namespace, gitHost: "127.0.0.1", gitCA: w.ca.PEM, env: argoEnv,
	}); err != nil {
		return nil, err
	}
	return w, nil
}

// startAWS serves the fake AWS APIs over HTTPS, and the proxy through
// which programs that cannot be pointed at another endpoint (Argo CD's
// argocd-k8s-auth, with aws-sdk-go v1) reach it.
func (w *world) startAWS() error {
	pair, err := w.ca.Serving("aws", "localhost", "*.amazonaws.com", "sts.amazonaws.com", "*.ap-northeast-1.amazonaws.com", "*.us-east-1.amazonaws.com")
	if err != nil {
		return err
	}
	cert, err := pair.TLS()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	w.awsURL = "https://" + l.Addr().String()
	w.aws = fakeaws.New(fakeaws.WithSTSHosts(l.Addr().String()))
	srv := &http.Server{Handler: w.aws.Handler(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	proxy, err := serveProxy(l.Addr().String())
	if err != nil {
		return err
	}
	w.servers = append(w.servers, srv, proxy.srv)
	w.procs.env = append(w.procs.env, "HTTPS_PROXY=http://"+proxy.addr)
	return nil
}

// managementPrerequisites makes what a platform has before platformc's
// stacks run: the management cluster's OIDC provider in the management
// account, and the SSM parameters that name it there, which the
// management stack's roles (Argo CD's and the cluster registry's) trust.
func (w *world) managementPrerequisites(ctx context.Context) error {
	account, region, name := w.cfg.argo.Account, w.cfg.argo.Region, w.cfg.name
	provider, err := w.aws.PutOIDCProvider(fakeaws.OIDCProvider{Account: account, URL: w.mgmt.Issuer, ClientIDs: []string{"sts.amazonaws.com"}})
	if err != nil {
		return err
	}
	if err := w.aws.SetIssuerKeys(w.mgmt.Issuer, w.mgmt.SAKey); err != nil {
		return err
	}
	for key, value := range map[string]string{
		"oidc-issuer":       strings.TrimPrefix(w.mgmt.Issuer, "https://"),
		"oidc-provider-arn": provider,
	} {
		if err := w.aws.PutParameter(account, region, "/"+name+"/management/"+key, value); err != nil {
			return err
		}
	}
	return nil
}

// argoIdentity gives Argo CD's application controller its IAM role the
// way EKS's pod identity webhook does (IRSA): a projected service-account
// token in a file, and the role in AWS_ROLE_ARN. argocd-k8s-auth, which
// the controller runs for each cluster, assumes the deployer role from it.
func (w *world) argoIdentity(ctx context.Context) ([]string, error) {
	ns := w.cfg.argo.Namespace
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "argocd-application-controller", Namespace: ns}}
	if _, err := w.mgmt.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	if _, err := w.mgmt.Client.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	expiry := int64((24 * time.Hour).Seconds())
	tr, err := w.mgmt.Client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"sts.amazonaws.com"}, ExpirationSeconds: &expiry},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, err
	}
	file := filepath.Join(w.cfg.dir, "argocd-token")
	if err := os.WriteFile(file, []byte(tr.Status.Token), 0o600); err != nil {
		return nil, err
	}
	return []string{
		"AWS_ROLE_ARN=" + fakeaws.RoleARN(w.cfg.argo.Account, w.cfg.name+"-argocd"),
		"AWS_WEB_IDENTITY_TOKEN_FILE=" + file,
		"AWS_REGION=" + w.cfg.argo.Region,
		"AWS_STS_REGIONAL_ENDPOINTS=regional",
	}, nil
}

// Create starts the control plane of an EKS cluster that a stack creates,
// with External Secrets and the CRDs of the platform's other add-ons on it
// (their charts cannot be fetched offline; see README.md).
func (w *world) Create(ctx context.Context, spec cfn.ClusterSpec) (cfn.ClusterInfo, error) {
	fmt.Fprintf(w.cfg.log, "e2e: starting cluster %s (Kubernetes %s in %s/%s)\n", spec.Name, spec.Version, spec.Account, spec.Region)
	cp, err := startControlPlane(ctx, w.procs, w.cfg.dir, controlPlaneOptions{
		name: spec.Name, region: spec.Region, etcd: w.etcd,
		webhook:   w.awsURL + fakeaws.WebhookPath(spec.Account, spec.Region, spec.Name),
		webhookCA: w.ca.PEM,
	})
	if err != nil {
		return cfn.ClusterInfo{}, err
	}
	for _, crds := range w.addonCRD {
		objs, err := decodeObjects(crds)
		if err != nil {
			return cfn.ClusterInfo{}, err
		}
		if err := cp.apply(ctx, objs); err != nil {
			return cfn.ClusterInfo{}, err
		}
	}
	if _, err := startESO(ctx, w.procs, cp, w.esoCRDs, w.awsURL); err != nil {
		return cfn.ClusterInfo{}, err
	}
	w.mu.Lock()
	w.clusters[spec.Name] = cp
	w.mu.Unlock()
	return cfn.ClusterInfo{
		Endpoint: cp.Endpoint, CertificateAuthorityData: cp.CAData(), OpenIdConnectIssuerUrl: cp.Issuer,
		IssuerKeys: []crypto.PublicKey{cp.SAKey},
	}, nil
}

// Delete stops a cluster's control plane.
func (w *world) Delete(ctx context.Context, account, region, name string) error {
	w.mu.Lock()
	cp := w.clusters[name]
	delete(w.clusters, name)
	w.mu.Unlock()
	if cp != nil {
		cp.stop()
	}
	return nil
}

// cluster returns the control plane of a generation.
func (w *world) cluster(name string) *controlPlane {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clusters[name]
}

// generations returns the names of the running generations, sorted.
func (w *world) generations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var names []string
	for n := range w.clusters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (w *world) stop() {
	w.procs.stopAll()
	if w.argo != nil {
		w.argo.close()
	}
	if w.git != nil {
		w.git.close()
	}
	for _, s := range w.servers {
		_ = s.Close()
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
