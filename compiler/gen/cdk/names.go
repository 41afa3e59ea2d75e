package cdk

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// Names of the stacks, all prefixed with the platform's name, so that a
// stack can be found, deployed or destroyed by name:
//
//	<platform>-<environment>-iam          roles shared by an environment's clusters
//	<platform>-<cluster>-network          a cluster's VPC, shared by its generations
//	<platform>-<generation>               one EKS cluster, "acme-prod-shared-1-35"
//	<platform>-<generation>-addons        the IAM roles of its add-ons
//	<platform>-<generation>-access-<h>    the tenants' access entries, in 16 stacks
//	<platform>-<environment>-<tenant>     a tenant's secret and secrets role
//	<platform>-<cluster>-dns-<h>          a cluster's weighted ingress records, in 16 stacks
//	<platform>-certs-<account>-<region>   the ingress hosts' TLS certificates there, per zone
//	<platform>-management                 the management cluster's roles (Argo CD, registry)

// IAMStack is the stack of the roles shared by an environment's clusters.
func IAMStack(p *model.Platform, env string) string { return p.Config.Name + "-" + env + "-iam" }

// OwnersStack is the stack of the tenant's owners role in env. The roles of
// an environment are spread over 16 stacks by a hash of the tenant's name,
// never by position, so that a tenant's role never moves between stacks and
// no stack nears CloudFormation's 500 resources before about 8,000 tenants.
func OwnersStack(p *model.Platform, t *model.Tenant, env string) string {
	return ownersStack(p, t.Name, env)
}

func ownersStack(p *model.Platform, tenant, env string) string {
	return fmt.Sprintf("%s-%s-owners-%x", p.Config.Name, env, ownersBucket(tenant))
}

// ownersBucket is the tenant's bucket, 0 to 15, among the stacks of
// owners roles and of access entries.
func ownersBucket(tenant string) byte {
	sum := sha256.Sum256([]byte(tenant))
	return sum[0] >> 4
}

// AccessStack is the stack of the tenant's access entry on a generation,
// shared with the tenants of its bucket (see OwnersStack).
func AccessStack(p *model.Platform, t *model.Tenant, g model.Generation) string {
	return accessStack(p, t.Name, g)
}

func accessStack(p *model.Platform, tenant string, g model.Generation) string {
	return fmt.Sprintf("%s-access-%x", GenerationStack(p, g), ownersBucket(tenant))
}

// NetworkStack is the stack of a cluster's VPC.
func NetworkStack(p *model.Platform, c *model.Cluster) string {
	return p.Config.Name + "-" + c.Name + "-network"
}

// GenerationStack is the stack of one EKS cluster.
func GenerationStack(p *model.Platform, g model.Generation) string {
	return p.Config.Name + "-" + g.Name()
}

// AddonsStack is the stack of the IAM roles of a generation's add-ons.
func AddonsStack(p *model.Platform, g model.Generation) string {
	return GenerationStack(p, g) + "-addons"
}

// TenantStack is the stack of a tenant's secret for an environment.
func TenantStack(p *model.Platform, t *model.Tenant, env string) string {
	return p.Config.Name + "-" + env + "-" + t.Name
}

// DNSStack is the stack of the weighted records of the tenant's ingress
// hosts on a cluster, shared with the tenants of its bucket (see
// OwnersStack): a cluster's records are spread over 16 stacks, so that a
// shared cluster's thousands of hosts stay within CloudFormation's 500
// resources per stack, and a host's records never move between stacks.
func DNSStack(p *model.Platform, t *model.Tenant, c *model.Cluster) string {
	return dnsStack(p, t.Name, c)
}

func dnsStack(p *model.Platform, tenant string, c *model.Cluster) string {
	return fmt.Sprintf("%s-%s-dns-%x", p.Config.Name, c.Name, ownersBucket(tenant))
}

// ArgoCDRoleARN is the role Argo CD runs as on the management cluster
// (through IRSA there): the one principal the deployer roles trust.
// Installing Argo CD with that role is the management cluster's business.
func ArgoCDRoleARN(p *model.Platform) string {
	a := p.Config.ArgoCD
	return naming.RoleARN(a.Region, a.Account, p.Config.Name+"-argocd")
}

// OwnersRoleName is the role of a tenant's owners in an environment; its
// access entries let it edit the tenant's namespace on the environment's
// clusters, and nothing else.
func OwnersRoleName(p *model.Platform, t *model.Tenant, env string) string {
	return p.Config.Name + "-" + env + "-" + t.Name + "-owners"
}

// OwnersRoleARN is the ARN of OwnersRoleName.
func OwnersRoleARN(p *model.Platform, t *model.Tenant, env string) string {
	e := p.Config.Environments[env]
	return naming.RoleARN(e.Region, e.Account, OwnersRoleName(p, t, env))
}

// Exported values of a network stack, which generation stacks import by
// name: "<stack>-VpcId", "<stack>-PrivateSubnet1Id", ...
const (
	ExportVPC     = "VpcId"
	PublicSubnet  = "PublicSubnet"
	PrivateSubnet = "PrivateSubnet"
)

// ExportName is the name under which a stack exports the value of key.
func ExportName(stack, key string) string { return stack + "-" + key }

// SubnetKey is the key of the i-th subnet of a kind (PublicSubnet or
// PrivateSubnet): "PrivateSubnet1Id".
func SubnetKey(kind string, i int) string { return fmt.Sprintf("%s%dId", kind, i+1) }

func accountRoot(region, account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:root", naming.Partition(region), account)
}

// roleName is the name in a role ARN.
func roleName(arn string) string {
	_, name, _ := strings.Cut(arn, ":role/")
	return name
}
