package compiler_test

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/synth/synth"
)

// clusterScoped are the kinds platformc could generate that live outside
// any namespace.
var clusterScoped = []string{"Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterSecretStore", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "NodePool", "EC2NodeClass"}

// TestIsolation asserts, for every tenant of the sample and of a synthetic
// platform of 200 tenants, the properties that keep tenants apart, over the
// whole generated output: a property of the compiler, not of examples.
func TestIsolation(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"sample":    os.DirFS(sampleRoot),
		"synthetic": synth.New(synth.Config{Tenants: 200, Clusters: 6, Seed: 7}).FS(),
	} {
		t.Run(name, func(t *testing.T) {
			tree, p, err := compiler.Compile(fsys)
			if err != nil {
				t.Fatal(err)
			}
			isolated(t, p, tree)
		})
	}
}

type obj = map[string]any

func isolated(t *testing.T, p *model.Platform, tree *fstree.Tree) {
	tenants := map[string]*model.Tenant{}
	for _, tn := range p.Tenants {
		tenants[tn.Name] = tn
	}
	denied := map[string]bool{} // namespace -> has a default-deny policy in its base
	for _, name := range tree.Paths() {
		if path.Ext(name) != ".yaml" {
			continue
		}
		f, _ := tree.Get(name)
		var o obj
		if err := yaml.Unmarshal(f.Data, &o); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		kind, _ := o["kind"].(string)
		ns, _ := get(o, "metadata", "namespace").(string)
		objName, _ := get(o, "metadata", "name").(string)
		if kind == "Secret" && (o["data"] != nil || o["stringData"] != nil) {
			t.Errorf("%s: a Secret with data", name)
		}
		if kind == "ClusterSecretStore" {
			t.Errorf("%s: a ClusterSecretStore reaches every namespace", name)
		}
		tn := tenants[f.Origin.Tenant]
		if tn == nil || kind == "Kustomization" {
			continue
		}
		owned := strings.HasPrefix(name, "tenants/"+tn.Name+"/")
		switch {
		case owned && kind == "Namespace":
			if objName != tn.Namespace() || !strings.HasPrefix(name, "tenants/"+tn.Name+"/namespace/") {
				t.Errorf("%s: Namespace %s outside the platform's part of tenant %s", name, objName, tn.Name)
			}
		case owned && slices.Contains(clusterScoped, kind):
			t.Errorf("%s: cluster-scoped %s attributed to tenant %s", name, kind, tn.Name)
		case owned && ns != tn.Namespace():
			t.Errorf("%s: %s/%s in namespace %q, not the tenant's", name, kind, objName, ns)
		}
		switch kind {
		case "RoleBinding":
			for _, s := range asList(o["subjects"]) {
				if sk := get(s, "kind"); sk == "ServiceAccount" && get(s, "namespace") != tn.Namespace() || sk == "Group" && !slices.Contains(tn.Owners, get(s, "name").(string)) || sk == "User" {
					t.Errorf("%s: binds %v, not the tenant's own", name, s)
				}
			}
		case "AppProject":
			for _, d := range asList(get(o, "spec", "destinations")) {
				if get(d, "namespace") != tn.Namespace() || get(d, "server") != nil {
					t.Errorf("%s: destination %v", name, d)
				}
			}
			if len(asList(get(o, "spec", "clusterResourceWhitelist"))) > 0 {
				t.Errorf("%s: allows cluster-scoped kinds", name)
			}
		case "ApplicationSet":
			if get(o, "spec", "template", "spec", "destination", "namespace") != tn.Namespace() || get(o, "spec", "template", "spec", "project") != tn.Name {
				t.Errorf("%s: reaches beyond the tenant", name)
			}
		case "ServiceAccount":
			arn, _ := get(o, "metadata", "annotations", "eks.amazonaws.com/role-arn").(string)
			if arn != "" && !ownRole(p, tn, arn) {
				t.Errorf("%s: IRSA role %s is not one of tenant %s's", name, arn, tn.Name)
			}
		case "SecretStore":
			if get(o, "spec", "provider", "aws", "role") != nil || get(o, "spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "name") != naming.SecretsServiceAccount {
				t.Errorf("%s: the store authenticates as someone else", name)
			}
		case "ExternalSecret":
			for _, d := range asList(get(o, "spec", "data")) {
				if key, _ := get(d, "remoteRef", "key").(string); !ownSecret(p, tn, key) {
					t.Errorf("%s: reads %s, not tenant %s's secret", name, key, tn.Name)
				}
			}
			if get(o, "spec", "dataFrom") != nil {
				t.Errorf("%s: dataFrom reads every key", name)
			}
		case "NetworkPolicy":
			if objName == "default-deny" && strings.HasPrefix(name, "tenants/"+tn.Name+"/namespace/base/") &&
				len(get(o, "spec", "podSelector").(obj)) == 0 && len(asList(get(o, "spec", "policyTypes"))) == 2 &&
				get(o, "spec", "ingress") == nil && get(o, "spec", "egress") == nil {
				denied[tn.Namespace()] = true
			}
		}
	}
	for _, tn := range p.Tenants {
		if !denied[tn.Namespace()] {
			t.Errorf("tenant %s: no default-deny NetworkPolicy in its namespace", tn.Name)
		}
		for _, c := range p.Placements(tn) {
			for _, g := range c.Generations() {
				k, ok := tree.Get("tenants/" + tn.Name + "/namespace/overlays/" + g.Name() + "/kustomization.yaml")
				if !ok || !strings.Contains(string(k.Data), "- ../../base\n") {
					t.Errorf("tenant %s on %s: the namespace overlay does not include the base's guard rails", tn.Name, g.Name())
				}
			}
		}
	}
}

func ownRole(p *model.Platform, tn *model.Tenant, arn string) bool {
	for _, c := range p.Placements(tn) {
		if naming.Secret(p, tn, c.Environment).RoleARN == arn {
			return true
		}
	}
	return false
}

func ownSecret(p *model.Platform, tn *model.Tenant, key string) bool {
	for _, c := range p.Placements(tn) {
		if naming.Secret(p, tn, c.Environment).Name == key {
			return true
		}
	}
	return false
}

func asList(v any) []any { l, _ := v.([]any); return l }
