package cfn

import (
	"context"
	"crypto"
	"fmt"
	"strings"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// ClusterSpec is what the deployer asks the harness to start for an
// AWS::EKS::Cluster.
type ClusterSpec struct {
	Account, Region, Name, Version string
	RoleARN                        string // the cluster's service role
	StackName, LogicalID           string
}

// ClusterInfo is what EKS reports about a cluster, as the harness made it.
type ClusterInfo struct {
	Endpoint string // https://...
	// CertificateAuthorityData is the base64 of the API server CA's PEM.
	CertificateAuthorityData string
	// OpenIdConnectIssuerUrl is the service-account issuer, https://...
	OpenIdConnectIssuerUrl string
	// ClusterSecurityGroupId is optional (a stable fake if empty).
	ClusterSecurityGroupId string
	// IssuerKeys, optional, are the public keys of the issuer: the
	// deployer registers them with the cloud (Cloud.SetIssuerKeys), as an
	// EKS issuer publishes them, and removes them with the cluster.
	IssuerKeys []crypto.PublicKey
}

// Clusters starts and stops the Kubernetes API servers that stand for EKS
// clusters. The harness implements it.
type Clusters interface {
	Create(ctx context.Context, spec ClusterSpec) (ClusterInfo, error)
	Delete(ctx context.Context, account, region, name string) error
}

// clusterHandler: AWS::EKS::Cluster. Ref is the name; Arn, Endpoint,
// CertificateAuthorityData, OpenIdConnectIssuerUrl, ClusterSecurityGroupId.
// A cluster whose Name and Version are unchanged is not recreated; a new
// Version makes the harness delete and create it again under the same name,
// keeping its access entries (standing in for EKS's in-place upgrade: the
// harness should keep its issuer URL and keys); a new Name replaces it.
type clusterHandler struct{}

func (clusterHandler) spec(env resourceEnv, p props) (ClusterSpec, error) {
	s := ClusterSpec{Account: env.stack.Account, Region: env.stack.Region, StackName: env.stack.Name, LogicalID: env.logicalID}
	var err error
	if s.Name, err = p.str("Name", false); err != nil {
		return s, err
	}
	if s.Name == "" {
		s.Name = generatedName(env, 100)
	}
	if s.Version, err = p.str("Version", false); err != nil {
		return s, err
	}
	if s.RoleARN, err = p.str("RoleArn", true); err != nil {
		return s, err
	}
	if _, ok := p.m["ResourcesVpcConfig"]; !ok {
		return s, fmt.Errorf("AWS::EKS::Cluster %s: property ResourcesVpcConfig is required", s.Name)
	}
	if mode, _ := asMap(p.m["AccessConfig"])["AuthenticationMode"].(string); mode == "CONFIG_MAP" {
		return s, fmt.Errorf("AWS::EKS::Cluster %s: authentication mode CONFIG_MAP (aws-auth) is not emulated, only access entries", s.Name)
	}
	return s, nil
}

func (h clusterHandler) create(env resourceEnv, p props) (result, error) {
	s, err := h.spec(env, p)
	if err != nil {
		return result{}, err
	}
	if _, exists := env.cloud.Cluster(s.Account, s.Region, s.Name); exists {
		return result{}, fmt.Errorf("AWS::EKS::Cluster: ResourceInUseException: cluster %s already exists", s.Name)
	}
	return h.start(env, s)
}

func (clusterHandler) start(env resourceEnv, s ClusterSpec) (result, error) {
	info, err := env.clusters.Create(env.ctx, s)
	if err != nil {
		return result{}, fmt.Errorf("AWS::EKS::Cluster %s: the harness could not create it: %w", s.Name, err)
	}
	if !strings.HasPrefix(info.OpenIdConnectIssuerUrl, "https://") || info.Endpoint == "" || info.CertificateAuthorityData == "" {
		return result{}, fmt.Errorf("AWS::EKS::Cluster %s: the harness reported %+v: Endpoint, CertificateAuthorityData and an https OpenIdConnectIssuerUrl are required", s.Name, info)
	}
	if err := env.cloud.PutCluster(fakeaws.Cluster{Account: s.Account, Region: s.Region, Name: s.Name, Version: s.Version,
		Endpoint: info.Endpoint, CertificateAuthorityData: info.CertificateAuthorityData, IssuerURL: info.OpenIdConnectIssuerUrl}); err != nil {
		return result{}, err
	}
	if len(info.IssuerKeys) > 0 {
		if err := env.cloud.SetIssuerKeys(info.OpenIdConnectIssuerUrl, info.IssuerKeys...); err != nil {
			return result{}, err
		}
	}
	sg := info.ClusterSecurityGroupId
	if sg == "" {
		sg = "sg-" + stableHash(17, s.Account, s.Region, s.Name)
	}
	return result{PhysicalID: s.Name, Attrs: map[string]string{
		"Arn":                      fakeaws.ClusterARN(s.Account, s.Region, s.Name),
		"Endpoint":                 info.Endpoint,
		"CertificateAuthorityData": info.CertificateAuthorityData,
		"OpenIdConnectIssuerUrl":   info.OpenIdConnectIssuerUrl,
		"ClusterSecurityGroupId":   sg,
		"Id":                       stableHash(8, s.Account, s.Region, s.Name) + "-" + stableHash(4, s.Name),
	}}, nil
}

func (h clusterHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	s, err := h.spec(env, p)
	if err != nil {
		return result{}, false, err
	}
	switch {
	case s.Name != old.PhysicalID:
		res, err := h.create(env, p)
		return res, true, err
	case s.Version != fmt.Sprint(old.Props["Version"]) && !(s.Version == "" && old.Props["Version"] == nil):
		// EKS upgrades in place, keeping access entries; the harness
		// restarts the API server under the same name.
		if err := env.clusters.Delete(env.ctx, s.Account, s.Region, old.PhysicalID); err != nil {
			return result{}, false, fmt.Errorf("AWS::EKS::Cluster %s: the harness could not delete it for the upgrade to %s: %w", s.Name, s.Version, err)
		}
		res, err := h.start(env, s)
		if err == nil && old.Attrs["OpenIdConnectIssuerUrl"] != res.Attrs["OpenIdConnectIssuerUrl"] {
			err = env.cloud.SetIssuerKeys(old.Attrs["OpenIdConnectIssuerUrl"])
		}
		return res, false, err
	}
	return result{PhysicalID: old.PhysicalID, Attrs: old.Attrs}, false, nil
}

func (clusterHandler) delete(env resourceEnv, old *resourceState) error {
	if err := env.clusters.Delete(env.ctx, env.stack.Account, env.stack.Region, old.PhysicalID); err != nil {
		return fmt.Errorf("AWS::EKS::Cluster %s: the harness could not delete it: %w", old.PhysicalID, err)
	}
	if issuer := old.Attrs["OpenIdConnectIssuerUrl"]; issuer != "" {
		if err := env.cloud.SetIssuerKeys(issuer); err != nil {
			return err
		}
	}
	if _, ok := env.cloud.Cluster(env.stack.Account, env.stack.Region, old.PhysicalID); !ok {
		return nil
	}
	return env.cloud.DeleteCluster(env.stack.Account, env.stack.Region, old.PhysicalID)
}

// accessEntryHandler: AWS::EKS::AccessEntry. Ref is
// "<cluster>|<principal ARN>"; AccessEntryArn.
type accessEntryHandler struct{}

func (accessEntryHandler) entry(env resourceEnv, p props) (fakeaws.AccessEntry, error) {
	if err := p.only("AccessPolicies", "ClusterName", "KubernetesGroups", "PrincipalArn", "Tags", "Type", "Username"); err != nil {
		return fakeaws.AccessEntry{}, err
	}
	e := fakeaws.AccessEntry{Account: env.stack.Account, Region: env.stack.Region}
	var err error
	for _, f := range []struct {
		key      string
		dst      *string
		required bool
	}{{"ClusterName", &e.Cluster, true}, {"PrincipalArn", &e.PrincipalARN, true}, {"Type", &e.Type, false}, {"Username", &e.Username, false}} {
		if *f.dst, err = p.str(f.key, f.required); err != nil {
			return e, err
		}
	}
	if e.Type == "" {
		e.Type = "STANDARD"
	}
	if e.KubernetesGroups, err = p.strList("KubernetesGroups"); err != nil {
		return e, err
	}
	pols, _ := p.m["AccessPolicies"].([]any)
	for i, x := range pols {
		pp := props{typ: fmt.Sprintf("AWS::EKS::AccessEntry AccessPolicies[%d]", i), m: asMap(x)}
		var ap fakeaws.AccessPolicy
		if ap.PolicyARN, err = pp.str("PolicyArn", true); err != nil {
			return e, err
		}
		scope := props{typ: pp.typ + " AccessScope", m: asMap(pp.m["AccessScope"])}
		if ap.ScopeType, err = scope.str("Type", true); err != nil {
			return e, err
		}
		if ap.Namespaces, err = scope.strList("Namespaces"); err != nil {
			return e, err
		}
		e.AccessPolicies = append(e.AccessPolicies, ap)
	}
	return e, nil
}

func (h accessEntryHandler) create(env resourceEnv, p props) (result, error) {
	e, err := h.entry(env, p)
	if err != nil {
		return result{}, err
	}
	if _, exists := env.cloud.AccessEntry(e.Account, e.Region, e.Cluster, e.PrincipalARN); exists {
		return result{}, fmt.Errorf("AWS::EKS::AccessEntry: ResourceInUseException: cluster %s already has an access entry for %s", e.Cluster, e.PrincipalARN)
	}
	return h.put(env, e)
}

func (accessEntryHandler) put(env resourceEnv, e fakeaws.AccessEntry) (result, error) {
	if err := env.cloud.PutAccessEntry(e); err != nil {
		return result{}, fmt.Errorf("AWS::EKS::AccessEntry: %w", err)
	}
	arn := "arn:aws:eks:" + e.Region + ":" + e.Account + ":access-entry/" + e.Cluster + "/" + stableHash(8, e.PrincipalARN)
	if acct, name, ok := roleOf(e.PrincipalARN); ok {
		arn = "arn:aws:eks:" + e.Region + ":" + e.Account + ":access-entry/" + e.Cluster + "/role/" + acct + "/" + name + "/" + stableHash(8, e.PrincipalARN)
	}
	return result{PhysicalID: e.Cluster + "|" + e.PrincipalARN, Attrs: map[string]string{"AccessEntryArn": arn}}, nil
}

func (h accessEntryHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	e, err := h.entry(env, p)
	if err != nil {
		return result{}, false, err
	}
	oldType, _ := old.Props["Type"].(string)
	if oldType == "" {
		oldType = "STANDARD"
	}
	if e.Cluster+"|"+e.PrincipalARN != old.PhysicalID || e.Type != oldType {
		res, err := h.create(env, p)
		return res, true, err
	}
	res, err := h.put(env, e)
	return res, false, err
}

func (accessEntryHandler) delete(env resourceEnv, old *resourceState) error {
	cluster, principal, _ := strings.Cut(old.PhysicalID, "|")
	if _, ok := env.cloud.AccessEntry(env.stack.Account, env.stack.Region, cluster, principal); !ok {
		return nil // deleted with its cluster
	}
	return env.cloud.DeleteAccessEntry(env.stack.Account, env.stack.Region, cluster, principal)
}
