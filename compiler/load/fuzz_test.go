package load_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/load"
)

// TestHostileInput tries names built to escape, look-alikes, sizes and
// references across files: each ends in errors, never in a platform.
func TestHostileInput(t *testing.T) {
	long := strings.Repeat("a", 300)
	many := make([]string, 5000)
	for i := range many {
		many[i] = `"c1"`
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"path in the name", []string{"tenants/a.cue", `tenants: "../../etc": {owners: ["t"], clusters: ["c1"]}`}, "may define only tenants: a"},
		{"path in a service name", []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: "../x": image: "r/x:1"}`}, `must be a lowercase DNS name`},
		{"absolute path in a job name", []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], jobs: "/etc/cron": {image: "r/x:1", schedule: "0 0 * * *"}}`}, `must be a lowercase DNS name`},
		{"unicode look-alike", []string{"tenants/аpi.cue", `tenants: "аpi": {owners: ["t"], clusters: ["c1"]}`}, "a tenant name is a lowercase DNS name"},
		{"300 characters", []string{"tenants/" + long + ".cue", `tenants: ` + long + `: {owners: ["t"], clusters: ["c1"]}`}, "at most 20 characters"},
		{"empty label", []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], secrets: "": keys: ["K"]}`}, "must be a lowercase DNS name"},
		{"duplicate definition across files", []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"]}`, "tenants/b.cue", `tenants: a: {owners: ["u"], clusters: ["c1"]}`}, "tenants/b.cue may define only tenants: b"},
		{"reference to another tenant", []string{"tenants/b.cue", `tenants: b: {owners: ["t"], clusters: ["c1"]}`, "tenants/a.cue", `tenants: a: {owners: tenants.b.owners, clusters: ["c1"]}`}, "tenants.a.owners"},
		{"import", []string{"tenants/a.cue", "import \"list\"\ntenants: a: {owners: [\"t\"], clusters: list.Repeat([\"c1\"], 2)}"}, "an import is not allowed"},
		{"huge list", []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: [` + strings.Join(many, ",") + `]}`}, "clusters must be a non-empty list of distinct cluster names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load.Load(platform(tc.files...))
			var errs diag.List
			if !errors.As(err, &errs) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want diag.List with %q", err, tc.want)
			}
		})
	}
}
