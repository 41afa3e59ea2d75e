package cdk

import (
	"fmt"
	"slices"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// IAMSpec is an environment's roles: the owners role of every tenant
// placed on one of its clusters and, in the first environment (by name)
// of each account, the two roles the management cluster assumes in that
// account. Those two are named once per account (IAM names are global to
// an account), so two environments sharing an account must not both
// create them.
type IAMSpec struct {
	Deployer *TrustedRole `json:",omitempty"`
	Reader   *TrustedRole `json:",omitempty"`
	Owners   []OwnersRole
}

// TrustedRole is a role that exactly one role of another account may
// assume, with an optional inline policy.
type TrustedRole struct {
	Name        string
	Description string
	Root        string // the trusted account's root
	Principal   string // the trusted role
	Actions     []string
	Resources   []string
}

// OwnersRole is a tenant's owners role in an environment.
type OwnersRole struct {
	Tenant   string
	Name     string
	Root     string   // the environment account's root, which it trusts
	Clusters []string // ARNs of the EKS clusters it may describe, for "aws eks update-kubeconfig"
}

func (IAMSpec) kind() string { return "iam" }

func (s IAMSpec) empty() bool { return s.Deployer == nil && s.Reader == nil && s.Owners == nil }

// iamSpecFor returns the spec of env's roles; shared says whether the
// account-wide roles go in this environment's stack.
func iamSpecFor(p *model.Platform, env string, shared bool) IAMSpec {
	var s IAMSpec
	var clusters []*model.Cluster
	for _, c := range p.Clusters {
		if c.Environment == env {
			clusters = append(clusters, c)
		}
	}
	if len(clusters) == 0 {
		return s
	}
	e := p.Config.Environments[env]
	if shared {
		s.Deployer, s.Reader = sharedRoles(p, e.Account)
	}
	for _, t := range p.Tenants {
		var arns []string
		for _, c := range clusters {
			if !t.PlacedOn(c.Name) {
				continue
			}
			for _, g := range c.Generations() {
				arns = append(arns, fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", naming.Partition(c.Region), c.Region, c.Account, g.Name()))
			}
		}
		if arns != nil {
			s.Owners = append(s.Owners, OwnersRole{
				Tenant:   t.Name,
				Name:     OwnersRoleName(p, t, env),
				Root:     accountRoot(e.Region, e.Account),
				Clusters: arns,
			})
		}
	}
	return s
}

// sharedRoles are the roles the management cluster assumes in an account:
// Argo CD's deployer, which the clusters' access entries make cluster
// admin, and the cluster registry reader, which may read the parameters
// the account's generation stacks publish, in every region they run in.
func sharedRoles(p *model.Platform, account string) (deployer, reader *TrustedRole) {
	var first *model.Cluster
	var params []string
	for _, c := range p.Clusters {
		if c.Account != account {
			continue
		}
		if first == nil {
			first = c
		}
		arn := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s/clusters/*", naming.Partition(c.Region), c.Region, c.Account, p.Config.Name)
		if !slices.Contains(params, arn) {
			params = append(params, arn)
		}
	}
	slices.Sort(params)
	a := p.Config.ArgoCD
	root := accountRoot(a.Region, a.Account)
	deployer = &TrustedRole{
		Name:        roleName(naming.ArgoCDDeployerRoleARN(p, first)),
		Description: "platformc: Argo CD deploys to this account's EKS clusters as this role (cluster admin through their access entries)",
		Root:        root,
		Principal:   ArgoCDRoleARN(p),
	}
	reader = &TrustedRole{
		Name:        roleName(naming.RegistryReaderRoleARN(p, first)),
		Description: "platformc: the management cluster reads the cluster registrations this account's EKS stacks publish",
		Root:        root,
		Principal:   naming.RegistryRoleARN(p),
		Actions:     []string{"ssm:GetParameter"},
		Resources:   params,
	}
	return deployer, reader
}

// PolicyDocument is an IAM policy document with the given statements.
func PolicyDocument(statements ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}
