package e2e

import (
	"context"
	"os"
	"path/filepath"
)

// esoCRDs returns External Secrets' CRDs from its pinned module's bundle.
func esoCRDs(toolsDir string) ([]byte, error) {
	src, err := moduleDir(filepath.Join(toolsDir, "eso"), "github.com/external-secrets/external-secrets")
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(src, "deploy", "crds", "bundle.yaml"))
}

// startESO installs External Secrets' CRDs on cp and runs its controller
// against cp, as the external-secrets chart does on a cluster: one
// controller per cluster, reaching AWS at endpoints (the fake's URL).
func startESO(ctx context.Context, p *procs, cp *controlPlane, crds []byte, awsEndpoint string) (*proc, error) {
	objs, err := decodeObjects(crds)
	if err != nil {
		return nil, err
	}
	if err := cp.apply(ctx, objs); err != nil {
		return nil, err
	}
	return p.start(cp.Name+"-external-secrets", "external-secrets",
		[]string{
			"KUBECONFIG=" + cp.Kubeconfig,
			"AWS_STS_ENDPOINT=" + awsEndpoint,
			"AWS_SSM_ENDPOINT=" + awsEndpoint,
			"AWS_SECRETSMANAGER_ENDPOINT=" + awsEndpoint,
		},
		"--enable-leader-election=false", "--metrics-addr=0", "--live-addr=127.0.0.1:0",
		"--concurrent=4", "--loglevel=info", "--zap-time-encoding=iso8601",
		// Only what platformc generates: SecretStores and ExternalSecrets.
		"--enable-cluster-store-reconciler=false", "--enable-cluster-external-secret-reconciler=false",
		"--enable-push-secret-reconciler=false", "--enable-cluster-push-secret-reconciler=false",
		"--store-requeue-interval=15s",
	)
}
