package cdk

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/model"
)

// Keys of the SSM parameters a generation stack publishes, under
// model.Platform.ClusterParameter. Argo CD's cluster registration reads
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

// generationSpec is one EKS cluster of a logical cluster.
type generationSpec struct {
	ClusterName string // the EKS cluster's name, model.Generation.Name
	Version     string
	Capacity    capacity
	Network     networkImports
	Deployer    string                 // the Argo CD deployer role's ARN: cluster admin
	Fargate     []model.FargateProfile `json:",omitempty"` // on Fargate, its profiles
	Addons      []addon
	Parameters  map[string]string // key -> SSM parameter name
}

// capacity keeps only what the mode uses, so that a setting the mode
// ignores does not change the stack's hash.
type capacity struct {
	Mode             string
	InstanceTypes    []string `json:",omitempty"`
	MinSize, MaxSize int      `json:",omitempty"`
}

type networkImports struct {
	VPC             string
	Public, Private []string // export names, by zone
}

type addon struct {
	Name, Version string
	Configuration string `json:",omitempty"` // JSON configuration values
}

func (generationSpec) kind() string { return "generation" }

func generationSpecFor(p *model.Platform, g model.Generation) (generationSpec, error) {
	c := g.Cluster
	versions := p.Addons(g)
	if versions == nil {
		return generationSpec{}, fmt.Errorf("%s: cluster %s: Kubernetes %s has no row in the EKS versions table", c.Pos, c.Name, g.Version)
	}
	s := generationSpec{
		ClusterName: g.Name(),
		Version:     g.Version,
		Capacity:    capacity{Mode: c.Capacity.Mode},
		Deployer:    p.ArgoCDDeployerRoleARN(c),
		Parameters:  map[string]string{},
	}
	switch c.Capacity.Mode {
	case model.NodeGroup:
		if c.Capacity.MaxSize < 1 {
			return generationSpec{}, fmt.Errorf("%s: cluster %s: capacity.maxSize must be at least 1 for a managed node group", c.Pos, c.Name)
		}
		s.Capacity.InstanceTypes, s.Capacity.MinSize, s.Capacity.MaxSize = c.Capacity.InstanceTypes, c.Capacity.MinSize, c.Capacity.MaxSize
	case model.Karpenter:
		s.Capacity.InstanceTypes, s.Capacity.MinSize, s.Capacity.MaxSize = c.Capacity.InstanceTypes, KarpenterNodes, KarpenterNodes
	case model.AutoMode, model.Fargate:
	default:
		return generationSpec{}, fmt.Errorf("%s: cluster %s: unknown capacity mode %q", c.Pos, c.Name, c.Capacity.Mode)
	}
	net := NetworkStack(p, c)
	s.Network.VPC = exportName(net, exportVPC)
	for i := 0; i < AZs; i++ {
		s.Network.Public = append(s.Network.Public, exportName(net, subnetKey(publicSubnet, i)))
		s.Network.Private = append(s.Network.Private, exportName(net, subnetKey(privateSubnet, i)))
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
		a := addon{Name: name, Version: versions[name]}
		switch {
		case name == "coredns" && c.Capacity.Mode == model.Fargate:
			a.Configuration = `{"computeType":"Fargate"}`
		case name == "vpc-cni":
			a.Configuration = model.VPCCNINetworkPolicy
		}
		s.Addons = append(s.Addons, a)
	}
	for _, key := range []string{ParamEndpoint, ParamCAData, ParamOIDCProviderARN, ParamOIDCIssuer} {
		s.Parameters[key] = p.ClusterParameter(g, key)
	}
	return s, nil
}

func (s generationSpec) define(st awscdk.Stack) {
	imports := func(names []string) *[]*string {
		out := make([]*string, len(names))
		for i, n := range names {
			out[i] = awscdk.Fn_ImportValue(str(n))
		}
		return &out
	}
	azs := make([]*string, AZs)
	for i := range azs {
		azs[i] = awscdk.Fn_Select(num(i), awscdk.Fn_GetAzs(str("")))
	}
	vpc := awsec2.Vpc_FromVpcAttributes(st, str("Network"), &awsec2.VpcAttributes{
		VpcId:             awscdk.Fn_ImportValue(str(s.Network.VPC)),
		AvailabilityZones: &azs,
		PublicSubnetIds:   imports(s.Network.Public),
		PrivateSubnetIds:  imports(s.Network.Private),
	})
	props := &awseksv2.ClusterProps{
		ClusterName: str(s.ClusterName),
		Version:     awseksv2.KubernetesVersion_Of(str(s.Version)),
		Vpc:         vpc,
		// Every add-on is installed below, at the version of the EKS
		// versions table, rather than as EKS's unmanaged defaults.
		BootstrapSelfManagedAddons: jsii.Bool(false),
		ClusterLogging:             &[]awseksv2.ClusterLoggingTypes{awseksv2.ClusterLoggingTypes_AUDIT, awseksv2.ClusterLoggingTypes_AUTHENTICATOR},
	}
	if s.Capacity.Mode != model.AutoMode {
		props.DefaultCapacityType = awseksv2.DefaultCapacityType_NODEGROUP
		props.DefaultCapacity = num(0)
	}
	cluster := awseksv2.NewCluster(st, str("Cluster"), props)

	cluster.GrantAccess(str("ArgoCDDeployer"), str(s.Deployer), &[]awseksv2.IAccessPolicy{
		awseksv2.AccessPolicy_FromAccessPolicyName(str("AmazonEKSClusterAdminPolicy"), &awseksv2.AccessPolicyNameOptions{AccessScopeType: awseksv2.AccessScopeType_CLUSTER}),
	}, nil)
	oidc := awseksv2.NewOidcProviderNative(st, str("OidcProvider"), &awseksv2.OidcProviderNativeProps{
		Url: cluster.ClusterOpenIdConnectIssuerUrl(),
	})

	addons := map[string]awseksv2.CfnAddon{}
	for _, a := range s.Addons {
		props := &awseksv2.CfnAddonProps{
			ClusterName:      cluster.ClusterName(),
			AddonName:        str(a.Name),
			AddonVersion:     str(a.Version),
			ResolveConflicts: str("OVERWRITE"),
			PreserveOnDelete: false,
		}
		if a.Configuration != "" {
			props.ConfigurationValues = str(a.Configuration)
		}
		addons[a.Name] = awseksv2.NewCfnAddon(st, str("Addon-"+a.Name), props)
	}
	// Nodes come up after the networking add-ons, and CoreDNS after the
	// capacity it runs on: CloudFormation waits for an add-on to be
	// active, which CoreDNS is not until it has somewhere to run.
	var nodes constructs.IConstruct
	switch s.Capacity.Mode {
	case model.NodeGroup, model.Karpenter:
		types, ami := instanceTypes(s.Capacity.InstanceTypes)
		opts := &awseksv2.NodegroupOptions{
			AmiType:       ami,
			InstanceTypes: types,
			MinSize:       num(s.Capacity.MinSize),
			MaxSize:       num(s.Capacity.MaxSize),
		}
		id := "Default"
		if s.Capacity.Mode == model.Karpenter {
			// Only Karpenter and the critical add-ons run here; workloads
			// go to the nodes Karpenter provisions.
			id = "Karpenter"
			opts.Labels = &map[string]*string{model.KarpenterPoolLabel: str("karpenter")}
			opts.Taints = &[]*awseksv2.TaintSpec{{Effect: awseksv2.TaintEffect_NO_SCHEDULE, Key: str(model.CriticalAddonsOnly), Value: str("true")}}
		}
		ng := cluster.AddNodegroupCapacity(str(id), opts)
		for _, name := range []string{"vpc-cni", "kube-proxy"} {
			if a, ok := addons[name]; ok {
				ng.Node().AddDependency(a)
			}
		}
		nodes = ng
	case model.Fargate:
		nodes = fargateProfiles(st, cluster, s)
	}
	if coredns, ok := addons["coredns"]; ok && nodes != nil {
		coredns.Node().AddDependency(nodes)
	}

	for _, p := range []struct {
		key   string
		value *string
		desc  string
	}{
		{ParamEndpoint, cluster.ClusterEndpoint(), "API server endpoint"},
		{ParamCAData, cluster.ClusterCertificateAuthorityData(), "API server CA, base64"},
		{ParamOIDCProviderARN, oidc.OidcProviderArn(), "IAM OIDC provider ARN, for IRSA trust policies"},
		{ParamOIDCIssuer, oidc.OidcProviderIssuer(), "OIDC issuer without https://, for IRSA condition keys"},
	} {
		awsssm.NewCfnParameter(st, str("Parameter-"+p.key), &awsssm.CfnParameterProps{
			Name:        str(s.Parameters[p.key]),
			Type:        str("String"),
			Value:       p.value,
			Description: str(fmt.Sprintf("platformc: EKS cluster %s: %s", s.ClusterName, p.desc)),
		})
	}
	// The network stack tags its subnets for load balancers, and no route
	// table of an imported subnet is read.
	awscdk.Annotations_Of(st).AcknowledgeWarning(str("@aws-cdk/aws-eks:clusterMustManuallyTagSubnet"), str("the network stack tags the subnets"))
	awscdk.Annotations_Of(st).AcknowledgeWarning(str("@aws-cdk/aws-ec2:noSubnetRouteTableId"), str("route tables of imported subnets are not used"))
}

// fargateProfiles adds the profiles of model.Platform.FargateProfiles,
// all with one pod execution role. The CDK chains the profiles: EKS
// creates one at a time.
func fargateProfiles(st awscdk.Stack, cluster awseksv2.Cluster, s generationSpec) constructs.IConstruct {
	role := awsiam.NewRole(st, str("FargatePodExecutionRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(str("eks-fargate-pods.amazonaws.com"), nil).WithConditions(&map[string]any{
			"ArnLike": obj{"aws:SourceArn": fmt.Sprintf("arn:%s:eks:%s:%s:fargateprofile/%s/*", *st.Partition(), *st.Region(), *st.Account(), s.ClusterName)},
		}),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(str("AmazonEKSFargatePodExecutionRolePolicy"))},
	})
	var first constructs.IConstruct
	for _, fp := range s.Fargate {
		var selectors []*awseksv2.Selector
		for _, sel := range fp.Selectors {
			x := &awseksv2.Selector{Namespace: str(sel.Namespace)}
			if len(sel.Labels) > 0 {
				labels := map[string]*string{}
				for k, v := range sel.Labels {
					labels[k] = str(v)
				}
				x.Labels = &labels
			}
			selectors = append(selectors, x)
		}
		p := cluster.AddFargateProfile(str(fp.Name), &awseksv2.FargateProfileOptions{
			FargateProfileName: str(fp.Name),
			Selectors:          &selectors,
			PodExecutionRole:   role,
		})
		if first == nil {
			first = p
		}
	}
	return first
}

// instanceTypes returns the instance types and the Amazon Linux 2023 AMI
// type for their architecture. (The CDK would pick Amazon Linux 2, which
// EKS does not provide for Kubernetes 1.33 and later.)
func instanceTypes(names []string) (*[]awsec2.InstanceType, awseksv2.NodegroupAmiType) {
	out := make([]awsec2.InstanceType, len(names))
	arch := map[awsec2.InstanceArchitecture]bool{}
	for i, n := range names {
		out[i] = awsec2.NewInstanceType(str(n))
		arch[out[i].Architecture()] = true
	}
	if len(arch) > 1 {
		panic(fmt.Sprintf("instance types %v mix x86 and ARM: a node group runs one AMI", names))
	}
	if arch[awsec2.InstanceArchitecture_ARM_64] {
		return &out, awseksv2.NodegroupAmiType_AL2023_ARM_64_STANDARD
	}
	return &out, awseksv2.NodegroupAmiType_AL2023_X86_64_STANDARD
}
