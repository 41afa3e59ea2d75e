package cdk

import (
	"slices"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// Management SSM parameters: the management cluster's OIDC issuer
// (without https://) and its IAM OIDC provider's ARN, in the management
// account and region. The platform team writes them once, with the
// management cluster (README.md); the management stack's trust policies
// read them when it is deployed.
func ManagementParameter(p *model.Platform, key string) string {
	return "/" + p.Config.Name + "/management/" + key
}

// ArgoCDServiceAccounts are Argo CD's components that reach the
// clusters: the application controller syncs, the API server shows live
// objects and logs. Both run argocd-k8s-auth, which the clusters'
// awsAuthConfig names, as Argo CD's role.
func ArgoCDServiceAccounts() []string {
	return []string{"argocd-application-controller", "argocd-server"}
}

// ManagementSpec is the roles of the management cluster, in its account
// (platform.argocd): Argo CD's, which may assume only the deployer role
// of each account the platform's clusters run in, and the cluster
// registry's, which may assume only their registry reader roles. Each is
// trusted (IRSA) by exactly its service accounts in Argo CD's namespace.
type ManagementSpec struct {
	Issuer   IssuerParameters
	ArgoCD   ManagementRole
	Registry ManagementRole
}

type ManagementRole struct {
	Name        string
	Description string
	Subjects    []string // system:serviceaccount:<namespace>:<name>
	Assumes     []string // the role ARNs it may assume
}

func (ManagementSpec) kind() string { return "management" }

// ManagementStack is the stack of the management cluster's roles.
func ManagementStack(p *model.Platform) string { return p.Config.Name + "-management" }

func managementSpecFor(p *model.Platform) ManagementSpec {
	ns := p.Config.ArgoCD.Namespace
	s := ManagementSpec{
		Issuer: IssuerParameters{
			Generation:  "management",
			Issuer:      ManagementParameter(p, ParamOIDCIssuer),
			ProviderARN: ManagementParameter(p, ParamOIDCProviderARN),
		},
		ArgoCD: ManagementRole{
			Name:        roleName(ArgoCDRoleARN(p)),
			Description: "platformc: Argo CD on the management cluster (IRSA); may assume only the deployer role of each account of the platform's clusters",
		},
		Registry: ManagementRole{
			Name:        roleName(naming.RegistryRoleARN(p)),
			Description: "platformc: the cluster registry on the management cluster (IRSA); may assume only the registry reader role of each account of the platform's clusters",
			Subjects:    []string{"system:serviceaccount:" + ns + ":" + naming.RegistryServiceAccount},
		},
	}
	for _, sa := range ArgoCDServiceAccounts() {
		s.ArgoCD.Subjects = append(s.ArgoCD.Subjects, "system:serviceaccount:"+ns+":"+sa)
	}
	for _, c := range p.Clusters {
		s.ArgoCD.Assumes = append(s.ArgoCD.Assumes, naming.ArgoCDDeployerRoleARN(p, c))
		s.Registry.Assumes = append(s.Registry.Assumes, naming.RegistryReaderRoleARN(p, c))
	}
	for _, r := range []*ManagementRole{&s.ArgoCD, &s.Registry} {
		slices.Sort(r.Assumes)
		r.Assumes = slices.Compact(r.Assumes)
	}
	return s
}
