package jsiisynth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseksv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

func defineGeneration(st awscdk.Stack, s cdk.GenerationSpec) {
	imports := func(names []string) *[]*string {
		out := make([]*string, len(names))
		for i, n := range names {
			out[i] = awscdk.Fn_ImportValue(str(n))
		}
		return &out
	}
	azs := make([]*string, cdk.AZs)
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
			opts.Labels = &map[string]*string{naming.KarpenterPoolLabel: str("karpenter")}
			opts.Taints = &[]*awseksv2.TaintSpec{{Effect: awseksv2.TaintEffect_NO_SCHEDULE, Key: str(naming.CriticalAddonsOnly), Value: str("true")}}
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
		{cdk.ParamEndpoint, cluster.ClusterEndpoint(), "API server endpoint"},
		{cdk.ParamCAData, cluster.ClusterCertificateAuthorityData(), "API server CA, base64"},
		{cdk.ParamOIDCProviderARN, oidc.OidcProviderArn(), "IAM OIDC provider ARN, for IRSA trust policies"},
		{cdk.ParamOIDCIssuer, oidc.OidcProviderIssuer(), "OIDC issuer without https://, for IRSA condition keys"},
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
func fargateProfiles(st awscdk.Stack, cluster awseksv2.Cluster, s cdk.GenerationSpec) constructs.IConstruct {
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
