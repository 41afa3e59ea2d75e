package jsiisynth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func defineManagement(st awscdk.Stack, s cdk.ManagementSpec) {
	for _, x := range []struct {
		id string
		r  cdk.ManagementRole
	}{{"ArgoCDRole", s.ArgoCD}, {"RegistryRole", s.Registry}} {
		id, r := x.id, x.r
		assumes := toAny(r.Assumes)
		awsiam.NewCfnRole(st, str(id), &awsiam.CfnRoleProps{
			RoleName:                 str(r.Name),
			Description:              str(r.Description),
			AssumeRolePolicyDocument: irsaTrust(st, r.Subjects, []cdk.IssuerParameters{s.Issuer}),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName:     str("assume"),
				PolicyDocument: cdk.PolicyDocument(allow([]string{"sts:AssumeRole"}, assumes...)),
			}},
		})
	}
}
