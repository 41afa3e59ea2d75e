package cdk

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
)

// accessSpec is the access entries, on one generation, of the tenants of
// one hash bucket (ownersBucket): each tenant's owners role may edit the
// tenant's namespace and nothing else. They are apart from the
// generation's stack so that no stack nears CloudFormation's 500
// resources: a shared cluster of 1,000 tenants has 1,000 entries, about
// 63 per stack.
type accessSpec struct {
	ClusterName string
	Entries     []tenantAccess
}

// tenantAccess is a tenant placed on the cluster.
type tenantAccess struct {
	Namespace string
	Owners    string // the owners role's ARN
}

func (accessSpec) kind() string { return "access" }

func (s accessSpec) define(st awscdk.Stack) {
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
