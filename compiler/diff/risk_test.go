package diff

import "testing"

// TestAddonRisks: a change of a generation's add-ons (its registration's
// labels and annotations) and a change of an add-on's ApplicationSet are
// flagged; a registration whose endpoint parameter alone changes is not.
func TestAddonRisks(t *testing.T) {
	reg := func(chart, key string) string {
		return "spec:\n  data:\n    - remoteRef: {key: " + key + "}\n  target:\n    template:\n      metadata:\n        annotations: {platformcChart_karpenter: " + chart + "}\n"
	}
	for _, tc := range []struct {
		name  string
		c     Change
		risky bool
	}{
		{"chart version", Change{Action: Modified, Object: ID{Kind: "ExternalSecret", Name: "cluster-prod-1-34"}, Before: reg("1.8.1", "a"), After: reg("1.9.2", "a")}, true},
		{"endpoint parameter", Change{Action: Modified, Object: ID{Kind: "ExternalSecret", Name: "cluster-prod-1-34"}, Before: reg("1.8.1", "a"), After: reg("1.8.1", "b")}, false},
		{"add-on ApplicationSet", Change{Action: Modified, Object: ID{Kind: "ApplicationSet", Name: "addon-karpenter"}, Before: "a: 1\n", After: "a: 2\n"}, true},
		{"tenant ApplicationSet", Change{Action: Modified, Object: ID{Kind: "ApplicationSet", Name: "billing"}, Before: "a: 1\n", After: "a: 2\n"}, false},
	} {
		if got := risk(tc.c); (got != "") != tc.risky {
			t.Errorf("%s: risk %q, want risky %v", tc.name, got, tc.risky)
		}
	}
}
