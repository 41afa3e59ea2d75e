package conformance

import (
	"fmt"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/kbuild"
	"github.com/platformc/platformc/internal/appset"
)

var (
	registryOnce sync.Once
	registry     *Registry
	registryErr  error
)

func loadRegistry(t *testing.T) *Registry {
	t.Helper()
	registryOnce.Do(func() { registry, registryErr = Load() })
	if registryErr != nil {
		t.Fatal(registryErr)
	}
	return registry
}

// TestGeneratedOutput compiles the repository's sample platform and
// validates every object it generates: each YAML file as written, and each
// kustomization as kustomize builds it.
func TestGeneratedOutput(t *testing.T) {
	r := loadRegistry(t)
	tree, _, err := compiler.Compile(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	check := func(t *testing.T, where string, obj map[string]any) {
		kinds[Describe(obj)[:strings.LastIndex(Describe(obj), " ")]]++
		for _, v := range r.Validate(obj) {
			t.Errorf("%s: %s: %s", where, Describe(obj), v)
		}
	}

	t.Run("files", func(t *testing.T) {
		for _, p := range tree.Paths() {
			if ext := path.Ext(p); (ext != ".yaml" && ext != ".yml") || path.Base(p) == "kustomization.yaml" {
				continue
			}
			f, _ := tree.Get(p)
			objs, err := ParseYAML(f.Data)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if len(objs) == 0 {
				t.Errorf("%s: no object", p)
			}
			for _, obj := range objs {
				check(t, p, obj)
			}
		}
	})

	// What Argo CD makes of the ApplicationSets: every Application of every
	// ApplicationSet, for every cluster Secret the registrations template.
	t.Run("applications", func(t *testing.T) {
		var objs []map[string]any
		for _, p := range tree.Paths() {
			if path.Ext(p) == ".yaml" && path.Base(p) != "kustomization.yaml" {
				f, _ := tree.Get(p)
				o, err := ParseYAML(f.Data)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				objs = append(objs, o...)
			}
		}
		clusters := appset.Clusters(objs)
		n := 0
		for _, o := range objs {
			if o["kind"] != "ApplicationSet" {
				continue
			}
			apps, _, err := appset.Expand(o, clusters)
			if err != nil {
				t.Errorf("%s: %v", Describe(o), err)
			}
			for _, app := range apps {
				check(t, "expanded from "+Describe(o), app)
				n++
			}
		}
		if n == 0 {
			t.Fatal("no Application expanded")
		}
	})

	t.Run("kustomize", func(t *testing.T) {
		fs, err := kbuild.Memory(tree)
		if err != nil {
			t.Fatal(err)
		}
		dirs := kbuild.Dirs(tree)
		if len(dirs) == 0 {
			t.Fatal("no kustomization.yaml generated")
		}
		for _, dir := range dirs {
			objs, err := kbuild.Build(fs, dir)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			for _, obj := range objs {
				obj, err := Normalize(obj)
				if err != nil {
					t.Errorf("kustomize build %s: %v", dir, err)
					continue
				}
				check(t, "kustomize build "+dir, obj)
			}
		}
	})

	if len(kinds) == 0 {
		t.Fatal("no object validated")
	}
	var seen []string
	for k, n := range kinds {
		seen = append(seen, fmt.Sprintf("%s ×%d", k, n))
	}
	slices.Sort(seen)
	t.Logf("validated:\n  %s", strings.Join(seen, "\n  "))
}

// TestValidator proves the validator is not vacuous: for each schema
// source a minimal correct object passes and broken ones fail with the
// expected message.
func TestValidator(t *testing.T) {
	r := loadRegistry(t)
	for _, c := range validatorCases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := ParseYAML([]byte(c.yaml))
			if err != nil || len(objs) != 1 {
				t.Fatalf("bad test YAML: %v", err)
			}
			got := r.Validate(objs[0])
			if len(c.want) == 0 && len(got) > 0 {
				t.Fatalf("want valid, got:\n  %s", strings.Join(got, "\n  "))
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
					t.Errorf("want a violation containing %q, got:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

// TestEngineMatchesKubernetes keeps the validation engine on the Kubernetes
// minor whose OpenAPI spec is pinned.
func TestEngineMatchesKubernetes(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build info")
	}
	minor := func(v string) string { // v1.33.13 and v0.33.13 -> 33
		parts := strings.Split(v, ".")
		if len(parts) < 2 {
			return v
		}
		return parts[1]
	}
	want := minor(strings.SplitN(KubernetesModule, "@", 2)[1])
	for _, m := range info.Deps {
		if strings.HasPrefix(m.Path, "k8s.io/") && strings.HasPrefix(m.Version, "v0.") && minor(m.Version) != want {
			t.Errorf("%s %s: want the Kubernetes 1.%s release (v0.%s.x), like %s", m.Path, m.Version, want, want, KubernetesModule)
		}
	}
}
