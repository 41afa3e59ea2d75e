package plan_test

import (
	"bytes"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample returns the repository's sample platform's sources.
func sample(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := "../.."
	for _, top := range []string{"platform.cue", "clusters", "tenants"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// side compiles sources (the Kubernetes side; the stacks are planned, not
// synthesised) into what a plan reads.
func side(t *testing.T, files map[string]string) plan.Side {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	day, _ := time.Parse(time.DateOnly, "2026-12-01")
	tree, p, err := compiler.Compile(fsys, compiler.Today(day))
	if err != nil {
		t.Fatal(err)
	}
	s, err := plan.SideOf(p, tree)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// edit returns files with each old string of file replaced by new.
func edit(t *testing.T, files map[string]string, file string, pairs ...string) map[string]string {
	t.Helper()
	out := maps.Clone(files)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(out[file], pairs[i]) {
			t.Fatalf("%s has no %q", file, pairs[i])
		}
		out[file] = strings.Replace(out[file], pairs[i], pairs[i+1], 1)
	}
	return out
}

const shop = `tenants: shop: {
	owners: ["team-shop"]
	clusters: ["prod-shared", "stg-shared"]
	secrets: db: keys: ["DB_PASSWORD"]
	services: web: {
		image: "ghcr.io/acme/shop:1.0.0"
		replicas: 2
		secrets: ["db"]
		ingress: host: "shop.example.com"
		overrides: "stg-shared": ingress: host: "shop.stg.example.com"
	}
}
`

// TestPlans checks the plan of each kind of change against golden text
// and JSON (go test ./compiler/plan -update rewrites them; review the
// diff), and the order every plan must keep.
func TestPlans(t *testing.T) {
	base := sample(t)
	withShop := maps.Clone(base)
	withShop["tenants/shop.cue"] = shop
	bump := edit(t, base, "clusters/prod-payments.cue", `version: "1.35"`, `version: "1.36"`)
	upgrading := func(traffic string) map[string]string {
		f := edit(t, bump, "clusters/prod-payments.cue", "\tdns:", "\tupgrade: {"+traffic+"}\n\tdns:")
		f["clusters/prod-payments.lock.json"] = `{"generations": ["1.35", "1.36"]}`
		return f
	}
	bumped := maps.Clone(bump)
	bumped["clusters/prod-payments.lock.json"] = `{"generations": ["1.35", "1.36"]}`
	// After the retiring delivery, build has recorded blue as retiring.
	const retiringLock = `{"generations": ["1.35", "1.36"], "retiring": "1.35"}`
	retiring := upgrading("traffic: 100, retire: true")
	retiring["clusters/prod-payments.lock.json"] = retiringLock
	retired := maps.Clone(bump)
	retired["clusters/prod-payments.lock.json"] = retiringLock
	for _, tc := range []struct {
		name       string
		base, head map[string]string
	}{
		{"nothing", base, base},
		{"tenant-added", base, withShop},
		{"tenant-leaves-cluster", base, edit(t, base, "tenants/catalog.cue", `clusters: ["prod-shared", "stg-shared"]`, `clusters: ["stg-shared"]`)},
		{"tenant-removed", withShop, base},
		{"version-bump", base, bump},
		{"traffic-10", bumped, upgrading("traffic: 10")},
		{"traffic-100", upgrading("traffic: 50"), upgrading("traffic: 100")},
		{"retire", upgrading("traffic: 100"), upgrading("traffic: 100, retire: true")},
		{"retired", retiring, retired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plan.Make(side(t, tc.base), side(t, tc.head))
			checkOrder(t, p)
			var text, js bytes.Buffer
			if err := p.Text(&text, "base"); err != nil {
				t.Fatal(err)
			}
			if err := p.JSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", text.Bytes())
			golden(t, tc.name+".json", js.Bytes())
		})
	}
}

// checkOrder: deploys of everything but DNS before the publish, DNS after
// it, drains after the publish, destroys last; no action twice in a row
// but drains.
func checkOrder(t *testing.T, p plan.Plan) {
	t.Helper()
	rank := func(s plan.Step) int {
		switch {
		case s.Action == plan.Deploy && !strings.Contains(strings.Join(s.Stacks, " "), "-dns-"):
			return 0
		case s.Action == plan.Publish:
			return 1
		case s.Action == plan.Deploy:
			return 2
		case s.Action == plan.Drain:
			return 3
		}
		return 4
	}
	for i := 1; i < len(p.Steps); i++ {
		if rank(p.Steps[i]) < rank(p.Steps[i-1]) {
			t.Errorf("step %d (%s) comes after step %d (%s)", i+1, p.Steps[i].Action, i, p.Steps[i-1].Action)
		}
	}
	for _, s := range p.Steps {
		if s.Reason == "" || len(s.Stacks)+len(s.Paths) == 0 {
			t.Errorf("step %+v has no reason or nothing to act on", s)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./compiler/plan -update and review\n got:\n%s", name, got)
	}
}
