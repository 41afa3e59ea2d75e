package model_test

import (
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/model"
)

// TestCompareVersions orders Kubernetes versions by their minor number.
func TestCompareVersions(t *testing.T) {
	if model.CompareVersions("1.9", "1.10") >= 0 || model.CompareVersions("1.31", "1.31") != 0 || model.Minor("1.35") != 35 {
		t.Error("1.9 < 1.10, 1.31 = 1.31, minor of 1.35 is 35")
	}
}

// TestResourceOwners finds, for each name, the longest tenant name that
// begins it followed by "-", as a pass over every tenant does.
func TestResourceOwners(t *testing.T) {
	p := &model.Platform{}
	for _, name := range []string{"a", "a-b", "ab", "pay", "pay-ments", "x-y-z"} {
		p.Tenants = append(p.Tenants, &model.Tenant{Name: name})
	}
	owners := p.ResourceOwners()
	for name, want := range map[string]string{
		"a-b-x":           "a-b", // the longest, not a
		"a-x":             "a",
		"a-b":             "a", // a-b's name itself is no resource of a-b
		"ab-x":            "ab",
		"abc-x":           "",
		"a":               "",
		"-a":              "",
		"":                "",
		"pay-ments-db":    "pay-ments",
		"pay-ments":       "pay",
		"x-y-z-table":     "x-y-z",
		"x-y-table":       "",
		"payments-orders": "",
	} {
		if got := owners.Of(name); got != want {
			t.Errorf("owner of %q = %q, want %q", name, got, want)
		}
		// The definition, tenant by tenant.
		def := ""
		for _, tn := range p.Tenants {
			if strings.HasPrefix(name, tn.Name+"-") && len(tn.Name) > len(def) {
				def = tn.Name
			}
		}
		if def != want {
			t.Errorf("%q: the table says %q, the definition %q", name, want, def)
		}
	}
}
