package jsiisynth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func defineIAM(st awscdk.Stack, s cdk.IAMSpec) {
	for _, r := range []*cdk.TrustedRole{s.Deployer, s.Reader} {
		if r == nil {
			continue
		}
		props := &awsiam.CfnRoleProps{
			RoleName:                 str(r.Name),
			Description:              str(r.Description),
			AssumeRolePolicyDocument: trustedByRoleIn(r.Root, r.Principal),
		}
		if len(r.Actions) > 0 {
			props.Policies = &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName:     str("platformc"),
				PolicyDocument: cdk.PolicyDocument(allow(r.Actions, toAny(r.Resources)...)),
			}}
		}
		awsiam.NewCfnRole(st, str(r.Name), props)
	}
	for _, o := range s.Owners {
		resources := toAny(o.Clusters)
		awsiam.NewCfnRole(st, str(o.Name), &awsiam.CfnRoleProps{
			RoleName:                 str(o.Name),
			Description:              str(fmt.Sprintf("platformc: owners of tenant %s; access entries let it edit the tenant's namespace", o.Tenant)),
			AssumeRolePolicyDocument: trustedByAccount(o.Root),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName:     str("platformc"),
				PolicyDocument: cdk.PolicyDocument(allow([]string{"eks:DescribeCluster"}, resources...)),
			}},
		})
	}
}
