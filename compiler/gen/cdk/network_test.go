package cdk

import (
	"net/netip"
	"testing"
)

// TestSubnetsTileTheVPC checks the subnet plan of ranges from /16 to /24:
// one private and one public subnet per zone, inside the VPC, none
// overlapping, private ones four times the size of public ones.
func TestSubnetsTileTheVPC(t *testing.T) {
	for _, cidr := range []string{"10.0.0.0/16", "10.10.0.0/16", "172.16.32.0/20", "192.168.7.0/24"} {
		private, public, err := subnets(cidr)
		if err != nil {
			t.Fatalf("%s: %v", cidr, err)
		}
		if len(private) != AZs || len(public) != AZs {
			t.Fatalf("%s: %d private and %d public subnets", cidr, len(private), len(public))
		}
		vpc := netip.MustParsePrefix(cidr)
		var all []netip.Prefix
		for _, s := range append(append([]string{}, private...), public...) {
			all = append(all, netip.MustParsePrefix(s))
		}
		for i, a := range all {
			if !vpc.Contains(a.Addr()) || a.Bits() < vpc.Bits() {
				t.Errorf("%s: %s is outside the VPC", cidr, a)
			}
			for _, b := range all[i+1:] {
				if a.Overlaps(b) {
					t.Errorf("%s: %s overlaps %s", cidr, a, b)
				}
			}
		}
		if p, q := netip.MustParsePrefix(private[0]), netip.MustParsePrefix(public[0]); p.Bits()+2 != q.Bits() {
			t.Errorf("%s: private %s, public %s", cidr, p, q)
		}
	}
	for _, bad := range []string{"10.0.0.0/8", "10.0.0.0/25", "10.0.0.1/16", "fd00::/56", "nonsense"} {
		if _, _, err := subnets(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
