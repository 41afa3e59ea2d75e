package cdk

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"

	"github.com/platformc/platformc/compiler/model"
)

// STSAudience is the audience of the service account tokens IRSA
// exchanges.
const STSAudience = "sts.amazonaws.com"

// MaxTrustPolicy is IAM's default limit on a trust policy's length,
// whitespace excluded.
const MaxTrustPolicy = 2048

// tenantSpec is a tenant's one secret in an environment and the role its
// SecretStore uses.
//
// The secret is created empty: with neither SecretString nor
// GenerateSecretString, CloudFormation creates a secret with no value, and
// the owners put the values in by hand; no value is ever in a template. It
// is retained when the stack or the resource goes away, so a mistaken
// change cannot destroy values.
//
// The role may be assumed only with a token of the tenant's secrets
// service account, from the OIDC provider of each generation of each
// cluster of the environment the tenant runs on; it may only describe and
// read that one secret.
type tenantSpec struct {
	Tenant      string
	Secret      string // the secret's name
	Role        string // the role's name
	Subject     string // the service account, as the token's sub claim
	Generations []issuerParameters
}

// issuerParameters are the SSM parameters a generation stack publishes
// and the role's trust policy reads when it is deployed.
type issuerParameters struct {
	Generation  string
	Issuer      string
	ProviderARN string
}

func (tenantSpec) kind() string { return "tenant" }

func tenantSpecFor(p *model.Platform, t *model.Tenant, env string, gens []model.Generation) (tenantSpec, error) {
	ts := p.TenantSecret(t, env)
	s := tenantSpec{
		Tenant:  t.Name,
		Secret:  ts.Name,
		Role:    ts.RoleName,
		Subject: "system:serviceaccount:" + ts.Namespace + ":" + model.SecretsServiceAccount,
	}
	for _, g := range gens {
		s.Generations = append(s.Generations, issuerParameters{
			Generation:  g.Name(),
			Issuer:      p.ClusterParameter(g, ParamOIDCIssuer),
			ProviderARN: p.ClusterParameter(g, ParamOIDCProviderARN),
		})
	}
	// The issuers are only known at deploy time; measure the policy with
	// the longest issuer EKS gives in the region.
	issuer := "oidc.eks." + ts.Region + ".amazonaws.com/id/" + strings.Repeat("0", 32)
	provider := fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", model.Partition(ts.Region), ts.Account, issuer)
	doc, vars := trustPolicy([]string{s.Subject}, s.Generations)
	n := len(doc)
	for name := range vars {
		v := issuer
		if strings.HasPrefix(name, "Provider") {
			v = provider
		}
		n += strings.Count(doc, "${"+name+"}") * (len(v) - len("${"+name+"}"))
	}
	if n > MaxTrustPolicy {
		return tenantSpec{}, fmt.Errorf("%s: tenant %s runs on %d cluster generations in environment %s: the trust policy of its secrets role would be about %d characters, more than IAM's %d", t.Pos, t.Name, len(gens), env, n, MaxTrustPolicy)
	}
	return s, nil
}

// trustPolicy is the trust policy of a role that only the service
// account subject, on each of gens, may assume (IRSA), as the body of an
// Fn::Sub, and the SSM parameters of its variables: "IssuerN" and
// "ProviderN" for the N-th generation. IAM condition keys embed the issuer
// ("<issuer>:sub"), which is only known once the cluster exists, and
// CloudFormation takes no intrinsic function in a key; a trust policy
// given as a string can be substituted whole. (The CDK's CfnJson does the
// same with a Lambda-backed custom resource, which would add a function,
// its role and a code asset to every stack.)
func trustPolicy(subjects []string, gens []issuerParameters) (string, map[string]string) {
	var sub any = subjects // several: any of them
	if len(subjects) == 1 {
		sub = subjects[0]
	}
	vars := map[string]string{}
	var statements []obj
	for i, g := range gens {
		issuer, provider := fmt.Sprintf("Issuer%d", i), fmt.Sprintf("Provider%d", i)
		vars[issuer], vars[provider] = g.Issuer, g.ProviderARN
		statements = append(statements, obj{
			"Effect":    "Allow",
			"Principal": obj{"Federated": "${" + provider + "}"},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": obj{"StringEquals": obj{
				"${" + issuer + "}:sub": sub,
				"${" + issuer + "}:aud": STSAudience,
			}},
		})
	}
	data, err := json.Marshal(policyDocument(statements...))
	if err != nil {
		panic(err)
	}
	return string(data), vars
}

// irsaTrust is trustPolicy as a value of a template of st, which reads
// the generations' issuers from their SSM parameters when it is deployed.
func irsaTrust(st awscdk.Stack, subjects []string, gens []issuerParameters) *string {
	body, names := trustPolicy(subjects, gens)
	vars := map[string]*string{}
	// In a fixed order: each read adds a template parameter.
	for _, name := range slices.Sorted(maps.Keys(names)) {
		vars[name] = awsssm.StringParameter_ValueForStringParameter(st, str(names[name]), nil)
	}
	return awscdk.Fn_Sub(str(body), &vars)
}

func (s tenantSpec) define(st awscdk.Stack) {
	secret := awssecretsmanager.NewCfnSecret(st, str("Secret"), &awssecretsmanager.CfnSecretProps{
		Name:        str(s.Secret),
		Description: str(fmt.Sprintf("platformc: the secrets of tenant %s. Values are put here by the tenant's owners, never in a template; ExternalSecrets read the keys the tenant declares.", s.Tenant)),
	})
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)

	awsiam.NewCfnRole(st, str("SecretsRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(s.Role),
		Description:              str(fmt.Sprintf("platformc: tenant %s's SecretStore (IRSA); may read only the tenant's secret", s.Tenant)),
		AssumeRolePolicyDocument: irsaTrust(st, []string{s.Subject}, s.Generations),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("read-tenant-secret"),
			PolicyDocument: policyDocument(allow(
				[]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
				secret.Ref(),
			)),
		}},
	})
}
