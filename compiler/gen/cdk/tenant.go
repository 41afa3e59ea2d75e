package cdk

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// STSAudience is the audience of the service account tokens IRSA
// exchanges.
const STSAudience = "sts.amazonaws.com"

// MaxTrustPolicy is IAM's default limit on a trust policy's length,
// whitespace excluded.
const MaxTrustPolicy = 2048

// TenantSpec is a tenant's one secret in an environment and the role its
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
//
// Each workload with AWS access has a role of its own, which only its
// service account may assume, the same way, and which may do on the
// resources it names exactly what their access levels need.
type TenantSpec struct {
	Tenant      string
	Secret      string // the secret's name
	Role        string // the role's name
	Subject     string // the service account, as the token's sub claim
	Generations []IssuerParameters
	Workloads   []WorkloadRole `json:",omitempty"`
}

// WorkloadRole is the IAM role of a workload with AWS access.
type WorkloadRole struct {
	Workload   string
	Name       string // the role's name
	Subject    string // the workload's service account, as the token's sub claim
	Statements []Statement
}

// statement allows actions on resources; on S3, whose ARNs name no
// account, only on resources of Account.
type Statement struct {
	Actions   []string
	Resources []string
	Account   string `json:",omitempty"`
}

// accessStatements are what an access level needs on a resource in an
// account and region: to read (list and get) or write (also put and
// delete) the objects of a bucket, to consume (receive, delete, extend)
// or send the messages of a queue, to read (get, query, scan) or write
// (also put, update, delete) the items of a table and its indexes.
func accessStatements(a model.Access, account, region string) []Statement {
	part := naming.Partition(region)
	switch a.Service {
	case model.S3:
		bucket := fmt.Sprintf("arn:%s:s3:::%s", part, a.Name)
		objects := []string{"s3:GetObject"}
		if a.Level == model.Write {
			objects = append(objects, "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
		}
		return []Statement{
			{Actions: []string{"s3:GetBucketLocation", "s3:ListBucket"}, Resources: []string{bucket}, Account: account},
			{Actions: objects, Resources: []string{bucket + "/*"}, Account: account},
		}
	case model.SQS:
		actions := []string{"sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
		if a.Level == model.Consume {
			actions = append(actions, "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage")
		} else {
			actions = append(actions, "sqs:SendMessage")
		}
		return []Statement{{Actions: actions, Resources: []string{fmt.Sprintf("arn:%s:sqs:%s:%s:%s", part, region, account, a.Name)}}}
	case model.DynamoDB:
		actions := []string{"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}
		if a.Level == model.Write {
			actions = append(actions, "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
		}
		table := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", part, region, account, a.Name)
		return []Statement{{Actions: actions, Resources: []string{table, table + "/index/*"}}}
	}
	return nil
}

// IssuerParameters are the SSM parameters a generation stack publishes
// and the role's trust policy reads when it is deployed.
type IssuerParameters struct {
	Generation  string
	Issuer      string
	ProviderARN string
}

func (TenantSpec) kind() string { return "tenant" }

func tenantSpecFor(p *model.Platform, t *model.Tenant, env string, gens []model.Generation) (TenantSpec, diag.List) {
	ts := naming.Secret(p, t, env)
	s := TenantSpec{
		Tenant:  t.Name,
		Secret:  ts.Name,
		Role:    ts.RoleName,
		Subject: "system:serviceaccount:" + ts.Namespace + ":" + naming.SecretsServiceAccount,
	}
	for _, w := range t.Workloads() {
		if len(w.AWS) == 0 {
			continue
		}
		name, _ := naming.WorkloadRole(p, t, w, env)
		r := WorkloadRole{Workload: w.Name, Name: name, Subject: "system:serviceaccount:" + t.Namespace() + ":" + w.ServiceAccount()}
		for _, a := range w.AWS {
			r.Statements = append(r.Statements, accessStatements(a, ts.Account, ts.Region)...)
		}
		s.Workloads = append(s.Workloads, r)
	}
	for _, g := range gens {
		s.Generations = append(s.Generations, IssuerParameters{
			Generation:  g.Name(),
			Issuer:      naming.ClusterParameter(p, g, ParamOIDCIssuer),
			ProviderARN: naming.ClusterParameter(p, g, ParamOIDCProviderARN),
		})
	}
	// The issuers are only known at deploy time; measure the policy with
	// the longest issuer EKS gives in the region.
	issuer := "oidc.eks." + ts.Region + ".amazonaws.com/id/" + strings.Repeat("0", 32)
	provider := fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", naming.Partition(ts.Region), ts.Account, issuer)
	doc, vars := TrustPolicy([]string{s.Subject}, s.Generations)
	n := len(doc)
	for name := range vars {
		v := issuer
		if strings.HasPrefix(name, "Provider") {
			v = provider
		}
		n += strings.Count(doc, "${"+name+"}") * (len(v) - len("${"+name+"}"))
	}
	if n > MaxTrustPolicy {
		return TenantSpec{}, diag.List{diag.Errorf(t.Pos, diag.Path("tenants", t.Name), "tenant %s runs on %d cluster generations in environment %s: the trust policy of its secrets role would be about %d characters, more than IAM's %d", t.Name, len(gens), env, n, MaxTrustPolicy)}
	}
	return s, nil
}

// TrustPolicy is the trust policy of a role that only the service
// account subject, on each of gens, may assume (IRSA), as the body of an
// Fn::Sub, and the SSM parameters of its variables: "IssuerN" and
// "ProviderN" for the N-th generation. IAM condition keys embed the issuer
// ("<issuer>:sub"), which is only known once the cluster exists, and
// CloudFormation takes no intrinsic function in a key; a trust policy
// given as a string can be substituted whole. (The CDK's CfnJson does the
// same with a Lambda-backed custom resource, which would add a function,
// its role and a code asset to every stack.)
func TrustPolicy(subjects []string, gens []IssuerParameters) (string, map[string]string) {
	var sub any = subjects // several: any of them
	if len(subjects) == 1 {
		sub = subjects[0]
	}
	vars := map[string]string{}
	var statements []map[string]any
	for i, g := range gens {
		issuer, provider := fmt.Sprintf("Issuer%d", i), fmt.Sprintf("Provider%d", i)
		vars[issuer], vars[provider] = g.Issuer, g.ProviderARN
		statements = append(statements, map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": "${" + provider + "}"},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{
				"${" + issuer + "}:sub": sub,
				"${" + issuer + "}:aud": STSAudience,
			}},
		})
	}
	data, err := json.Marshal(PolicyDocument(statements...))
	if err != nil {
		panic(err)
	}
	return string(data), vars
}
