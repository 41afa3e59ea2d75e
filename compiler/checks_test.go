package compiler

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
)

// TestRemovedAPIs puts an object of an API that Kubernetes 1.25 removed
// into the sample's output: every generation at 1.25 or later must refuse
// it, at its cluster's version.
func TestRemovedAPIs(t *testing.T) {
	tree, p, err := Compile(os.DirFS(".."))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRemovals(p, apisUsed(tree)); err != nil {
		t.Fatalf("the sample uses a removed API: %v", err)
	}
	old := "# generated\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n"
	if err := tree.Add(fstree.File{Path: "tenants/billing/app/base/cronjob-old.yaml", Data: []byte(old)}); err != nil {
		t.Fatal(err)
	}
	err = checkRemovals(p, apisUsed(tree))
	var errs diag.List
	if !errors.As(err, &errs) || len(errs) != len(p.Clusters) {
		t.Fatalf("got %v, want one error per cluster", err)
	}
	for _, e := range errs {
		if !strings.HasPrefix(e.Pos.String(), "clusters/") || !strings.Contains(e.Message, "Kubernetes 1.25 no longer serves batch/v1beta1/CronJob") {
			t.Errorf("error %s", e)
		}
	}
}
