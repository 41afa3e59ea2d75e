package diag_test

import (
	"errors"
	"fmt"
	"testing"

	"cuelang.org/go/cue"

	"github.com/platformc/platformc/compiler/diag"
)

func TestString(t *testing.T) {
	pos := diag.Pos{File: "tenants/billing.cue", Line: 12, Col: 15}
	policy := diag.Errorf(pos, "", "Deployment/api: runs as root")
	policy.Check = "run-as-non-root"
	for _, tc := range []struct {
		d    diag.Diagnostic
		want string
	}{
		{diag.Errorf(pos, "tenants.billing.replicas", "must be at least %d", 1), "tenants/billing.cue:12:15: tenants.billing.replicas: must be at least 1"},
		{diag.Errorf(diag.Pos{}, "", "no position"), "no position"},
		{diag.Errorf(diag.Pos{File: "platform.cue"}, "platform", "whole file"), "platform.cue: platform: whole file"},
		{diag.Warningf(pos, "", "EKS standard support ended"), "tenants/billing.cue:12:15: warning: EKS standard support ended"},
		{policy, "tenants/billing.cue:12:15: [run-as-non-root] Deployment/api: runs as root"},
	} {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	a := diag.Errorf(diag.Pos{File: "b.cue", Line: 2, Col: 1}, "", "second")
	b := diag.Errorf(diag.Pos{File: "b.cue", Line: 10, Col: 1}, "", "third")
	c := diag.Errorf(diag.Pos{File: "a.cue", Line: 30, Col: 1}, "", "first")
	var err error = diag.List(diag.Sorted([]diag.Diagnostic{b, a, c, a}))
	var l diag.List
	if !errors.As(fmt.Errorf("wrapped: %w", err), &l) || len(l) != 3 {
		t.Fatalf("got %#v", l)
	}
	if want := "a.cue:30:1: first\nb.cue:2:1: second\nb.cue:10:1: third"; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

// TestPath: Path writes what CUE's own paths write.
func TestPath(t *testing.T) {
	for _, labels := range [][]string{
		{"tenants", "billing", "services", "api"},
		{"clusters", "prod-shared", "network", "cidr"},
		{"tenants", "a1", "env", "LOG_LEVEL"},
		{"x", "1abc", "_hidden", "#Def", "with space", `quote"d`, "$dollar", "ünï"},
	} {
		sels := make([]cue.Selector, len(labels))
		for i, l := range labels {
			sels[i] = cue.Str(l)
		}
		if got, want := diag.Path(labels...), cue.MakePath(sels...).String(); got != want {
			t.Errorf("Path(%q) = %s, want %s", labels, got, want)
		}
	}
}
