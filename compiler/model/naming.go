package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// Namespace is the tenant's namespace on every cluster it is placed on.
func (t *Tenant) Namespace() string { return t.Name }

// ServiceAccount is the Kubernetes service account a workload runs as.
func (w *Workload) ServiceAccount() string { return w.Name }

// FileKey is the key of a file in its workload's ConfigMap: its path
// without the leading "/", with "_" for "/" ("etc_app_config.yaml").
func FileKey(path string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "_")
}

// FilesConfigMap names the ConfigMap of a workload's files after their
// paths and content, "<workload>-files-<hash>": changed files are a new
// ConfigMap, which the pod template names, so that the pods roll.
func (w *Workload) FilesConfigMap() string {
	h := sha256.New()
	for _, f := range w.Files {
		fmt.Fprintf(h, "%d:%s%d:%s", len(f.Path), f.Path, len(f.Content), f.Content)
	}
	return w.Name + "-files-" + hex.EncodeToString(h.Sum(nil))[:10]
}

// Generation is one EKS cluster of a logical cluster. A cluster has one
// generation, and two during a blue/green upgrade: blue, the one that ran
// before, and green, at the new version.
type Generation struct {
	Cluster  *Cluster
	Version  string
	Role     Role
	Weight   int  // share of the cluster's traffic, 0 to 100
	RunsJobs bool // CronJobs run here: on the generation with the traffic majority
}

// Role is a generation's part in a blue/green upgrade.
type Role string

const (
	Only     Role = ""         // no upgrade in progress
	Blue     Role = "blue"     // the generation being replaced
	Green    Role = "green"    // the generation replacing it
	Retiring Role = "retiring" // the one being drained: still registered, without tenants
)

// Name is the generation's EKS cluster name and its name in Argo CD:
// the logical cluster's name and the Kubernetes version, "prod-shared-1-33".
func (g Generation) Name() string {
	return g.Cluster.Name + "-" + strings.ReplaceAll(g.Version, ".", "-")
}

// LoadBalancerName is the DNS name that the tenant's load balancer gets in
// the generation, "billing.prod-shared-1-35.example.com": the target of
// the weighted records of the tenant's hosts.
func (g Generation) LoadBalancerName(t *Tenant) string {
	return t.Name + "." + g.Domain()
}

// Domain is the DNS domain of the generation's own names,
// "prod-shared-1-35.example.com": external-dns in the generation writes
// names under it and nowhere else; the tenants' hosts themselves are
// written by the cluster's DNS stacks (one writer per name).
func (g Generation) Domain() string { return GenerationDomain(g.Name(), g.Cluster.DNSZone) }

// GenerationDomain is Generation.Domain from the generation's name and
// its cluster's zone (or template expressions for them).
func GenerationDomain(generation, zone string) string { return generation + "." + zone }

// Addons returns the EKS add-on versions for the generation's Kubernetes
// version, from the versions table.
func (p *Platform) Addons(g Generation) map[string]string {
	return p.Versions[g.Version].Addons
}

// Generations returns the cluster's live generations, oldest first. Until
// the loader has set them, a cluster has one, at its version.
func (c *Cluster) Generations() []Generation {
	if c.generations == nil {
		return []Generation{{Cluster: c, Version: c.Version, Weight: 100, RunsJobs: true}}
	}
	return c.generations
}

// Serving returns the cluster's generations that run its tenants: all
// but a retiring one, which keeps its registration and add-ons while
// Argo CD deletes its tenants' objects, namespaces and Karpenter
// NodePools (their controllers releasing load balancers, DNS names and
// nodes), until its stacks are destroyed.
func (c *Cluster) Serving() []Generation {
	var out []Generation
	for _, g := range c.Generations() {
		if g.Role != Retiring {
			out = append(out, g)
		}
	}
	return out
}

// SetGenerations records the cluster's live generations, oldest first.
func (c *Cluster) SetGenerations(gs []Generation) { c.generations = gs }

// Minor is the minor number of a Kubernetes version: 35 for "1.35".
func Minor(version string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(version, "1."))
	return n
}

// CompareVersions orders Kubernetes minor versions: "1.9" < "1.10".
func CompareVersions(a, b string) int { return Minor(a) - Minor(b) }

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
func (p *Platform) WorkloadRole(t *Tenant, w *Workload, env string) (name, arn string) {
	e := p.Config.Environments[env]
	name = fmt.Sprintf("%s-%s-%s.%s", p.Config.Name, env, t.Name, w.Name)
	return name, RoleARN(e.Region, e.Account, name)
}

// ResourceOwner is the tenant whose name, followed by "-", begins an AWS
// resource's name, the longest if several do ("a-b-x" is tenant a-b's,
// not a's), or "".
func (p *Platform) ResourceOwner(name string) string {
	owner := ""
	for _, t := range p.Tenants {
		if strings.HasPrefix(name, t.Name+"-") && len(t.Name) > len(owner) {
			owner = t.Name
		}
	}
	return owner
}

// MayUse reports whether a tenant may name an AWS resource of a service:
// its own, or one that platform.cue grants it.
func (p *Platform) MayUse(t *Tenant, service, name string) bool {
	return p.ResourceOwner(name) == t.Name || slices.Contains(p.Config.Grants[service][name], t.Name)
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

// TenantSecret names the tenant's secret for the environment and the role
// that reads it. Both the Kubernetes side (SecretStore, service account
// annotation, ExternalSecret keys) and the AWS side use it.
func (p *Platform) TenantSecret(t *Tenant, env string) TenantSecret {
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
func (p *Platform) ArgoCDDeployerRoleARN(c *Cluster) string {
	return RoleARN(c.Region, c.Account, p.Config.Name+"-argocd-deployer")
}

// RegistryReaderRoleARN is the role, in the cluster's account, that lets
// the management cluster read the parameters its stacks publish.
func (p *Platform) RegistryReaderRoleARN(c *Cluster) string {
	return RoleARN(c.Region, c.Account, p.Config.Name+"-cluster-registry-reader")
}

// RegistryServiceAccount is the identity, in the Argo CD namespace, that
// reads cluster registrations.
const RegistryServiceAccount = "cluster-registry"

// RegistryRoleARN is the management cluster's role for reading cluster
// registrations; it may only assume the registry reader roles.
func (p *Platform) RegistryRoleARN() string {
	a := p.Config.ArgoCD
	return RoleARN(a.Region, a.Account, p.Config.Name+"-cluster-registry")
}

// ClusterParameter is the SSM parameter in which a generation's stack
// publishes a value Argo CD needs: "endpoint" or "ca-data".
func (p *Platform) ClusterParameter(g Generation, key string) string {
	return fmt.Sprintf("/%s/clusters/%s/%s", p.Config.Name, g.Name(), key)
}

// AddonRoleName is the IAM role of an add-on's service account on a
// generation, "acme-prod-shared-1-35-external-dns". IAM allows 64
// characters; a longer name keeps 55 and ends with a hash of the whole.
func (p *Platform) AddonRoleName(g Generation, a *Addon) string {
	name := p.Config.Name + "-" + g.Name() + "-" + a.Name
	if len(name) <= 64 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:55], "-") + "-" + hex.EncodeToString(sum[:4])
}

// AddonRoleARN is the ARN of AddonRoleName, in the cluster's account.
func (p *Platform) AddonRoleARN(g Generation, a *Addon) string {
	return RoleARN(g.Cluster.Region, g.Cluster.Account, p.AddonRoleName(g, a))
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
func TenantApplicationSet(t *Tenant) string { return t.Name }

// TenantApplication applies a tenant's overlay on a generation.
func TenantApplication(t *Tenant, gen string) string { return t.Name + "-" + gen }

// AddonUnits are the parts of an add-on that Argo CD applies one after the
// other, each with its ApplicationSet: its chart and, if it has one, its
// configuration.
func AddonUnits(a *Addon) []string {
	if u := AddonConfigUnit(a); u != "" {
		return []string{a.Name, u}
	}
	return []string{a.Name}
}

// AddonConfigUnit is the unit of the objects that an add-on needs besides
// its chart (for Karpenter, its EC2NodeClass and NodePool), "" if none.
func AddonConfigUnit(a *Addon) string {
	if a.AWS == KarpenterAddon {
		return a.Name + "-config"
	}
	return ""
}

// AddonApplicationSet makes an AddonApplication of the unit per generation
// that installs the add-on.
func AddonApplicationSet(unit string) string { return "addon-" + unit }

// AddonApplication applies an add-on's unit on a generation.
func AddonApplication(unit, gen string) string { return unit + "-" + gen }
