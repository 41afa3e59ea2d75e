package jsiisynth

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/naming"
)

func defineNetwork(st awscdk.Stack, s cdk.NetworkSpec) {
	name := *st.StackName()
	vpc := awsec2.NewCfnVPC(st, str("Vpc"), &awsec2.CfnVPCProps{
		CidrBlock:          str(s.CIDR),
		EnableDnsHostnames: true,
		EnableDnsSupport:   true,
		Tags:               tags("Name", s.Name, naming.ClusterTag, s.Cluster),
	})
	igw := awsec2.NewCfnInternetGateway(st, str("InternetGateway"), &awsec2.CfnInternetGatewayProps{Tags: tags("Name", s.Name)})
	attach := awsec2.NewCfnVPCGatewayAttachment(st, str("InternetGatewayAttachment"), &awsec2.CfnVPCGatewayAttachmentProps{
		VpcId:             vpc.Ref(),
		InternetGatewayId: igw.Ref(),
	})
	output(st, name, cdk.ExportVPC, vpc.Ref())
	for i := range s.Private {
		az := awscdk.Fn_Select(num(i), awscdk.Fn_GetAzs(str("")))
		pub := subnet(st, s, vpc, cdk.PublicSubnet, i, s.Public[i], az, cdk.PublicSubnetTag)
		route := awsec2.NewCfnRoute(st, str(fmt.Sprintf("%s%dDefaultRoute", cdk.PublicSubnet, i+1)), &awsec2.CfnRouteProps{
			RouteTableId:         pub.RouteTableId,
			DestinationCidrBlock: str("0.0.0.0/0"),
			GatewayId:            igw.Ref(),
		})
		route.Node().AddDependency(attach)
		eip := awsec2.NewCfnEIP(st, str(fmt.Sprintf("NatGateway%dEip", i+1)), &awsec2.CfnEIPProps{
			Domain: str("vpc"),
			Tags:   tags("Name", fmt.Sprintf("%s-nat-%d", s.Name, i+1)),
		})
		eip.Node().AddDependency(attach)
		nat := awsec2.NewCfnNatGateway(st, str(fmt.Sprintf("NatGateway%d", i+1)), &awsec2.CfnNatGatewayProps{
			SubnetId:     pub.Subnet.Ref(),
			AllocationId: eip.AttrAllocationId(),
			Tags:         tags("Name", fmt.Sprintf("%s-nat-%d", s.Name, i+1)),
		})
		priv := subnet(st, s, vpc, cdk.PrivateSubnet, i, s.Private[i], az, naming.PrivateSubnetTag)
		awsec2.NewCfnRoute(st, str(fmt.Sprintf("%s%dDefaultRoute", cdk.PrivateSubnet, i+1)), &awsec2.CfnRouteProps{
			RouteTableId:         priv.RouteTableId,
			DestinationCidrBlock: str("0.0.0.0/0"),
			NatGatewayId:         nat.Ref(),
		})
		output(st, name, cdk.SubnetKey(cdk.PublicSubnet, i), pub.Subnet.Ref())
		output(st, name, cdk.SubnetKey(cdk.PrivateSubnet, i), priv.Subnet.Ref())
	}
}

type subnetResources struct {
	Subnet       awsec2.CfnSubnet
	RouteTableId *string
}

// subnet adds a subnet with its own route table, tagged for the load
// balancers of its kind (the AWS Load Balancer Controller and EKS Auto
// Mode find subnets by these tags).
func subnet(st awscdk.Stack, s cdk.NetworkSpec, vpc awsec2.CfnVPC, kind string, i int, cidr string, az *string, elbTag string) subnetResources {
	id := fmt.Sprintf("%s%d", kind, i+1)
	name := fmt.Sprintf("%s-%s-%d", s.Name, map[string]string{cdk.PublicSubnet: "public", cdk.PrivateSubnet: "private"}[kind], i+1)
	sn := awsec2.NewCfnSubnet(st, str(id), &awsec2.CfnSubnetProps{
		VpcId:            vpc.Ref(),
		CidrBlock:        str(cidr),
		AvailabilityZone: az,
		Tags:             tags("Name", name, elbTag, "1", naming.ClusterTag, s.Cluster),
	})
	rt := awsec2.NewCfnRouteTable(st, str(id+"RouteTable"), &awsec2.CfnRouteTableProps{
		VpcId: vpc.Ref(),
		Tags:  tags("Name", name),
	})
	awsec2.NewCfnSubnetRouteTableAssociation(st, str(id+"RouteTableAssociation"), &awsec2.CfnSubnetRouteTableAssociationProps{
		SubnetId:     sn.Ref(),
		RouteTableId: rt.Ref(),
	})
	return subnetResources{Subnet: sn, RouteTableId: rt.Ref()}
}

// output exports value under the name generation stacks import.
func output(st awscdk.Stack, stack, key string, value *string) {
	awscdk.NewCfnOutput(st, str(key), &awscdk.CfnOutputProps{
		Value:      value,
		ExportName: str(cdk.ExportName(stack, key)),
	})
}
