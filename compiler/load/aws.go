package load

import (
	"net/netip"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
)

// ForAWS checks, besides, what the AWS stacks need of each cluster
// (compiler.WithAWS asks for it), each reported at its field like any
// other error: a validation then refuses what the stacks would refuse.
func ForAWS() Option { return func(o *options) { o.aws = true } }

// checkAWS reports the clusters that the AWS stacks cannot make.
func checkAWS(p *model.Platform) diag.List {
	var errs diag.List
	for _, c := range p.Clusters {
		field := func(labels ...string) string { return diag.Path(append([]string{"clusters", c.Name}, labels...)...) }
		if env, ok := p.Config.Environments[c.Environment]; ok && env.Region != c.Region {
			errs = append(errs, diag.Errorf(c.RegionPos, field("region"), "cluster %s runs in %s, but environment %s keeps its tenants' secrets in %s (%s): the AWS stacks need every cluster in its environment's region", c.Name, c.Region, c.Environment, env.Region, PlatformFile))
		}
		if c.VPCID != "" {
			errs = append(errs, diag.Errorf(c.VPCIDPos, field("network", "vpcId"), "not supported by the AWS stacks yet: importing a VPC needs its subnet ids, which the cluster file does not give; remove vpcId to have platformc create the VPC"))
		}
		if pfx, err := netip.ParsePrefix(c.CIDR); err == nil {
			switch msg := pastMask(pfx); {
			case msg != "":
				errs = append(errs, diag.Errorf(c.CIDRPos, field("network", "cidr"), "%s %s", c.CIDR, msg))
			case pfx.Bits() < 16 || pfx.Bits() > 24:
				errs = append(errs, diag.Errorf(c.CIDRPos, field("network", "cidr"), "%s: the VPC must be a /16 to /24 range (AWS allows /16 to /28, and its three private and three public subnets need a /24 or larger)", c.CIDR))
			}
		}
		if c.Capacity.Mode == model.NodeGroup && c.Capacity.MaxSize < 1 {
			errs = append(errs, diag.Errorf(c.MaxSizePos, field("capacity", "maxSize"), "a managed node group needs maxSize of at least 1"))
		}
	}
	return errs
}
