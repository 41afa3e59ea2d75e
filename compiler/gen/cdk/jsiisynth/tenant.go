package jsiisynth

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

// irsaTrust is trustPolicy as a value of a template of st, which reads
// the generations' issuers from their SSM parameters when it is deployed.
func irsaTrust(st awscdk.Stack, subjects []string, gens []cdk.IssuerParameters) *string {
	body, names := cdk.TrustPolicy(subjects, gens)
	vars := map[string]*string{}
	// In a fixed order: each read adds a template parameter.
	for _, name := range slices.Sorted(maps.Keys(names)) {
		vars[name] = awsssm.StringParameter_ValueForStringParameter(st, str(names[name]), nil)
	}
	return awscdk.Fn_Sub(str(body), &vars)
}

func defineTenant(st awscdk.Stack, s cdk.TenantSpec) {
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
			PolicyDocument: cdk.PolicyDocument(allow(
				[]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
				secret.Ref(),
			)),
		}},
	})
	for _, w := range s.Workloads {
		var statements []obj
		for _, x := range w.Statements {
			st := allow(x.Actions, toAny(x.Resources)...)
			if x.Account != "" {
				st["Condition"] = obj{"StringEquals": obj{"s3:ResourceAccount": x.Account}}
			}
			statements = append(statements, st)
		}
		awsiam.NewCfnRole(st, str("WorkloadRole-"+w.Workload), &awsiam.CfnRoleProps{
			RoleName:                 str(w.Name),
			Description:              str(fmt.Sprintf("platformc: workload %s of tenant %s (IRSA); may use only the AWS resources the tenant file names", w.Workload, s.Tenant)),
			AssumeRolePolicyDocument: irsaTrust(st, []string{w.Subject}, s.Generations),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName:     str("aws-access"),
				PolicyDocument: cdk.PolicyDocument(statements...),
			}},
		})
	}
}
