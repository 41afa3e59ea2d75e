package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/platformc/platformc/compiler/model"
)

// Names of Kubernetes objects that the platform owns in every tenant
// namespace.
const (
	// SecretStoreName is the tenant namespace's one SecretStore, bound to
	// the tenant's AWS Secrets Manager secret for the cluster's environment.
	SecretStoreName = "aws-secrets-manager"
	// SecretsServiceAccount is the service account that SecretStore
	// authenticates as, through IRSA.
	SecretsServiceAccount = "secrets-reader"
)

// FileKey is the key of a file in its workload's ConfigMap: its path
// without the leading "/", with "_" for "/" ("etc_app_config.yaml").
func FileKey(path string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "_")
}

// FilesConfigMap names the ConfigMap of a workload's files after their
// paths and content, "<workload>-files-<hash>": changed files are a new
// ConfigMap, which the pod template names, so that the pods roll.
func FilesConfigMap(w *model.Workload) string {
	h := sha256.New()
	for _, f := range w.Files {
		fmt.Fprintf(h, "%d:%s%d:%s", len(f.Path), f.Path, len(f.Content), f.Content)
	}
	return w.Name + "-files-" + hex.EncodeToString(h.Sum(nil))[:10]
}

// External-dns annotations of every Ingress: ExternalDNSHostname names
// the generation's load balancer name for the tenant
// (LoadBalancerName), and ExternalDNSSource has external-dns
// publish that name only, never the rules' hosts.
const (
	ExternalDNSHostname = "external-dns.alpha.kubernetes.io/hostname"
	ExternalDNSSource   = "external-dns.alpha.kubernetes.io/ingress-hostname-source"
)

// NetworkPolicies are enforced on every capacity mode that can: the VPC
// CNI add-on of node groups and Karpenter is configured with
// VPCCNINetworkPolicy, and EKS Auto Mode's own network policy controller
// is turned on by the ConfigMap NetworkPolicyConfigMap in
// NetworkPolicyNamespace (its built-in NodeClass has networkPolicy
// DefaultAllow: enforce what policies exist). Fargate pods are not
// subject to NetworkPolicies at all (a warning says so).
const (
	VPCCNINetworkPolicy    = `{"enableNetworkPolicy":"true"}`
	NetworkPolicyNamespace = "kube-system"
	NetworkPolicyConfigMap = "amazon-vpc-cni"
	NetworkPolicyKey       = "enable-network-policy-controller"
)

// RoleAnnotation is the service account annotation that binds it to an
// IAM role through IRSA.
const RoleAnnotation = "eks.amazonaws.com/role-arn"
