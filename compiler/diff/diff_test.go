package diff_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/util"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	godiff "github.com/rogpeppe/go-internal/diff"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gitpub"
	"github.com/platformc/platformc/compiler/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const platform = `platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "eu-west-1"}
	environments: prod: {account: "111111111111", region: "eu-west-1"}
}
`

const cluster = `clusters: prod: {
	environment: "prod"
	account:     "111111111111"
	region:      "eu-west-1"
	kubernetes: version: "1.34"
	dns: zone: "example.com"
}
`

const billing = `tenants: billing: {
	owners: ["team-billing"]
	clusters: ["prod"]
	services: {
		api: {
			image:    "r.example.com/billing-api:1.4.2"
			replicas: 3
			ingress: host: "billing.example.com"
			secrets: ["db"]
		}
		worker: image: "r.example.com/billing-worker:1.4.2"
	}
	secrets: db: keys: ["DB_USER", "DB_PASSWORD"]
}
`

const shop = `tenants: shop: {
	owners: ["team-shop"]
	clusters: ["prod"]
	jobs: report: {
		image:    "r.example.com/shop-report:2.0.0"
		schedule: "0 6 * * 1"
	}
}
`

// repo is a git repository whose commits hold platforms.
type repo struct {
	t   *testing.T
	git *git.Repository
	pub *gitpub.Repo
	n   int
}

func newRepo(t *testing.T) *repo {
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gitpub.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &repo{t: t, git: r, pub: pub}
}

// commit makes the work tree hold exactly files and commits it.
func (r *repo) commit(files map[string]string) gitpub.Commit {
	r.t.Helper()
	wt, err := r.git.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, dir := range []string{"tenants", "clusters", "platform.cue"} {
		util.RemoveAll(wt.Filesystem, dir)
	}
	for p, data := range files {
		if err := util.WriteFile(wt.Filesystem, p, []byte(data), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatal(err)
	}
	r.n++
	sig := &object.Signature{Name: "dev", Email: "dev@example.com", When: time.Date(2026, 11, 1, 0, r.n, 0, 0, time.UTC)}
	h, err := wt.Commit("change", &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatal(err)
	}
	c, err := r.pub.Commit(h.String())
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// compile compiles the platform of commit c, read from the object store;
// a platform that does not compile gives empty outputs and its error.
func compile(t *testing.T, c gitpub.Commit) (*fstree.Tree, *model.Platform, error) {
	t.Helper()
	fsys, err := c.FS(".")
	if err != nil {
		t.Fatal(err)
	}
	tree, p, err := compiler.Compile(fsys)
	if err != nil {
		return &fstree.Tree{}, nil, err
	}
	return tree, p, nil
}

func files(extra ...string) map[string]string {
	m := map[string]string{"platform.cue": platform, "clusters/prod.cue": cluster, "tenants/billing.cue": billing}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(m, extra[i])
		} else {
			m[extra[i]] = extra[i+1]
		}
	}
	return m
}

// upgrading is the platform with cluster prod moving from 1.34 to 1.35,
// all traffic on green, and more of the upgrade's fields.
func upgrading(more string) map[string]string {
	c := strings.Replace(cluster, `"1.34"`, `"1.35"`, 1)
	c = strings.Replace(c, "\tdns:", "\tupgrade: {\n\t\ttraffic: 100"+more+"\n\t}\n\tdns:", 1)
	return files("clusters/prod.cue", c, "clusters/prod.lock.json", `{"generations": ["1.34", "1.35"]}`)
}

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, head map[string]string
		changes    int
		risky      []string
	}{{
		name:    "replicas",
		base:    files(),
		head:    files("tenants/billing.cue", strings.Replace(billing, "replicas: 3", "replicas: 4", 1)),
		changes: 1,
	}, {
		name:    "tenant-added",
		base:    files(),
		head:    files("tenants/shop.cue", shop),
		changes: 14,
		risky:   []string{"changes where project platform may deploy"},
	}, {
		name:    "tenant-removed",
		base:    files("tenants/shop.cue", shop),
		head:    files(),
		changes: 14,
		risky:   []string{"changes where project platform may deploy", "removes Argo CD AppProject shop", "removes Argo CD ApplicationSet shop", "deletes namespace shop and everything in it"},
	}, {
		name: "reordered",
		base: files(),
		head: files("tenants/billing.cue", `tenants: billing: {
	secrets: db: keys: ["DB_USER", "DB_PASSWORD"]
	services: {
		worker: image: "r.example.com/billing-worker:1.4.2"
		api: {
			secrets: ["db"]
			ingress: host: "billing.example.com"
			replicas: 3
			image:    "r.example.com/billing-api:1.4.2"
		}
	}
	clusters: ["prod"]
	owners: ["team-billing"]
}
`),
		changes: 0,
	}, {
		// Retiring blue deletes the tenant's namespace there: the risky
		// line names that generation and its role, not the cluster.
		name:    "retire",
		base:    upgrading(""),
		head:    upgrading("\n\t\tretire: true"),
		changes: 22, // and blue's ConfigMap of Auto Mode's network policy controller
		risky:   []string{"retires cluster generation prod-1-34: Argo CD deletes its tenants' objects, namespaces and Karpenter NodePools there, and keeps its add-ons", "deletes namespace billing and everything in it"},
	}, {
		name:    "broken-base",
		base:    files("tenants/billing.cue", strings.Replace(billing, `"team-billing"]`, `"team-billing"`, 1)),
		head:    files(),
		changes: 30,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			base, bp, baseErr := compile(t, r.commit(tc.base))
			head, hp, err := compile(t, r.commit(tc.head))
			if err != nil {
				t.Fatal(err)
			}
			if (baseErr != nil) != (tc.name == "broken-base") {
				t.Fatalf("base error: %v", baseErr)
			}
			report, err := diff.Trees(base, head)
			if err != nil {
				t.Fatal(err)
			}
			report.Generations(bp, hp)
			report.Base = tc.name
			if baseErr != nil {
				report.BaseErr = baseErr.Error()
			}
			if len(report.Changes) != tc.changes {
				t.Errorf("%d changes, want %d", len(report.Changes), tc.changes)
			}
			var risks []string
			for _, c := range report.Risky() {
				risks = append(risks, c.Risk)
			}
			if strings.Join(risks, "\n") != strings.Join(tc.risky, "\n") {
				t.Errorf("risky changes:\n%s\nwant:\n%s", strings.Join(risks, "\n"), strings.Join(tc.risky, "\n"))
			}
			var text, md bytes.Buffer
			if err := report.Text(&text); err != nil {
				t.Fatal(err)
			}
			if err := report.Markdown(&md, diff.MarkdownLimit); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", text.Bytes())
			golden(t, tc.name+".md", md.Bytes())
		})
	}
}

// TestMarkdownLimit checks that a comment too long for GitHub is cut
// between tenant sections, with a note, and stays under the limit.
func TestMarkdownLimit(t *testing.T) {
	r := newRepo(t)
	base, _, _ := compile(t, r.commit(files()))
	head, _, err := compile(t, r.commit(files("tenants/shop.cue", shop, "tenants/billing.cue", strings.Replace(billing, "replicas: 3", "replicas: 4", 1))))
	if err != nil {
		t.Fatal(err)
	}
	report, err := diff.Trees(base, head)
	if err != nil {
		t.Fatal(err)
	}
	var full, cut bytes.Buffer
	report.Markdown(&full, diff.MarkdownLimit)
	limit := full.Len() - 100
	report.Markdown(&cut, limit)
	if cut.Len() > limit {
		t.Errorf("%d characters, over the limit of %d", cut.Len(), limit)
	}
	if !strings.Contains(cut.String(), "of 3 tenant sections are not shown") || !strings.Contains(cut.String(), "<details>") {
		t.Errorf("no note about the sections left out:\n%s", cut.String())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update and review):\n%s", name, godiff.Diff("want", want, "got", got))
	}
}
