package jsiisynth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func defineAccess(st awscdk.Stack, s cdk.AccessSpec) {
	edit := fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", *st.Partition())
	for _, e := range s.Entries {
		awseksv2.NewCfnAccessEntry(st, str("Owners-"+e.Namespace), &awseksv2.CfnAccessEntryProps{
			ClusterName:  str(s.ClusterName),
			PrincipalArn: str(e.Owners),
			AccessPolicies: &[]any{&awseksv2.CfnAccessEntry_AccessPolicyProperty{
				PolicyArn: str(edit),
				AccessScope: &awseksv2.CfnAccessEntry_AccessScopeProperty{
					Type:       str("namespace"),
					Namespaces: strs([]string{e.Namespace}),
				},
			}},
		})
	}
}
