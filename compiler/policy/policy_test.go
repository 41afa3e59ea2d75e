package policy_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/policy"
)

const settings = `platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "eu-west-1"}
	environments: prod: {account: "111111111111", region: "eu-west-1"}
	policy: {
		registries: ["111111111111.dkr.ecr.eu-west-1.amazonaws.com"]
		checks: "no-host-path": "warning"
	}
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

const ecr = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/"

func tenant(body string) string {
	return "tenants: shop: {\n\towners: [\"team-shop\"]\n\tclusters: [\"prod\"]\n" + body + "\n}\n"
}

// run compiles a platform with one tenant, lets edit change the generated
// tree, and runs the checks as of today.
func run(t *testing.T, tenantFile string, today string, edit func(*fstree.Tree) *fstree.Tree) []policy.Finding {
	t.Helper()
	return runWith(t, settings, tenantFile, today, edit)
}

// runWith is run with other platform settings.
func runWith(t *testing.T, platformFile, tenantFile string, today string, edit func(*fstree.Tree) *fstree.Tree) []policy.Finding {
	t.Helper()
	p, err := load.Load(fstest.MapFS{
		"platform.cue":      {Data: []byte(platformFile)},
		"clusters/prod.cue": {Data: []byte(cluster)},
		"tenants/shop.cue":  {Data: []byte(tenantFile)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := compiler.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		tree = edit(tree)
	}
	var day time.Time
	if today != "" {
		day, _ = time.Parse(time.DateOnly, today)
	}
	fs, err := policy.Check(p, tree, day)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// replace returns a copy of t where file p has old replaced by new, or is
// gone when old is "".
func replace(p, old, new string) func(*fstree.Tree) *fstree.Tree {
	return func(t *fstree.Tree) *fstree.Tree {
		out := &fstree.Tree{}
		for _, q := range t.Paths() {
			f, _ := t.Get(q)
			if q == p {
				if old == "" {
					continue
				}
				if !strings.Contains(string(f.Data), old) {
					panic(p + " lacks " + old)
				}
				f.Data = []byte(strings.Replace(string(f.Data), old, new, 1))
			}
			out.Add(f)
		}
		return out
	}
}

func TestSamplePasses(t *testing.T) {
	tree, p, err := compiler.Compile(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := policy.Check(p, tree, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if err != nil || len(fs) != 0 {
		t.Fatalf("the sample breaks the policy: %v %v", fs, err)
	}
}

// TestEachCheckFires makes each check fire on a minimal bad tenant: through
// the tenant file where the schema lets a tenant break the rule, and by
// editing the generated object where only a broken generator could.
func TestEachCheckFires(t *testing.T) {
	svc := tenant("\tservices: web: {image: \"" + ecr + "web:1.0.0\", replicas: 2}")
	dep := "tenants/shop/app/base/deployment-web.yaml"
	for _, tc := range []struct {
		check, tenant string
		edit          func(*fstree.Tree) *fstree.Tree
		want          string
	}{
		{"registry", tenant("\tservices: web: image: \"ghcr.io/acme/web:1.0.0\""), nil, "tenants/shop.cue:4:24: error: [registry] Deployment/web: image ghcr.io/acme/web:1.0.0 is not from an allowed registry"},
		{"no-docker-hub", tenant("\tservices: web: image: \"nginx:1.27.0\""), nil, "error: [no-docker-hub] Deployment/web: image nginx:1.27.0 comes from Docker Hub"},
		{"immutable-tag", tenant("\tservices: web: image: \"" + ecr + "web:main\""), nil, "warning: [immutable-tag] Deployment/web: tag \"main\""},
		{"prod-replicas", tenant("\tservices: web: {image: \"" + ecr + "web:1.0.0\", replicas: 1}"), nil, "error: [prod-replicas] Deployment/web on prod: 1 replica in production"},
		{"prod-pdb", svc, replace("tenants/shop/app/base/poddisruptionbudget-web.yaml", "", ""), "error: [prod-pdb] Deployment/web on prod: no PodDisruptionBudget"},
		{"resources", svc, replace(dep, "limits:\n              cpu: 100m\n", "limits:\n"), "error: [resources] Deployment/web: container web sets no cpu limit"},
		{"probes", svc, replace(dep, "livenessProbe:", "x-livenessProbe:"), "error: [probes] Deployment/web: container web has no livenessProbe"},
		{"run-as-non-root", svc, replace(dep, "runAsNonRoot: true\n          volumeMounts", "runAsNonRoot: false\n          volumeMounts"), "error: [run-as-non-root] Deployment/web: container web may run as root"},
		{"read-only-root-filesystem", svc, replace(dep, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"), "error: [read-only-root-filesystem]"},
		{"no-privilege-escalation", svc, replace(dep, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"), "error: [no-privilege-escalation]"},
		{"no-host-namespaces", svc, replace(dep, "automountServiceAccountToken: false", "automountServiceAccountToken: false\n      hostNetwork: true"), "error: [no-host-namespaces] Deployment/web: hostNetwork is set"},
		{"no-host-path", svc, replace(dep, "emptyDir: {}", "hostPath: {path: /var/run}"), "warning: [no-host-path] Deployment/web: volume tmp mounts a path of the node"},
	} {
		t.Run(tc.check, func(t *testing.T) {
			fs := run(t, tc.tenant, "", tc.edit)
			if len(fs) != 1 || !strings.Contains(fs[0].String(), tc.want) {
				t.Errorf("findings %v\nwant one containing %q", fs, tc.want)
			}
		})
	}
	if fs := run(t, svc, "", nil); len(fs) != 0 {
		t.Errorf("a good tenant has findings: %v", fs)
	}
}

// TestImageSpellings reads every spelling of a Docker Hub image as Docker
// Hub, and compares images with the allowed registries as a registry reads
// them, not as strings.
func TestImageSpellings(t *testing.T) {
	for image, want := range map[string]string{
		"nginx:1.27.0":                                                   "no-docker-hub",
		"library/nginx:1.27.0":                                           "no-docker-hub",
		"acme/web:1.0.0":                                                 "no-docker-hub",
		"docker.io/library/nginx:1.27.0":                                 "no-docker-hub",
		"index.docker.io/acme/web:1.0.0":                                 "no-docker-hub",
		"registry-1.docker.io/acme/web:1.0.0":                            "no-docker-hub",
		"registry.hub.docker.com/library/nginx:1.27.0":                   "no-docker-hub",
		"docker.io:443/nginx:1.27.0":                                     "no-docker-hub",
		"index.docker.io:443/acme/web:1.0.0":                             "no-docker-hub",
		"ghcr.io/acme/web:1.0.0":                                         "registry",
		"111111111111.dkr.ecr.eu-west-1.amazonaws.com.evil.io/web:1.0.0": "registry",
		"localhost/web:1.0.0":                                            "registry",
		ecr + "web:1.0.0":                                                "",
		ecr + "team/web@sha256:" + strings.Repeat("a", 64):               "",
		strings.Replace(ecr, ".com/", ".com:443/", 1) + "web:1.0.0":      "",
	} {
		fs := run(t, tenant("\tservices: web: {image: \""+image+"\", replicas: 2}"), "", nil)
		var got []string
		for _, f := range fs {
			got = append(got, f.Check)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: got findings %v, want %q", image, fs, want)
		}
	}
}

// TestRegistryPrefix allows a registry's path prefix and nothing beside it.
func TestRegistryPrefix(t *testing.T) {
	fs := runWith(t, strings.Replace(settings, `registries: ["111111111111.dkr.ecr.eu-west-1.amazonaws.com"]`, `registries: ["ghcr.io/acme/"]`, 1),
		tenant("\tservices: {a: {image: \"ghcr.io/acme/a:1.0.0\", replicas: 2}, b: {image: \"ghcr.io/acme-evil/b:1.0.0\", replicas: 2}, c: {image: \"ghcr.io/acme:1.0.0\", replicas: 2}}"), "", nil)
	var got []string
	for _, f := range fs {
		got = append(got, f.Check+" "+f.Object)
	}
	if want := "registry Deployment/b registry Deployment/c"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", fs, want)
	}
}

// TestFindingsAtTheirField places a finding at the value that breaks the
// rule — replicas or autoscaling.min, as written for the service or
// overridden for the cluster, and the image — and at the workload when
// the value is the schema's.
func TestFindingsAtTheirField(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"replicas", "\tservices: web: {\n\t\timage: \"" + ecr + "web:1.0.0\"\n\t\treplicas: 1\n\t}", "tenants/shop.cue:6:13: error: [prod-replicas]"},
		{"override", "\tservices: web: {\n\t\timage: \"" + ecr + "web:1.0.0\"\n\t\treplicas: 3\n\t\toverrides: prod: replicas: 1\n\t}", "tenants/shop.cue:7:30: error: [prod-replicas]"},
		{"image", "\tservices: web: {\n\t\treplicas: 2\n\t\timage: \"ghcr.io/acme/web:1.0.0\"\n\t}", "tenants/shop.cue:6:10: error: [registry]"},
		{"autoscaling", "\tservices: web: {\n\t\timage: \"" + ecr + "web:1.0.0\"\n\t\tautoscaling: {min: 1, max: 4}\n\t}", "tenants/shop.cue:6:22: error: [prod-replicas] Deployment/web on prod: autoscaling.min 1 in production"},
		{"autoscaling override", "\tservices: web: {\n\t\timage: \"" + ecr + "web:1.0.0\"\n\t\tautoscaling: max: 4\n\t\toverrides: prod: autoscaling: min: 1\n\t}", "tenants/shop.cue:7:38: error: [prod-replicas]"},
	} {
		fs := run(t, tenant(tc.body), "", nil)
		if len(fs) != 1 || !strings.HasPrefix(fs[0].String(), tc.want) {
			t.Errorf("%s: got %v, want one finding starting %q", tc.name, fs, tc.want)
		}
	}
}

// TestExemption waives a check until a date: before it, the finding is a
// warning that says so; after it, the exemption itself is an error.
func TestExemption(t *testing.T) {
	bad := tenant(`	services: web: {image: "` + ecr + `web:1.0.0", replicas: 1}
	exemptions: "prod-replicas": {
		reason:  "a singleton until the leader election lands"
		expires: "2026-12-31"
	}`)
	fs := run(t, bad, "2026-12-01", nil)
	if len(fs) != 1 || fs[0].Severity != policy.Warning || !strings.Contains(fs[0].Message, "exempted until 2026-12-31: a singleton") {
		t.Errorf("before expiry: %v", fs)
	}
	fs = run(t, bad, "2027-01-01", nil)
	errs := policy.Errors(fs)
	if len(errs) != 1 || errs[0].Pos != (model.Pos{File: "tenants/shop.cue", Line: 7, Col: 12}) || !strings.Contains(errs[0].Message, "expired on 2026-12-31") {
		t.Errorf("after expiry: %v", fs)
	}
}

// TestManifestsChecked: a tenant's own object that runs pods is checked
// like a generated workload, at the object in the tenant file.
func TestManifestsChecked(t *testing.T) {
	body := "\tmanifests: [{\n\t\tapiVersion: \"apps/v1\"\n\t\tkind: \"Deployment\"\n\t\tmetadata: name: \"extra\"\n\t\tspec: template: spec: containers: [{name: \"x\", image: \"nginx:latest\"}]\n\t}]"
	fs := runWith(t, strings.Replace(settings, "platform: {", "platform: {\n\ttenantKinds: [\"apps/v1/Deployment\"]", 1), tenant(body), "", nil)
	var checks []string
	for _, f := range fs {
		if !strings.Contains(f.String(), "[") || !strings.Contains(f.String(), "Deployment/extra") || !strings.HasPrefix(f.String(), "tenants/shop.cue:6:9:") {
			t.Errorf("finding %s is not about Deployment/extra at its kind", f)
		}
		checks = append(checks, f.Check)
	}
	for _, want := range []string{"no-docker-hub", "probes", "resources", "run-as-non-root", "read-only-root-filesystem"} {
		if !slices.Contains(checks, want) {
			t.Errorf("no %s finding for the tenant's own Deployment: %v", want, checks)
		}
	}
}

// TestWorkerProbes: a worker needs a liveness probe, its command, and no
// readiness probe (it serves nothing); without one it is a "probes"
// finding, which the tenant may waive (a warning until the exemption
// expires).
func TestWorkerProbes(t *testing.T) {
	worker := func(more string) string {
		return tenant("\tservices: consumer: {kind: \"worker\", image: \"" + ecr + "consumer:1.0.0\", replicas: 2" + more + "}")
	}
	if fs := run(t, worker(`, probe: exec: ["/bin/healthcheck"]`), "", nil); len(fs) != 0 {
		t.Errorf("a worker with a probe has findings: %v", fs)
	}
	fs := run(t, worker(""), "", nil)
	if len(fs) != 1 || !strings.Contains(fs[0].String(), "error: [probes] Deployment/consumer: container consumer has no livenessProbe") {
		t.Errorf("a worker without a probe: findings %v", fs)
	}
	waived := strings.Replace(worker(""), "\tservices:", "\texemptions: probes: {reason: \"the queue library has no health command\", expires: \"2027-01-01\"}\n\tservices:", 1)
	if fs := run(t, waived, "2026-12-01", nil); len(fs) != 1 || !strings.Contains(fs[0].String(), "warning: [probes] Deployment/consumer: container consumer has no livenessProbe (exempted until 2027-01-01") {
		t.Errorf("a waived worker without a probe: findings %v, want one warning", fs)
	}
}
