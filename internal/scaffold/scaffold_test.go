package scaffold

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"cuelang.org/go/mod/modfile"
	"github.com/rogpeppe/go-internal/diff"
	"go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/cueedit"
)

var update = flag.Bool("update", false, "rewrite docs/ci/github from the templates")

func example() Repository {
	return Repository{
		Name: "acme", RepoURL: "https://github.com/acme/platform-manifests.git",
		Account: "111111111111", Region: "ap-northeast-1", Environment: "dev",
		Cluster: Cluster{
			Name: "dev-shared", Environment: "dev", Account: "111111111111", Region: "ap-northeast-1",
			Version: "1.34", Tenancy: "shared", Capacity: "auto", Zone: "dev.example.com", CIDR: "10.0.0.0/16",
		},
		Tenant: Tenant{
			Name: "hello", Owners: []string{"team-hello"}, Clusters: []string{"dev-shared"},
			Services: []Service{{Name: "web", Image: "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/hello-web:0.1.0", Host: "hello.dev.example.com"}},
		},
		Module:           "platformc.example/acme@v0",
		CUEVersion:       CUELanguageVersion,
		PlatformcVersion: "main",
	}
}

// TestInit checks every file init writes: the platform validates, the CUE
// files are as cue fmt writes them, module.cue is a valid CUE module file,
// cdk.json JSON and the workflows YAML.
func TestInit(t *testing.T) {
	files, err := Init(example())
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]byte{}
	for _, f := range files {
		switch {
		case f.Path == "cue.mod/module.cue":
			if _, err := modfile.Parse(f.Data, f.Path); err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
		case path.Ext(f.Path) == ".cue":
			sources[f.Path] = f.Data
		case path.Ext(f.Path) == ".json":
			if !json.Valid(f.Data) {
				t.Errorf("%s: not JSON", f.Path)
			}
		case path.Ext(f.Path) == ".yml":
			var v map[string]any
			if err := yaml.Unmarshal(f.Data, &v); err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
		}
		if path.Ext(f.Path) == ".cue" && !cueedit.IsFormatted(f.Path, f.Data) {
			t.Errorf("%s is not cue fmt clean:\n%s", f.Path, f.Data)
		}
		if strings.Contains(string(f.Data), "{%") || strings.Contains(string(f.Data), "<no value>") {
			t.Errorf("%s: template left over:\n%s", f.Path, f.Data)
		}
	}
	p, err := load.Load(cueedit.Overlay{Files: sources})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tenants) != 1 || len(p.Clusters) != 1 || len(p.Tenants[0].Services) != 1 {
		t.Errorf("loaded %d tenants, %d clusters", len(p.Tenants), len(p.Clusters))
	}
}

// TestTemplatesNeedNoFormatting checks that the CUE templates are written
// as cue fmt writes them, for names of several lengths: what a user reads
// in the template is what the files look like.
func TestTemplatesNeedNoFormatting(t *testing.T) {
	for _, name := range []string{"ab", "shop", "a-much-longer-name"} {
		for _, f := range []struct {
			tmpl string
			data any
		}{
			{"tenant.cue.tmpl", Tenant{Name: name, Owners: []string{"team-" + name}, Clusters: []string{"prod"}}},
			{"tenant.cue.tmpl", example().Tenant},
			{"cluster.cue.tmpl", Cluster{Name: name, Environment: "prod", Account: "111111111111", Region: "eu-west-1", Version: "1.33", Tenancy: "shared", Capacity: "auto", Zone: "example.com", CIDR: "10.0.0.0/16"}},
			{"platform.cue.tmpl", example()},
		} {
			var b bytes.Buffer
			if err := tmpl.ExecuteTemplate(&b, f.tmpl, f.data); err != nil {
				t.Fatal(err)
			}
			if !cueedit.IsFormatted(f.tmpl, b.Bytes()) {
				rendered, _ := render(f.tmpl, "x.cue", f.data)
				t.Errorf("%s (%s) needs formatting:\n%s", f.tmpl, name, diff.Diff("template", b.Bytes(), "cue fmt", rendered.Data))
			}
		}
	}
}

// TestWorkflowsInDocs keeps docs/ci/github, the recipes the documentation
// shows, equal to what init writes; -update rewrites them.
func TestWorkflowsInDocs(t *testing.T) {
	files, err := Workflows(example())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("%d workflows", len(files))
	}
	for _, f := range files {
		p := filepath.Join("..", "..", "docs", "ci", "github", path.Base(f.Path))
		if *update {
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, f.Data) {
			t.Errorf("%s is not what init writes: run 'go test ./internal/scaffold -update'\n%s", p, diff.Diff(p, have, "template", f.Data))
		}
	}
}

func TestKnownVersions(t *testing.T) {
	v, err := KnownVersions()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) < 2 || model.CompareVersions(v[0], v[len(v)-1]) >= 0 {
		t.Errorf("versions %v", v)
	}
}

// TestCUEVersion checks that the CUE language version of module.cue is
// that of the cuelang.org/go platformc is built with.
func TestCUEVersion(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build info")
	}
	for _, d := range bi.Deps {
		if d.Path == "cuelang.org/go" {
			if minor(d.Version) != minor(CUELanguageVersion) {
				t.Errorf("cuelang.org/go is %s; init writes language version %s", d.Version, CUELanguageVersion)
			}
			return
		}
	}
}

func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
