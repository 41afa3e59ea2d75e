package cdk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

// TestCertificateNames: the apex by name, the hosts one label below the
// zone by its wildcard, deeper hosts by name (a wildcard covers one
// label), at most NamesPerCertificate names per certificate.
func TestCertificateNames(t *testing.T) {
	got := cdk.CertificateNames("example.com", []string{"a.example.com", "example.com", "b.example.com", "x.y.example.com"})
	if want := [][]string{{"example.com", "*.example.com", "x.y.example.com"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	var deep []string
	for i := range 25 {
		deep = append(deep, fmt.Sprintf("h%02d.team.example.com", i))
	}
	got = cdk.CertificateNames("example.com", deep)
	if len(got) != 3 || len(got[0]) != cdk.NamesPerCertificate || len(got[2]) != 5 {
		t.Errorf("25 names in certificates of %d: %v", cdk.NamesPerCertificate, got)
	}
}

// TestEveryHostHasACertificate checks that every ingress host of every
// generation is covered by a DNS-validated certificate of the
// certificates stack of the cluster's account and region, which the load
// balancer controller discovers, validated in the host's zone.
func TestEveryHostHasACertificate(t *testing.T) {
	p, _, out := sample(t)
	checked := 0
	for _, c := range p.Clusters {
		stack := cdk.CertsStack(p, c.Account, c.Region)
		var certs [][]string
		for id, cert := range resources(out.templates[stack], "AWS::CertificateManager::Certificate") {
			names := append([]string{fmt.Sprint(get(cert, "Properties", "DomainName"))}, stringsOf(get(cert, "Properties", "SubjectAlternativeNames"))...)
			if get(cert, "Properties", "ValidationMethod") != "DNS" {
				t.Errorf("%s: %s is not validated by DNS", stack, id)
			}
			tags, _ := get(cert, "Properties", "Tags").([]any)
			zone := fmt.Sprint(get(firstOf(tags), "Value"))
			opts, _ := get(cert, "Properties", "DomainValidationOptions").([]any)
			for _, o := range opts {
				name := fmt.Sprint(get(o, "DomainName"))
				ref := fmt.Sprint(get(o, "HostedZoneId", "Ref"))
				param := get(out.templates[stack], "Parameters", ref, "Default")
				if !slices.Contains(names, name) || !strings.HasSuffix(name, "."+zone) && name != zone || param != cdk.ZoneIDParameter(p, zone) {
					t.Errorf("%s: %s validates %s in the zone of %v, want %s's", stack, id, name, param, zone)
				}
			}
			if len(opts) != len(names) || len(names) > cdk.NamesPerCertificate {
				t.Errorf("%s: %s: %d names, %d validated", stack, id, len(names), len(opts))
			}
			certs = append(certs, names)
		}
		for _, tn := range p.Tenants {
			for _, s := range tn.Services {
				in := s.On(c.Name).Ingress
				if in == nil || !tn.PlacedOn(c.Name) {
					continue
				}
				checked++
				if !slices.ContainsFunc(certs, func(names []string) bool {
					return slices.ContainsFunc(names, func(n string) bool { return covers(n, in.Host) })
				}) {
					t.Errorf("cluster %s: host %s has no certificate in %s (%v)", c.Name, in.Host, stack, certs)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no ingress host in the sample")
	}
}

// covers reports whether a certificate name covers host, as TLS matches
// names: a wildcard stands for exactly one label.
func covers(name, host string) bool {
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		label, parent, found := strings.Cut(host, ".")
		return found && label != "" && parent == rest
	}
	return name == host
}
