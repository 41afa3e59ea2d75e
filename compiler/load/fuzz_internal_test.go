package load

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/platformc/platformc/compiler/model"
)

// FuzzTenant feeds arbitrary tenant files to the loader: the evaluation of
// the file, then the checks across files on a platform of one cluster.
// Whatever the input, it must end in a tenant or in errors that point into
// the file — never a panic, never another error. One loader serves many
// inputs, as in a build: loading the whole platform for each, schema
// included, left the fuzzer 36 times fewer executions.
func FuzzTenant(f *testing.F) {
	entries, _ := os.ReadDir("../../tenants")
	for _, e := range entries {
		src, err := os.ReadFile("../../tenants/" + e.Name())
		if err == nil {
			f.Add(strings.Replace(string(src), "tenants: "+strings.TrimSuffix(e.Name(), ".cue"), "tenants: a", 1))
		}
	}
	f.Add(`tenants: a: {owners: ["t"], clusters: ["c1"]}`)
	f.Add(`tenants: a: tenants.b`)
	f.Add(`tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", env: {A: "\(owners[0])"}, ingress: host: "a.example.com"}}`)
	base, err := Load(fstest.MapFS{
		"platform.cue": {Data: []byte(`platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "ap-northeast-1"}
	environments: prod: {account: "111111111111", region: "ap-northeast-1"}
}`)},
		"clusters/c1.cue": {Data: []byte(`clusters: c1: {environment: "prod", account: "111111111111", region: "ap-northeast-1", kubernetes: version: "1.33", dns: zone: "example.com"}`)},
	})
	if err != nil {
		f.Fatal(err)
	}
	var l *loader
	done := 0
	f.Fuzz(func(t *testing.T, src string) {
		if l == nil || done == recycleEvery {
			if l, err = newLoader(nil); err != nil {
				t.Fatal(err)
			}
			done = 0
		}
		done++
		r := l.tenant("a.cue", []byte(src))
		if r.err != nil {
			t.Fatalf("not an error of the file: %v", r.err)
		}
		errs := r.errs
		if r.tenant != nil {
			p := *base
			p.Tenants = []*model.Tenant{r.tenant}
			errs = check(&p, nil)
		}
		for _, e := range errs {
			if f := e.Pos.File; f != "tenants/a.cue" && f != "" {
				t.Errorf("error outside the tenant file: %v", e)
			}
		}
	})
}
