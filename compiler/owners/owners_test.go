package owners_test

import (
	"os"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/owners"
)

// TestSampleCodeOwners keeps the sample's committed CODEOWNERS current and
// checks that each tenant file has exactly its own teams.
func TestSampleCodeOwners(t *testing.T) {
	p, err := load.Load(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	got := string(owners.CodeOwners(p))
	for _, tn := range p.Tenants {
		want := "/" + tn.Pos.File + " " + p.Config.CodeOwners.Prefix + strings.Join(tn.Owners, " "+p.Config.CodeOwners.Prefix) + "\n"
		if !strings.Contains(got, want) {
			t.Errorf("no line %q in\n%s", want, got)
		}
	}
	committed, err := os.ReadFile("../../" + owners.File)
	if err != nil || string(committed) != got {
		t.Errorf("%s is stale: run 'platformc owners' (err %v)", owners.File, err)
	}
}
