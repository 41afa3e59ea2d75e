package cdk

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"

	"github.com/platformc/platformc/compiler/model"
)

// AZs is the number of availability zones of every cluster's VPC.
const AZs = 3

// networkSpec is a cluster's VPC: a private subnet per zone for nodes and
// pods (three quarters of the range: the VPC CNI gives pods VPC
// addresses), and a small public subnet per zone for load balancers and a
// NAT gateway each (the last quarter, split in four, one part spare).
//
// Zones are chosen at deploy time with Fn::GetAZs: the stack names none,
// so synthesis needs no lookup and no credentials. Resources are written
// as CloudFormation resources (L1) rather than with ec2.Vpc, which would
// look the account's zones up.
type networkSpec struct {
	Name    string // the VPC's Name tag
	Cluster string // its model.ClusterTag, by which add-ons find it
	CIDR    string
	Private []string // subnet ranges, by zone
	Public  []string
}

func (networkSpec) kind() string { return "network" }

func networkSpecFor(p *model.Platform, c *model.Cluster) (networkSpec, error) {
	if c.VPCID != "" {
		return networkSpec{}, fmt.Errorf("%s: cluster %s: network.vpcId is not supported by the AWS stacks yet: importing a VPC needs its subnet ids, which the cluster file does not give; remove vpcId to have platformc create the VPC", c.Pos, c.Name)
	}
	private, public, err := subnets(c.CIDR)
	if err != nil {
		return networkSpec{}, fmt.Errorf("%s: cluster %s: network.cidr %s: %w", c.Pos, c.Name, c.CIDR, err)
	}
	return networkSpec{Name: NetworkStack(p, c), Cluster: c.Name, CIDR: c.CIDR, Private: private, Public: public}, nil
}

// subnets splits a VPC range: private subnets are its first three
// quarters, public subnets the first three sixteenths of its last quarter.
func subnets(cidr string) (private, public []string, err error) {
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil || !pfx.Addr().Is4() {
		return nil, nil, fmt.Errorf("not an IPv4 range")
	}
	if pfx.Masked() != pfx {
		return nil, nil, fmt.Errorf("has host bits set; the range starts at %s", pfx.Masked())
	}
	if pfx.Bits() < 16 || pfx.Bits() > 24 {
		return nil, nil, fmt.Errorf("must be a /16 to /24 range: AWS allows /16 to /28 for a VPC, and three private and three public subnets need /24 or larger")
	}
	for i := 0; i < AZs; i++ {
		private = append(private, subdivide(pfx, 2, i).String())
		public = append(public, subdivide(pfx, 4, 12+i).String())
	}
	return private, public, nil
}

// subdivide returns the i-th block of pfx split into 2^bits blocks.
func subdivide(pfx netip.Prefix, bits, i int) netip.Prefix {
	a := pfx.Addr().As4()
	base := binary.BigEndian.Uint32(a[:])
	size := uint32(1) << (32 - pfx.Bits() - bits)
	binary.BigEndian.PutUint32(a[:], base+uint32(i)*size)
	return netip.PrefixFrom(netip.AddrFrom4(a), pfx.Bits()+bits)
}

func (s networkSpec) define(st awscdk.Stack) {
	name := *st.StackName()
	vpc := awsec2.NewCfnVPC(st, str("Vpc"), &awsec2.CfnVPCProps{
		CidrBlock:          str(s.CIDR),
		EnableDnsHostnames: true,
		EnableDnsSupport:   true,
		Tags:               tags("Name", s.Name, model.ClusterTag, s.Cluster),
	})
	igw := awsec2.NewCfnInternetGateway(st, str("InternetGateway"), &awsec2.CfnInternetGatewayProps{Tags: tags("Name", s.Name)})
	attach := awsec2.NewCfnVPCGatewayAttachment(st, str("InternetGatewayAttachment"), &awsec2.CfnVPCGatewayAttachmentProps{
		VpcId:             vpc.Ref(),
		InternetGatewayId: igw.Ref(),
	})
	output(st, name, exportVPC, vpc.Ref())
	for i := range s.Private {
		az := awscdk.Fn_Select(num(i), awscdk.Fn_GetAzs(str("")))
		pub := s.subnet(st, vpc, publicSubnet, i, s.Public[i], az, PublicSubnetTag)
		route := awsec2.NewCfnRoute(st, str(fmt.Sprintf("%s%dDefaultRoute", publicSubnet, i+1)), &awsec2.CfnRouteProps{
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
		priv := s.subnet(st, vpc, privateSubnet, i, s.Private[i], az, model.PrivateSubnetTag)
		awsec2.NewCfnRoute(st, str(fmt.Sprintf("%s%dDefaultRoute", privateSubnet, i+1)), &awsec2.CfnRouteProps{
			RouteTableId:         priv.RouteTableId,
			DestinationCidrBlock: str("0.0.0.0/0"),
			NatGatewayId:         nat.Ref(),
		})
		output(st, name, subnetKey(publicSubnet, i), pub.Subnet.Ref())
		output(st, name, subnetKey(privateSubnet, i), priv.Subnet.Ref())
	}
}

// PublicSubnetTag marks the subnets of internet-facing load balancers.
const PublicSubnetTag = "kubernetes.io/role/elb"

type subnetResources struct {
	Subnet       awsec2.CfnSubnet
	RouteTableId *string
}

// subnet adds a subnet with its own route table, tagged for the load
// balancers of its kind (the AWS Load Balancer Controller and EKS Auto
// Mode find subnets by these tags).
func (s networkSpec) subnet(st awscdk.Stack, vpc awsec2.CfnVPC, kind string, i int, cidr string, az *string, elbTag string) subnetResources {
	id := fmt.Sprintf("%s%d", kind, i+1)
	name := fmt.Sprintf("%s-%s-%d", s.Name, map[string]string{publicSubnet: "public", privateSubnet: "private"}[kind], i+1)
	sn := awsec2.NewCfnSubnet(st, str(id), &awsec2.CfnSubnetProps{
		VpcId:            vpc.Ref(),
		CidrBlock:        str(cidr),
		AvailabilityZone: az,
		Tags:             tags("Name", name, elbTag, "1", model.ClusterTag, s.Cluster),
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
		ExportName: str(exportName(stack, key)),
	})
}
