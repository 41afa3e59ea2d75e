package cdk

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/model"
)

// NamesPerCertificate is ACM's default quota of domain names per
// certificate: a zone whose hosts need more gets several certificates.
const NamesPerCertificate = 10

// CertsSpec is the TLS certificates of the ingress hosts served in one
// account and region: per DNS zone, ACM certificates validated by DNS in
// the zone (CloudFormation writes the validation records and waits for
// ACM), covering the zone's apex if a host is the apex, "*.<zone>" for the
// hosts one label below it, and each deeper host by name. The Ingresses
// name no certificate: the AWS Load Balancer Controller discovers, for
// each rule's host, the certificate of the load balancer's account and
// region that covers it (CertificateNames says which).
type CertsSpec struct {
	Account, Region string
	Zones           []ZoneCerts
}

type ZoneCerts struct {
	Zone   string
	ZoneID string // the SSM parameter of the zone's id (ZoneIDParameter)
	Names  [][]string
}

func (CertsSpec) kind() string { return "certs" }

// ZoneTag tags each certificate with the DNS zone whose hosts it covers.
const ZoneTag = "platformc.io/zone"

// CertsStack is the stack of the certificates of an account and region.
func CertsStack(p *model.Platform, account, region string) string {
	return p.Config.Name + "-certs-" + account + "-" + region
}

// CertificateNames returns the names of the certificates covering the
// hosts, all in zone: one list per certificate.
func CertificateNames(zone string, hosts []string) [][]string {
	set := map[string]bool{}
	for _, h := range hosts {
		switch rest, _ := strings.CutSuffix(h, "."+zone); {
		case h == zone:
			set[zone] = true
		case !strings.Contains(rest, "."):
			set["*."+zone] = true
		default:
			set[h] = true
		}
	}
	names := slices.SortedFunc(maps.Keys(set), func(a, b string) int {
		// The zone's own names first, then the deeper hosts.
		return cmp.Or(cmp.Compare(len(strings.Split(a, ".")), len(strings.Split(b, "."))), strings.Compare(a, b))
	})
	return slices.Collect(slices.Chunk(names, NamesPerCertificate))
}

// certsSpecsFor returns the certificates stacks' specs, by stack name.
func certsSpecsFor(p *model.Platform) map[string]CertsSpec {
	type key struct{ account, region, zone string }
	hosts := map[key][]string{}
	for _, c := range p.Clusters {
		for _, t := range p.Tenants {
			if !t.PlacedOn(c.Name) {
				continue
			}
			for _, s := range t.Services {
				if in := s.On(c.Name).Ingress; in != nil {
					k := key{c.Account, c.Region, c.DNSZone}
					hosts[k] = append(hosts[k], strings.TrimSuffix(strings.ToLower(in.Host), "."))
				}
			}
		}
	}
	out := map[string]CertsSpec{}
	for _, k := range slices.SortedFunc(maps.Keys(hosts), func(a, b key) int {
		return cmp.Or(strings.Compare(a.account, b.account), strings.Compare(a.region, b.region), strings.Compare(a.zone, b.zone))
	}) {
		name := CertsStack(p, k.account, k.region)
		s := out[name]
		s.Account, s.Region = k.account, k.region
		s.Zones = append(s.Zones, ZoneCerts{Zone: k.zone, ZoneID: ZoneIDParameter(p, k.zone), Names: CertificateNames(k.zone, hosts[k])})
		out[name] = s
	}
	return out
}
