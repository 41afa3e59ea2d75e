package cueedit

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/platformc/platformc/compiler/load"
)

const commented = `// Billing: invoices and the billing API.
tenants: billing: {
	owners: ["team-billing"] // the on-call team
	clusters: ["prod"]

	// The public API.
	services: api: {
		image:    "111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing-api:1.4.2" // bumped by CI
		replicas: 3
	}

	services: worker: image: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing-worker:1.4.2"

	jobs: {
		// Nightly.
		invoice: {
			schedule: "0 3 * * *"
			image:    "111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing-batch:1.4.2"
		}
	}
}
`

func TestSetImageChangesOneLine(t *testing.T) {
	if !IsFormatted("billing.cue", []byte(commented)) {
		t.Fatal("the test's input is not cue fmt clean")
	}
	for _, tc := range []struct {
		kind, name, image string
		line              int
	}{
		{Services, "api", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing-api:1.5.0", 8},
		{Services, "worker", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing-worker@sha256:" + strings.Repeat("a", 64), 12},
		{Jobs, "invoice", "registry.example.com/billing/batch:2", 18},
	} {
		out, changes, err := SetImage("billing.cue", []byte(commented), "billing", tc.kind, tc.name, tc.image)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 1 || changes[0].Pos.Line != tc.line || changes[0].New != `"`+tc.image+`"` {
			t.Errorf("%s %s: changes %+v, want one at line %d", tc.kind, tc.name, changes, tc.line)
		}
		before, after := strings.Split(commented, "\n"), strings.Split(string(out), "\n")
		if len(before) != len(after) {
			t.Fatalf("%s %s: %d lines, want %d", tc.kind, tc.name, len(after), len(before))
		}
		for i := range before {
			if (before[i] != after[i]) != (i+1 == tc.line) {
				t.Errorf("%s %s: line %d: %q -> %q", tc.kind, tc.name, i+1, before[i], after[i])
			}
		}
		if !strings.Contains(after[tc.line-1], tc.image) {
			t.Errorf("%s %s: line %d is %q", tc.kind, tc.name, tc.line, after[tc.line-1])
		}
		if !IsFormatted("billing.cue", out) {
			t.Errorf("%s %s: the result is not cue fmt clean:\n%s", tc.kind, tc.name, out)
		}
		if got, ok := Image("billing.cue", out, "billing", tc.kind, tc.name); !ok || got != tc.image {
			t.Errorf("%s %s: Image = %q, %v", tc.kind, tc.name, got, ok)
		}
	}
}

func TestSetImageEveryPlace(t *testing.T) {
	src := "tenants: t: services: a: image: \"x:1\"\ntenants: t: services: a: {image: \"x:1\", replicas: 2}\n"
	out, changes, err := SetImage("t.cue", []byte(src), "t", Services, "a", "x:2")
	if err != nil {
		t.Fatal(err)
	}
	want := "tenants: t: services: a: image: \"x:2\"\ntenants: t: services: a: {image: \"x:2\", replicas: 2}\n"
	if string(out) != want || len(changes) != 2 || changes[0].Pos.Line != 1 || changes[1].Pos.Line != 2 {
		t.Errorf("got %q %+v", out, changes)
	}
}

func TestSetImageAdds(t *testing.T) {
	src := "tenants: t: {\n\tservices: a: {\n\t\treplicas: 2\n\t}\n}\n"
	out, changes, err := SetImage("t.cue", []byte(src), "t", Services, "a", "x:2")
	if err != nil {
		t.Fatal(err)
	}
	want := "tenants: t: {\n\tservices: a: {\n\t\treplicas: 2\n\t\timage:    \"x:2\"\n\t}\n}\n"
	if string(out) != want || len(changes) != 1 || changes[0].Pos.Line != 4 || changes[0].Old != "" {
		t.Errorf("got %q %+v", out, changes)
	}
}

func TestSetImageNotFound(t *testing.T) {
	for _, tc := range []struct{ tenant, kind, name, want string }{
		{"billing", Services, "invoice", `billing.cue: tenant "billing" has no service "invoice" (services: api, worker; jobs: invoice); "invoice" is a job: use --job`},
		{"billing", Jobs, "api", `billing.cue: tenant "billing" has no job "api" (services: api, worker; jobs: invoice); "api" is a service: leave out --job`},
		{"other", Services, "api", `billing.cue: tenant "other" has no service "api" (services: none; jobs: none)`},
	} {
		_, _, err := SetImage("billing.cue", []byte(commented), tc.tenant, tc.kind, tc.name, "x:1")
		var nf *NotFoundError
		if !errors.As(err, &nf) || err.Error() != tc.want {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
}

// TestOverlayLoad validates a platform in which one file is replaced and
// one added, through the loader.
func TestOverlayLoad(t *testing.T) {
	base := fstest.MapFS{
		"platform.cue": {Data: []byte(`platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "eu-west-1"}
	environments: prod: {account: "111111111111", region: "eu-west-1"}
}
`)},
		"clusters/prod.cue": {Data: []byte(`clusters: prod: {
	environment: "prod"
	account:     "111111111111"
	region:      "eu-west-1"
	kubernetes: version: "1.33"
	dns: zone: "example.com"
}
`)},
	}
	o := Overlay{Base: base, Files: map[string][]byte{
		"tenants/a.cue":     []byte(`tenants: a: {owners: ["team-a"], clusters: ["prod"]}`),
		"clusters/prod.cue": []byte(strings.Replace(string(base["clusters/prod.cue"].Data), "1.33", "1.34", 1)),
	}}
	if err := fstest.TestFS(o, "platform.cue", "clusters/prod.cue", "tenants/a.cue"); err != nil {
		t.Fatal(err)
	}
	p, err := load.Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tenants) != 1 || p.Clusters[0].Version != "1.34" {
		t.Errorf("loaded %d tenants, cluster version %s", len(p.Tenants), p.Clusters[0].Version)
	}
	o.Files["tenants/b.cue"] = []byte(`tenants: b: {owners: ["team-b"], clusters: ["nowhere"]}`)
	_, err = load.Load(o)
	if err == nil || !strings.Contains(err.Error(), `tenants/b.cue:1:45: tenants.b.clusters: unknown cluster "nowhere"`) {
		t.Errorf("got %v", err)
	}
	if _, err := (Overlay{}).ReadDir("tenants"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty overlay: ReadDir: %v", err)
	}
}
