package fakeaws

import (
	"fmt"
	"strings"
)

// ClusterAdminPolicyARN is the EKS access policy that the webhook maps to
// the group system:masters when it is associated with cluster scope.
const ClusterAdminPolicyARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

// Cluster is an EKS cluster as the fake knows it: enough for access
// entries and the token webhook. The API servers themselves are the
// harness's.
type Cluster struct {
	Account, Region, Name, Version string
	Endpoint                       string
	CertificateAuthorityData       string
	IssuerURL                      string
}

// ARN returns the cluster's ARN.
func (c Cluster) ARN() string { return ClusterARN(c.Account, c.Region, c.Name) }

// AccessPolicy is an EKS access policy association. ScopeType is "cluster"
// or "namespace".
type AccessPolicy struct {
	PolicyARN  string
	ScopeType  string
	Namespaces []string
}

// AccessEntry is an EKS access entry: which IAM principal may authenticate
// to a cluster, and as what.
type AccessEntry struct {
	Account, Region, Cluster string
	PrincipalARN             string
	// Type is STANDARD (the default), EC2_LINUX or EC2_WINDOWS.
	Type string
	// Username defaults to the session ARN; {{SessionName}} is replaced.
	Username         string
	KubernetesGroups []string
	AccessPolicies   []AccessPolicy
}

// PutCluster records a cluster (cfn does this when it creates one).
func (c *Cloud) PutCluster(cl Cluster) error {
	if err := checkAccountRegion(cl.Account, cl.Region); err != nil {
		return fmt.Errorf("put cluster %q: %w", cl.Name, err)
	}
	if !roleNameRE.MatchString(cl.Name) {
		return fmt.Errorf("put cluster %q: the name is not valid", cl.Name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clusters[cl.ARN()] = &cl
	return nil
}

// DeleteCluster deletes a cluster and, as EKS does, its access entries.
func (c *Cloud) DeleteCluster(account, region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	arn := ClusterARN(account, region, name)
	if c.clusters[arn] == nil {
		return fmt.Errorf("delete cluster %s: ResourceNotFoundException: no such cluster", arn)
	}
	delete(c.clusters, arn)
	for k := range c.entries {
		if strings.HasPrefix(k, arn+" ") {
			delete(c.entries, k)
		}
	}
	return nil
}

// Cluster returns a cluster.
func (c *Cloud) Cluster(account, region, name string) (Cluster, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl := c.clusters[ClusterARN(account, region, name)]
	if cl == nil {
		return Cluster{}, false
	}
	return *cl, true
}

// PutAccessEntry creates or replaces an access entry. As in EKS, the
// cluster must exist and so must the IAM role the entry names.
func (c *Cloud) PutAccessEntry(e AccessEntry) error {
	if e.Type == "" {
		e.Type = "STANDARD"
	}
	what := fmt.Sprintf("put access entry for %s on cluster %s", e.PrincipalARN, e.Cluster)
	switch e.Type {
	case "STANDARD", "EC2_LINUX", "EC2_WINDOWS":
	default:
		return fmt.Errorf("%s: type %q is not emulated", what, e.Type)
	}
	if err := checkAccountRegion(e.Account, e.Region); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, p := range e.AccessPolicies {
		if !strings.HasPrefix(p.PolicyARN, "arn:aws:eks::aws:cluster-access-policy/") {
			return fmt.Errorf("%s: %q is not an EKS access policy ARN", what, p.PolicyARN)
		}
		switch {
		case p.ScopeType == "cluster" && len(p.Namespaces) == 0:
		case p.ScopeType == "namespace" && len(p.Namespaces) > 0:
		default:
			return fmt.Errorf("%s: access scope %q with namespaces %v is not valid", what, p.ScopeType, p.Namespaces)
		}
	}
	e.KubernetesGroups = clone(e.KubernetesGroups)
	e.AccessPolicies = clonePolicies(e.AccessPolicies)
	c.mu.Lock()
	defer c.mu.Unlock()
	arn := ClusterARN(e.Account, e.Region, e.Cluster)
	if c.clusters[arn] == nil {
		return fmt.Errorf("%s: ResourceNotFoundException: no cluster %s", what, arn)
	}
	if _, _, err := parseRoleARN(e.PrincipalARN); err != nil {
		return fmt.Errorf("%s: InvalidParameterException: only IAM roles are emulated as principals: %v", what, err)
	}
	if c.roles[e.PrincipalARN] == nil {
		return fmt.Errorf("%s: InvalidParameterException: the principal %s does not exist", what, e.PrincipalARN)
	}
	c.entries[arn+" "+e.PrincipalARN] = &e
	return nil
}

// DeleteAccessEntry deletes an access entry.
func (c *Cloud) DeleteAccessEntry(account, region, cluster, principalARN string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := ClusterARN(account, region, cluster) + " " + principalARN
	if c.entries[k] == nil {
		return fmt.Errorf("delete access entry for %s on cluster %s: ResourceNotFoundException: no such entry", principalARN, cluster)
	}
	delete(c.entries, k)
	return nil
}

// AccessEntry returns an access entry.
func (c *Cloud) AccessEntry(account, region, cluster, principalARN string) (AccessEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ClusterARN(account, region, cluster)+" "+principalARN]
	if e == nil {
		return AccessEntry{}, false
	}
	out := *e
	out.KubernetesGroups = clone(e.KubernetesGroups)
	out.AccessPolicies = clonePolicies(e.AccessPolicies)
	return out, true
}

func clonePolicies(ps []AccessPolicy) []AccessPolicy {
	out := clone(ps)
	for i := range out {
		out[i].Namespaces = clone(out[i].Namespaces)
	}
	return out
}
