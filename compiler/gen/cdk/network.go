package cdk

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
)

// AZs is the number of availability zones of every cluster's VPC.
const AZs = 3

// NetworkSpec is a cluster's VPC: a private subnet per zone for nodes and
// pods (three quarters of the range: the VPC CNI gives pods VPC
// addresses), and a small public subnet per zone for load balancers and a
// NAT gateway each (the last quarter, split in four, one part spare).
//
// Zones are chosen at deploy time with Fn::GetAZs: the stack names none,
// so synthesis needs no lookup and no credentials. Resources are written
// as CloudFormation resources (L1) rather than with ec2.Vpc, which would
// look the account's zones up.
type NetworkSpec struct {
	Name    string // the VPC's Name tag
	Cluster string // its naming.ClusterTag, by which add-ons find it
	CIDR    string
	Private []string // subnet ranges, by zone
	Public  []string
}

func (NetworkSpec) kind() string { return "network" }

func networkSpecFor(p *model.Platform, c *model.Cluster) (NetworkSpec, diag.List) {
	if c.VPCID != "" {
		return NetworkSpec{}, diag.List{diag.Errorf(c.VPCIDPos, diag.Path("clusters", c.Name, "network", "vpcId"), "not supported by the AWS stacks yet: importing a VPC needs its subnet ids, which the cluster file does not give; remove vpcId to have platformc create the VPC")}
	}
	private, public, err := subnets(c.CIDR)
	if err != nil {
		return NetworkSpec{}, diag.List{diag.Errorf(c.CIDRPos, diag.Path("clusters", c.Name, "network", "cidr"), "%s %v", c.CIDR, err)}
	}
	return NetworkSpec{Name: NetworkStack(p, c), Cluster: c.Name, CIDR: c.CIDR, Private: private, Public: public}, nil
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

// PublicSubnetTag marks the subnets of internet-facing load balancers.
const PublicSubnetTag = "kubernetes.io/role/elb"
