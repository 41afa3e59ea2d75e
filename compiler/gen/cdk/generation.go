package cdk

import (
	"slices"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// Keys of the SSM parameters a generation stack publishes, under
// naming.ClusterParameter. Argo CD's cluster registration reads
// the endpoint and the CA; tenant stacks read the OIDC issuer (host and
// path, without "https://", as IAM condition keys spell it) and the OIDC
// provider's ARN.
const (
	ParamEndpoint        = "endpoint"
	ParamCAData          = "ca-data"
	ParamOIDCProviderARN = "oidc-provider-arn"
	ParamOIDCIssuer      = "oidc-issuer"
)

// autoModeBuiltIn are the EKS add-ons that EKS Auto Mode runs as part of
// the cluster: networking (VPC CNI, kube-proxy), cluster DNS and the Pod
// Identity Agent. An Auto Mode generation installs none of them.
var autoModeBuiltIn = []string{"coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"}

// KarpenterNodes is the size of the managed node group that runs
// Karpenter itself (two replicas, on two nodes) on "karpenter" clusters.
const KarpenterNodes = 2

// GenerationSpec is one EKS cluster of a logical cluster.
type GenerationSpec struct {
	ClusterName string // the EKS cluster's name, model.Generation.Name
	Version     string
	Capacity    Capacity
	Network     NetworkImports
	Deployer    string                 // the Argo CD deployer role's ARN: cluster admin
	Fargate     []model.FargateProfile `json:",omitempty"` // on Fargate, its profiles
	Addons      []Addon
	Parameters  map[string]string // key -> SSM parameter name
}

// capacity keeps only what the mode uses, so that a setting the mode
// ignores does not change the stack's hash.
type Capacity struct {
	Mode             string
	InstanceTypes    []string `json:",omitempty"`
	MinSize, MaxSize int      `json:",omitempty"`
}

type NetworkImports struct {
	VPC             string
	Public, Private []string // export names, by zone
}

type Addon struct {
	Name, Version string
	Configuration string `json:",omitempty"` // JSON configuration values
}

func (GenerationSpec) kind() string { return "generation" }

func generationSpecFor(p *model.Platform, g model.Generation) (GenerationSpec, diag.List) {
	c := g.Cluster
	versions := p.Addons(g)
	if versions == nil {
		return GenerationSpec{}, diag.List{diag.Errorf(c.VersionPos, diag.Path("clusters", c.Name, "kubernetes", "version"), "Kubernetes %s has no row in the EKS versions table", g.Version)}
	}
	s := GenerationSpec{
		ClusterName: g.Name(),
		Version:     g.Version,
		Capacity:    Capacity{Mode: c.Capacity.Mode},
		Deployer:    naming.ArgoCDDeployerRoleARN(p, c),
		Parameters:  map[string]string{},
	}
	switch c.Capacity.Mode {
	case model.NodeGroup:
		if c.Capacity.MaxSize < 1 {
			return GenerationSpec{}, diag.List{diag.Errorf(c.MaxSizePos, diag.Path("clusters", c.Name, "capacity", "maxSize"), "must be at least 1 for a managed node group")}
		}
		s.Capacity.InstanceTypes, s.Capacity.MinSize, s.Capacity.MaxSize = c.Capacity.InstanceTypes, c.Capacity.MinSize, c.Capacity.MaxSize
	case model.Karpenter:
		s.Capacity.InstanceTypes, s.Capacity.MinSize, s.Capacity.MaxSize = c.Capacity.InstanceTypes, KarpenterNodes, KarpenterNodes
	case model.AutoMode, model.Fargate:
	default:
		return GenerationSpec{}, diag.List{diag.Errorf(c.ModePos, diag.Path("clusters", c.Name, "capacity", "mode"), "unknown capacity mode %q", c.Capacity.Mode)}
	}
	net := NetworkStack(p, c)
	s.Network.VPC = ExportName(net, ExportVPC)
	for i := 0; i < AZs; i++ {
		s.Network.Public = append(s.Network.Public, ExportName(net, SubnetKey(PublicSubnet, i)))
		s.Network.Private = append(s.Network.Private, ExportName(net, SubnetKey(PrivateSubnet, i)))
	}
	if c.Capacity.Mode == model.Fargate {
		s.Fargate = p.FargateProfiles(c)
	}
	names := make([]string, 0, len(versions))
	for name := range versions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if c.Capacity.Mode == model.AutoMode && slices.Contains(autoModeBuiltIn, name) {
			continue
		}
		a := Addon{Name: name, Version: versions[name]}
		switch {
		case name == "coredns" && c.Capacity.Mode == model.Fargate:
			a.Configuration = `{"computeType":"Fargate"}`
		case name == "vpc-cni":
			a.Configuration = naming.VPCCNINetworkPolicy
		}
		s.Addons = append(s.Addons, a)
	}
	for _, key := range []string{ParamEndpoint, ParamCAData, ParamOIDCProviderARN, ParamOIDCIssuer} {
		s.Parameters[key] = naming.ClusterParameter(p, g, key)
	}
	return s, nil
}
