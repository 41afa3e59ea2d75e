package cdk

// AccessSpec is the access entries, on one generation, of the tenants of
// one hash bucket (ownersBucket): each tenant's owners role may edit the
// tenant's namespace and nothing else. They are apart from the
// generation's stack so that no stack nears CloudFormation's 500
// resources: a shared cluster of 1,000 tenants has 1,000 entries, about
// 63 per stack.
type AccessSpec struct {
	ClusterName string
	Entries     []TenantAccess
}

// TenantAccess is a tenant placed on the cluster.
type TenantAccess struct {
	Namespace string
	Owners    string // the owners role's ARN
}

func (AccessSpec) kind() string { return "access" }
