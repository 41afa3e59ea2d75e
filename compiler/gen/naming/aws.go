package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/platformc/platformc/compiler/model"
)

// LoadBalancerName is the DNS name that the tenant's load balancer gets in
// the generation, "billing.prod-shared-1-35.example.com": the target of
// the weighted records of the tenant's hosts.
func LoadBalancerName(g model.Generation, t *model.Tenant) string {
	return t.Name + "." + g.Domain()
}

// Partition is the AWS partition of a region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// RoleARN is the ARN of an IAM role, in the partition of its region.
func RoleARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", Partition(region), account, name)
}

// WorkloadRole names the IAM role of a workload with AWS access in an
// environment's account, "<platform>-<env>-<tenant>.<workload>" (the dot,
// which no tenant name holds, keeps tenant "a" and workload "b-c" apart
// from tenant "a-b" and workload "c"), and gives its ARN.
func WorkloadRole(p *model.Platform, t *model.Tenant, w *model.Workload, env string) (name, arn string) {
	e := p.Config.Environments[env]
	name = fmt.Sprintf("%s-%s-%s.%s", p.Config.Name, env, t.Name, w.Name)
	return name, RoleARN(e.Region, e.Account, name)
}

// TenantSecret is where a tenant's one secret for an environment lives.
type TenantSecret struct {
	Name      string // AWS Secrets Manager name: <platform>/<environment>/<tenant>
	Account   string
	Region    string
	RoleName  string // the IAM role its SecretStore uses, which may read only this secret
	RoleARN   string
	Namespace string
}

// Secret names the tenant's secret for the environment and the role
// that reads it. Both the Kubernetes side (SecretStore, service account
// annotation, ExternalSecret keys) and the AWS side use it.
func Secret(p *model.Platform, t *model.Tenant, env string) TenantSecret {
	e := p.Config.Environments[env]
	role := fmt.Sprintf("%s-%s-%s-secrets", p.Config.Name, env, t.Name)
	return TenantSecret{
		Name:      fmt.Sprintf("%s/%s/%s", p.Config.Name, env, t.Name),
		Account:   e.Account,
		Region:    e.Region,
		RoleName:  role,
		RoleARN:   RoleARN(e.Region, e.Account, role),
		Namespace: t.Namespace(),
	}
}

// ArgoCDDeployerRoleARN is the role Argo CD assumes to deploy to the
// cluster's generations; the cluster stack gives it an access entry.
func ArgoCDDeployerRoleARN(p *model.Platform, c *model.Cluster) string {
	return RoleARN(c.Region, c.Account, p.Config.Name+"-argocd-deployer")
}

// RegistryReaderRoleARN is the role, in the cluster's account, that lets
// the management cluster read the parameters its stacks publish.
func RegistryReaderRoleARN(p *model.Platform, c *model.Cluster) string {
	return RoleARN(c.Region, c.Account, p.Config.Name+"-cluster-registry-reader")
}

// RegistryServiceAccount is the identity, in the Argo CD namespace, that
// reads cluster registrations.
const RegistryServiceAccount = "cluster-registry"

// RegistryRoleARN is the management cluster's role for reading cluster
// registrations; it may only assume the registry reader roles.
func RegistryRoleARN(p *model.Platform) string {
	a := p.Config.ArgoCD
	return RoleARN(a.Region, a.Account, p.Config.Name+"-cluster-registry")
}

// ClusterParameter is the SSM parameter in which a generation's stack
// publishes a value Argo CD needs: "endpoint" or "ca-data".
func ClusterParameter(p *model.Platform, g model.Generation, key string) string {
	return fmt.Sprintf("/%s/clusters/%s/%s", p.Config.Name, g.Name(), key)
}

// AddonRoleName is the IAM role of an add-on's service account on a
// generation, "acme-prod-shared-1-35-external-dns". IAM allows 64
// characters; a longer name keeps 55 and ends with a hash of the whole.
func AddonRoleName(p *model.Platform, g model.Generation, a *model.Addon) string {
	name := p.Config.Name + "-" + g.Name() + "-" + a.Name
	if len(name) <= 64 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:55], "-") + "-" + hex.EncodeToString(sum[:4])
}

// AddonRoleARN is the ARN of AddonRoleName, in the cluster's account.
func AddonRoleARN(p *model.Platform, g model.Generation, a *model.Addon) string {
	return RoleARN(g.Cluster.Region, g.Cluster.Account, AddonRoleName(p, g, a))
}

// Argo CD names. Every Application and ApplicationSet of the platform
// lives in Argo CD's one namespace, so the names below share one space;
// the loader refuses a platform in which two of them are equal. gen is a
// generation's name, or the template parameter that stands for it.
const (
	// BootstrapApplication is the app of apps.
	BootstrapApplication = "platformc"
	// NamespacesApplicationSet makes a NamespacesApplication per generation.
	NamespacesApplicationSet = "platform-namespaces"
)

// NamespacesApplication applies a generation's tenant namespaces and their
// guard rails.
func NamespacesApplication(gen string) string { return "namespaces-" + gen }

// TenantApplicationSet makes a TenantApplication per generation the tenant
// is placed on.
func TenantApplicationSet(t *model.Tenant) string { return t.Name }

// TenantApplication applies a tenant's overlay on a generation.
func TenantApplication(t *model.Tenant, gen string) string { return t.Name + "-" + gen }

// AddonUnits are the parts of an add-on that Argo CD applies one after the
// other, each with its ApplicationSet: its chart and, if it has one, its
// configuration.
func AddonUnits(a *model.Addon) []string {
	if u := AddonConfigUnit(a); u != "" {
		return []string{a.Name, u}
	}
	return []string{a.Name}
}

// AddonConfigUnit is the unit of the objects that an add-on needs besides
// its chart (for Karpenter, its EC2NodeClass and NodePool), "" if none.
func AddonConfigUnit(a *model.Addon) string {
	if a.AWS == model.KarpenterAddon {
		return a.Name + "-config"
	}
	return ""
}

// AddonApplicationSet makes an AddonApplication of the unit per generation
// that installs the add-on.
func AddonApplicationSet(unit string) string { return "addon-" + unit }

// AddonApplication applies an add-on's unit on a generation.
func AddonApplication(unit, gen string) string { return unit + "-" + gen }
