package cdk

import (
	"cmp"
	"slices"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// RecordTTL is the TTL, in seconds, of the weighted records: short, so
// that a change of weights shifts traffic quickly.
const RecordTTL = "60"

// DNSSpec is a cluster's weighted records: one per ingress host of a
// tenant service on the cluster and generation, pointing at the name
// external-dns publishes for the tenant's load balancer in that
// generation. Route53 splits the host's traffic by the generations'
// weights. The zone is named, not looked up, so synthesis needs no
// credentials.
//
// A host at the zone's apex cannot be a CNAME (the apex holds the zone's
// SOA and NS records). Its weighted records are alias A records to the
// same targets, which are records of the same zone; an alias names its
// target's zone by id, which is read when the stack is deployed from the
// SSM parameter ZoneIDParameter, so that synthesis still looks nothing up.
type DNSSpec struct {
	Zone    string
	ZoneID  string `json:",omitempty"` // the SSM parameter of the zone's id, if a record needs it
	Records []Record
}

type Record struct {
	Host       string
	Generation string // the record's SetIdentifier
	Weight     int
	Target     string
	Apex       bool `json:",omitempty"`
}

// ZoneIDParameter is the SSM parameter, in the cluster's account and
// region, that holds the id of the hosted zone of an ingress host at the
// zone's apex. The platform team writes it once per zone.
func ZoneIDParameter(p *model.Platform, zone string) string {
	return "/" + p.Config.Name + "/dns/" + zone + "/hosted-zone-id"
}

func (DNSSpec) kind() string { return "dns" }

// dnsSpecsFor returns the specs of the cluster's DNS stacks, by name;
// each holds the records of the tenants of one bucket.
func dnsSpecsFor(p *model.Platform, c *model.Cluster) map[string]DNSSpec {
	out := map[string]DNSSpec{}
	for _, t := range p.Tenants {
		if !t.PlacedOn(c.Name) {
			continue
		}
		name := dnsStack(p, t.Name, c)
		s := out[name]
		s.Zone = c.DNSZone
		for _, svc := range t.Services {
			in := svc.On(c.Name).Ingress
			if in == nil {
				continue
			}
			for _, g := range c.Serving() {
				r := Record{Host: in.Host, Generation: g.Name(), Weight: g.Weight, Target: naming.LoadBalancerName(g, t), Apex: in.Host == c.DNSZone}
				if r.Apex {
					s.ZoneID = ZoneIDParameter(p, c.DNSZone)
				}
				s.Records = append(s.Records, r)
			}
		}
		if len(s.Records) > 0 {
			out[name] = s
		}
	}
	for _, s := range out {
		slices.SortFunc(s.Records, func(a, b Record) int {
			return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Generation, b.Generation))
		})
	}
	return out
}
