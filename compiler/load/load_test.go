package load_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
)

const cluster = `clusters: c1: {
	environment: "prod"
	account:     "111111111111"
	region:      "ap-northeast-1"
	kubernetes: version: "1.33"
	dns: zone: "example.com"
}
`

const settings = `platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "ap-northeast-1"}
	environments: prod: {account: "111111111111", region: "ap-northeast-1"}
}
`

const metricsServer = `"metrics-server": {chart: {repo: "https://kubernetes-sigs.github.io/metrics-server/", name: "metrics-server"}, namespace: "kube-system"}`

// withAddons is the platform settings with the given add-ons, on line 6.
func withAddons(addons string) string {
	return strings.TrimSuffix(settings, "}\n") + "\taddons: " + addons + "\n}\n"
}

func platform(files ...string) fstest.MapFS {
	fsys := fstest.MapFS{
		"platform.cue":    {Data: []byte(settings)},
		"clusters/c1.cue": {Data: []byte(cluster)},
	}
	for i := 0; i+1 < len(files); i += 2 {
		fsys[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return fsys
}

func TestLoadSample(t *testing.T) {
	p, err := load.Load(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Clusters) < 3 || len(p.Tenants) < 5 {
		t.Fatalf("sample has %d clusters and %d tenants, want at least 3 and 5", len(p.Clusters), len(p.Tenants))
	}
	billing := p.Tenants[0]
	if billing.Name != "billing" || billing.Services[0].Replicas != 3 || billing.Services[0].On("stg-shared").Replicas != 1 {
		t.Errorf("billing: got %+v", billing.Services[0])
	}
	if got := billing.Pos.String(); got != "tenants/billing.cue:2:10" {
		t.Errorf("billing defined at %s, want tenants/billing.cue:2:10", got)
	}
}

// TestSampleInStandardSupport is the calendar's alarm, and the one test
// that reads the clock: it fails 90 days before a cluster of the sample
// platform leaves EKS standard support, so that the sample (the README's
// first command, the tutorials, the e2e) is moved to a newer version, with
// the docs, before a new user's first build warns about it.
func TestSampleInStandardSupport(t *testing.T) {
	const notice = 90 * 24 * time.Hour
	p, err := load.Load(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			end, err := time.Parse(time.DateOnly, p.Versions[g.Version].StandardSupportEnd)
			if err != nil {
				t.Fatalf("%s: %v", g.Name(), err)
			}
			if time.Now().Add(notice).After(end) {
				t.Errorf("sample cluster %s runs Kubernetes %s, whose EKS standard support ends on %s: move the sample (clusters/, their lock files, out/, the docs) to a newer version of schema/versions.cue", c.Name, g.Version, end.Format(time.DateOnly))
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	p, err := load.Load(platform("tenants/a.cue", `tenants: a: {
	owners: ["team-a"]
	clusters: ["c1"]
	services: web: image: "r.example.com/web:1.0"
	jobs: nightly: {image: "r.example.com/job:1.0", schedule: "0 1 * * *"}
}`))
	if err != nil {
		t.Fatal(err)
	}
	c, tn := p.Clusters[0], p.Tenants[0]
	if c.Tenancy != "shared" || c.CIDR != "10.0.0.0/16" {
		t.Errorf("cluster defaults: %+v", c)
	}
	s, j := tn.Services[0], tn.Jobs[0]
	if s.Replicas != 2 || s.Port != 8080 || s.CPU != "100m" || s.Memory != "128Mi" || s.Health != "/healthz" || s.Ingress != nil {
		t.Errorf("service defaults: %+v", s)
	}
	if j.TimeZone != "Etc/UTC" || j.Suspend {
		t.Errorf("job defaults: %+v", j)
	}
	if tn.Quota.Pods != 50 || tn.Quota.CPU != "8" {
		t.Errorf("quota defaults: %+v", tn.Quota)
	}
}

// TestErrors checks that each class of bad input is reported at the
// position, in the user's file, of what is wrong, with a message that says
// what to do.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string // one line per error, in order
	}{{
		name:  "syntax",
		files: []string{"tenants/a.cue", "tenants: a: {owners: [\"t\"]\n"},
		want:  []string{"tenants/a.cue:1:28: expected '}', found 'EOF'"},
	}, {
		name:  "wrong type",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", replicas: "3"}}`},
		want:  []string{`tenants/a.cue:1:87: tenants.a.services.x.replicas: replicas must be a number from 1 to 100`},
	}, {
		name:  "constraint",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:latest", port: 70000}}`},
		want: []string{
			`tenants/a.cue:1:68: tenants.a.services.x.image: image must be pinned by a tag or a digest`,
			`tenants/a.cue:1:88: tenants.a.services.x.port: port must be a number from 1 to 65535`,
		},
	}, {
		name:  "tagless image",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], jobs: x: {image: "registry:5000/x", schedule: "0 0 * *"}}`},
		want: []string{
			`tenants/a.cue:1:64: tenants.a.jobs.x.image: image must be pinned`,
			`tenants/a.cue:1:93: tenants.a.jobs.x.schedule: schedule must be a five-field cron expression`,
		},
	}, {
		name:  "unknown cluster",
		files: []string{"tenants/a.cue", "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\", \"c9\"]\n}"},
		want:  []string{`tenants/a.cue:3:19: tenants.a.clusters: unknown cluster "c9" (defined clusters: c1)`},
	}, {
		name:  "another tenant",
		files: []string{"tenants/a.cue", "tenants: a: {owners: [\"t\"], clusters: [\"c1\"]}\ntenants: b: {owners: [\"t\"], clusters: [\"c1\"]}"},
		want:  []string{`tenants/a.cue:2:10: tenants/a.cue may define only tenants: a; tenants: b is not allowed here`},
	}, {
		name:  "a cluster in a tenant file",
		files: []string{"tenants/a.cue", "tenants: a: {owners: [\"t\"], clusters: [\"c1\"]}\nclusters: c2: {}"},
		want:  []string{`tenants/a.cue:2:1: tenants/a.cue may define only tenants: a; the field clusters is not allowed here`},
	}, {
		name:  "import",
		files: []string{"tenants/a.cue", "import \"strings\"\ntenants: a: {owners: [strings.ToLower(\"T\")], clusters: [\"c1\"]}"},
		want:  []string{`tenants/a.cue:1:1: tenants/a.cue may define only tenants: a; an import is not allowed here`},
	}, {
		name:  "reference to another tenant",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: image: tenants.b.services.y.image}`},
		want:  []string{`tenants/a.cue:1:75: tenants.a.services.x.image: undefined field: b`},
	}, {
		name:  "reserved namespace",
		files: []string{"tenants/kube-system.cue", `tenants: "kube-system": {owners: ["t"], clusters: ["c1"]}`},
		want:  []string{`tenants/kube-system.cue:1:10: tenants."kube-system".name: a tenant name is a lowercase DNS name of at most 20 characters`},
	}, {
		name:  "secret value",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], secrets: db: keys: {DB_PASSWORD: "hunter2"}}`},
		want:  []string{`tenants/a.cue:1:66: tenants.a.secrets.db.keys: keys must be a non-empty list of distinct key names, e.g. ["DB_PASSWORD"]; secret values never appear in git`},
	}, {
		name:  "secret value field",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], secrets: db: {keys: ["DB"], value: "hunter2"}}`},
		want:  []string{`tenants/a.cue:1:75: tenants.a.secrets.db.value: field not allowed`},
	}, {
		name:  "undeclared secret",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", secrets: ["db"]}}`},
		want:  []string{`tenants/a.cue:1:87: tenants.a.services.x.secrets: secret "db" is not declared under tenants.a.secrets (declared: none)`},
	}, {
		name:  "bad service name",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: API: image: "r/x:1"}`},
		want:  []string{`tenants/a.cue:1:57: tenants.a.services.API.name: must be a lowercase DNS name`},
	}, {
		name: "dedicated cluster with two tenants",
		files: []string{
			"clusters/d.cue", strings.ReplaceAll(cluster, "c1: {", "d: {tenancy: \"dedicated\"\n"),
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["d"]}`,
			"tenants/b.cue", `tenants: b: {owners: ["t"], clusters: ["c1", "d"]}`,
		},
		want: []string{
			`tenants/a.cue:1:40: tenants.a.clusters: cluster "d" is dedicated and accepts exactly one tenant, but a, b are placed on it`,
			`tenants/b.cue:1:46: tenants.b.clusters: cluster "d" is dedicated and accepts exactly one tenant, but a, b are placed on it`,
		},
	}, {
		name:  "override for a cluster the tenant is not on",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", overrides: c2: replicas: 1}}`},
		want:  []string{`tenants/a.cue:1:88: tenants.a.services.x.overrides: override for cluster "c2", where the tenant is not placed (clusters: c1)`},
	}, {
		name:  "host outside the zone",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "a.example.org"}}`},
		want:  []string{`tenants/a.cue:1:92: tenants.a.services.x.ingress.host: host "a.example.org" is not in the DNS zone "example.com" of cluster "c1"`},
	}, {
		name:  "host among a generation's own names",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "shop.c1-1-40.example.com"}}`},
		want:  []string{`tenants/a.cue:1:92: tenants.a.services.x.ingress.host: host "shop.c1-1-40.example.com" is under c1-1-40.example.com, where external-dns in cluster "c1"'s generations writes their load balancers' names`},
	}, {
		name: "host among another cluster's generations' names",
		files: []string{
			"clusters/c2.cue", strings.ReplaceAll(cluster, "c1", "c2"),
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "a.c2-1-33.example.com"}}`,
		},
		want: []string{`tenants/a.cue:1:92: tenants.a.services.x.ingress.host: host "a.c2-1-33.example.com" is under c2-1-33.example.com, where external-dns in cluster "c2"'s generations writes`},
	}, {
		name:  "a worker with an ingress",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {kind: "worker", image: "r/x:1", ingress: host: "a.example.com"}}`},
		want:  []string{`tenants/a.cue:1:102: tenants.a.services.x.ingress: a worker serves no HTTP and has no ingress: remove ingress, or make the service kind: "web"`},
	}, {
		name:  "a probe on a web service",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", probe: exec: ["/bin/ok"]}}`},
		want:  []string{`tenants/a.cue:1:84: tenants.a.services.x.probe: probe is for workers: a web service is probed over HTTP on health`},
	}, {
		name:  "an empty probe command",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {kind: "worker", image: "r/x:1", probe: exec: []}}`},
		want:  []string{`tenants/a.cue:1:106: tenants.a.services.x.probe.exec: probe.exec must be a command`},
	}, {
		name:  "an unknown kind of service",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {kind: "daemon", image: "r/x:1"}}`},
		want:  []string{`tenants/a.cue:1:67: tenants.a.services.x.kind: kind must be "web" or "worker"`},
	}, {
		name:  "replicas beside autoscaling",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", replicas: 3, autoscaling: max: 5}}`},
		want:  []string{`tenants/a.cue:1:87: tenants.a.services.x.replicas: replicas and autoscaling exclude each other`},
	}, {
		name:  "autoscaling bounds that cross",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", autoscaling: {min: 4, max: 3}}}`},
		want:  []string{`tenants/a.cue:1:104: tenants.a.services.x.autoscaling.max: autoscaling.max (3) is less than autoscaling.min (4)`},
	}, {
		name:  "autoscaling bounds that cross on one cluster",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", autoscaling: max: 3, overrides: c1: autoscaling: min: 5}}`},
		want:  []string{`tenants/a.cue:1:131: tenants.a.services.x.overrides.c1.autoscaling.min: on cluster c1, autoscaling.max (3) is less than autoscaling.min (5)`},
	}, {
		name:  "autoscaling on too little CPU",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", autoscaling: cpu: 5}}`},
		want:  []string{`tenants/a.cue:1:95: tenants.a.services.x.autoscaling.cpu: autoscaling.cpu must be a target CPU use from 10 to 100`},
	}, {
		name:  "an override of autoscaling that is not there",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", overrides: c1: autoscaling: max: 3}}`},
		want:  []string{`tenants/a.cue:1:105: tenants.a.services.x.overrides.c1.autoscaling: there is no autoscaling to override`},
	}, {
		name:  "an override of replicas of an autoscaled service",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", autoscaling: max: 3, overrides: c1: replicas: 2}}`},
		want:  []string{`tenants/a.cue:1:123: tenants.a.services.x.overrides.c1.replicas: an autoscaled service has no replicas to override`},
	}, {
		name:  "a file in /tmp",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", files: "/tmp/x.conf": "a"}}`},
		want:  []string{`tenants/a.cue:1:99: tenants.a.services.x.files."/tmp/x.conf": /tmp is the workload's writable folder`},
	}, {
		name:  "a relative file path",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], jobs: x: {image: "r/x:1", schedule: "0 * * * *", files: "etc/../x": "a"}}`},
		want:  []string{`tenants/a.cue:1:115: tenants.a.jobs.x.files."etc/../x": a file's path must be absolute`},
	}, {
		name:  "a file under another",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", files: {"/etc/a": "a", "/etc/a/b": "b"}}}`},
		want:  []string{`tenants/a.cue:1:100: tenants.a.services.x.files."/etc/a/b": /etc/a is a file of this workload: nothing can be mounted under it`},
	}, {
		name:  "files that share a key",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", files: {"/etc/a/b": "a", "/etc/a_b": "b"}}}`},
		want:  []string{`tenants/a.cue:1:102: tenants.a.services.x.files."/etc/a_b": /etc/a/b and /etc/a_b would have the same key "etc_a_b"`},
	}, {
		name:  "files too large for a ConfigMap",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", files: {"/etc/a": "` + strings.Repeat("x", 130000) + `", "/etc/b": "` + strings.Repeat("x", 130000) + `"}}}`},
		want:  []string{`tenants/a.cue:1:85: tenants.a.services.x.files: the files take 260023 bytes in their ConfigMap, more than 250000`},
	}, {
		name: "another tenant's bucket",
		files: []string{
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", aws: s3: "a-b-logs": "read"}}`,
			"tenants/a-b.cue", `tenants: "a-b": {owners: ["t"], clusters: ["c1"]}`,
		},
		want: []string{`tenants/a.cue:1:86: tenants.a.services.x.aws.s3."a-b-logs": s3 "a-b-logs" is tenant a-b's: a tenant names only resources beginning with "a-"`},
	}, {
		name:  "a queue of no tenant, not granted",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], jobs: x: {image: "r/x:1", schedule: "0 * * * *", aws: sqs: "events": "send"}}`},
		want:  []string{`tenants/a.cue:1:106: tenants.a.jobs.x.aws.sqs.events: sqs "events" is no tenant's: a tenant names only resources beginning with "a-", or those platform.cue grants it (grants: sqs: "events": ["a"])`},
	}, {
		name:  "a bad access level",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", aws: dynamodb: "a-t": "admin"}}`},
		want:  []string{`tenants/a.cue:1:99: tenants.a.services.x.aws.dynamodb."a-t": a DynamoDB access is "read" or "write"`},
	}, {
		name:  "a bucket name S3 refuses",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", aws: s3: "a-Logs": "read"}}`},
		want:  []string{`tenants/a.cue:1:96: tenants.a.services.x.aws.s3."a-Logs": an S3 bucket name is 3 to 63 lowercase letters`},
	}, {
		name:  "a manifest of a kind the platform does not list",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [{apiVersion: "v1", kind: "ConfigMap", metadata: name: "flags"}]}`},
		want:  []string{`tenants/a.cue:1:84: tenants.a.manifests[0].kind: v1/ConfigMap is not a kind tenants may add: platform.cue lists them (tenantKinds: none)`},
	}, {
		name:  "a manifest of a platform-owned kind",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [{apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: name: "open"}]}`},
		want:  []string{`tenants/a.cue:1:102: tenants.a.manifests[0].kind: networking.k8s.io/v1/NetworkPolicy is refused: the platform sets this kind in every tenant namespace`},
	}, {
		name:  "a Secret in manifests",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [{apiVersion: "v1", kind: "Secret", metadata: name: "db"}]}`},
		want:  []string{`tenants/a.cue:1:84: tenants.a.manifests[0].kind: v1/Secret is refused: a Secret in git holds its values`},
	}, {
		name:  "a manifest in another namespace",
		files: []string{"platform.cue", strings.Replace(settings, "platform: {", "platform: {\n\ttenantKinds: [\"v1/ConfigMap\"]", 1), "tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [` + "{apiVersion: \"v1\", kind: \"ConfigMap\", metadata: {name: \"flags\", namespace: \"b\"}}" + `]}`},
		want:  []string{`tenants/a.cue:1:134: tenants.a.manifests[0].metadata.namespace: namespace "b": a tenant's objects live in its own namespace, "a" (leave namespace out)`},
	}, {
		name:  "a ServiceAccount with an IAM role in manifests",
		files: []string{"platform.cue", strings.Replace(settings, "platform: {", "platform: {\n\ttenantKinds: [\"v1/ServiceAccount\"]", 1), "tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [{apiVersion: "v1", kind: "ServiceAccount", metadata: {name: "x", annotations: "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/admin"}}]}`},
		want:  []string{`tenants/a.cue:1:137: tenants.a.manifests[0].metadata.annotations: a ServiceAccount with an IAM role is the platform's to make`},
	}, {
		name:  "a manifest named as a generated object",
		files: []string{"platform.cue", strings.Replace(settings, "platform: {", "platform: {\n\ttenantKinds: [\"v1/ServiceAccount\"]", 1), "tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], manifests: [{apiVersion: "v1", kind: "ServiceAccount", metadata: name: "secrets-reader"}]}`},
		want:  []string{`tenants/a.cue:1:118: tenants.a.manifests[0].metadata.name: ServiceAccount/secrets-reader is also what platformc makes for the tenant's SecretStore`},
	}, {
		name:  "a platform-owned kind in tenantKinds",
		files: []string{"platform.cue", strings.Replace(settings, "platform: {", "platform: {\n\ttenantKinds: [\"rbac.authorization.k8s.io/v1/RoleBinding\"]", 1)},
		want:  []string{`platform.cue:2:16: platform.tenantKinds: rbac.authorization.k8s.io/v1/RoleBinding: the platform sets this kind`},
	}, {
		name: "host taken by another tenant",
		files: []string{
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "a.example.com"}}`,
			"tenants/b.cue", `tenants: b: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "a.example.com"}}`,
		},
		want: []string{`tenants/b.cue:1:92: tenants.b.services.x.ingress.host: host "a.example.com" belongs to tenant "a" (tenants/a.cue:1:92, on cluster "c1")`},
	}, {
		// Both clusters get a weighted record for the host: the second
		// tenant would take half of the first one's traffic.
		name: "host taken by another tenant on another cluster",
		files: []string{
			"clusters/c2.cue", strings.ReplaceAll(cluster, "c1", "c2"),
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", ingress: host: "a.example.com"}}`,
			"tenants/b.cue", `tenants: b: {owners: ["t"], clusters: ["c2"], services: x: {image: "r/x:1", ingress: host: "a.example.com"}}`,
		},
		want: []string{`tenants/b.cue:1:92: tenants.b.services.x.ingress.host: host "a.example.com" belongs to tenant "a" (tenants/a.cue:1:92, on cluster "c1"): a host is served by one tenant across the whole platform`},
	}, {
		name:  "service and job with one name",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: x: image: "r/x:1", jobs: x: {image: "r/x:1", schedule: "0 0 * * *"}}`},
		want:  []string{`tenants/a.cue:1:82: tenants.a.jobs.x: a service is also named "x"`},
	}, {
		name:  "cluster file defines another cluster",
		files: []string{"clusters/c2.cue", `clusters: c3: {}`},
		want:  []string{`clusters/c2.cue:1:11: clusters/c2.cue may define only clusters: c2; clusters: c3 is not allowed here`},
	}, {
		name:  "bad cluster fields",
		files: []string{"clusters/c2.cue", "clusters: c2: {\n\tenvironment: \"prod\"\n\taccount: 1234\n\tregion: \"mars-1\"\n\tkubernetes: version: 1.33\n\ttenancy: \"single\"\n\tdns: zone: \"example.com\"\n}"},
		want: []string{
			`clusters/c2.cue:3:11: clusters.c2.account: account must be a 12-digit AWS account ID in quotes`,
			`clusters/c2.cue:4:10: clusters.c2.region: region must be an AWS region`,
			`clusters/c2.cue:5:23: clusters.c2.kubernetes.version: kubernetes version must be a minor version in quotes`,
			`clusters/c2.cue:6:11: clusters.c2.tenancy: tenancy must be "shared" or "dedicated"`,
		},
	}, {
		name:  "undeclared environment",
		files: []string{"clusters/c2.cue", strings.ReplaceAll(strings.ReplaceAll(cluster, "c1", "c2"), `"prod"`, `"qa"`)},
		want:  []string{`clusters/c2.cue:2:15: clusters.c2.environment: environment "qa" is not declared in platform.cue under platform.environments (declared: prod)`},
	}, {
		name:  "platform file defines a tenant",
		files: []string{"platform.cue", settings + "tenants: x: {}\n"},
		want:  []string{`platform.cue:7:1: platform.cue may define only platform; the field tenants is not allowed here`},
	}, {
		name:  "bad platform settings",
		files: []string{"platform.cue", strings.ReplaceAll(settings, "https://git.example.com", "ftp://x")},
		want:  []string{`platform.cue:3:13: platform.repo.url: repo.url must be an https:// or ssh git URL`},
	}, {
		name:  "a broken cluster is not also unknown",
		files: []string{"clusters/c2.cue", "clusters: c2: {account: 1}", "tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c2"]}`},
		want:  []string{`clusters/c2.cue:1:25: clusters.c2.account: account must be a 12-digit AWS account ID`},
	}, {
		name:  "version missing from the versions table",
		files: []string{"clusters/c2.cue", strings.ReplaceAll(strings.ReplaceAll(cluster, "c1", "c2"), `"1.33"`, `"1.19"`)},
		want:  []string{`clusters/c2.cue:5:23: clusters.c2.kubernetes.version: no row for this version in the EKS versions table (schema/versions.cue); known versions: 1.31, 1.32, 1.33, 1.34, 1.35`},
	}, {
		name:  "cluster outside its environment's account",
		files: []string{"clusters/c2.cue", strings.ReplaceAll(strings.ReplaceAll(cluster, "c1", "c2"), "111111111111", "999999999999")},
		want:  []string{`clusters/c2.cue:3:15: clusters.c2.account: account 999999999999 is not the account of environment "prod"`},
	}, {
		name:  "add-on without a chart version for the cluster's Kubernetes version",
		files: []string{"platform.cue", withAddons(`foo: {chart: {repo: "https://charts.example.com", name: "foo"}, namespace: "foo"}`)},
		want:  []string{`clusters/c1.cue:5:23: clusters.c1.kubernetes.version: add-on "foo" (platform.cue:6:10) has no chart version for Kubernetes 1.33: add one under versions."1.33".charts in schema/versions.cue, or choose a version that lists it (none)`},
	}, {
		name: "cluster opts out of an add-on installed everywhere",
		files: []string{"platform.cue", withAddons(metricsServer),
			"clusters/c1.cue", strings.Replace(cluster, "dns:", "addons: \"metrics-server\": false\n\tdns:", 1)},
		want: []string{`clusters/c1.cue:6:10: clusters.c1.addons."metrics-server": add-on "metrics-server" is installed on every cluster (install: "always" at platform.cue:6:10); only "default" and "opt-in" add-ons can be chosen`},
	}, {
		name:  "cluster names an unknown add-on",
		files: []string{"platform.cue", withAddons(metricsServer), "clusters/c1.cue", strings.Replace(cluster, "dns:", "addons: karpenter: true\n\tdns:", 1)},
		want:  []string{`clusters/c1.cue:6:10: clusters.c1.addons.karpenter: no add-on is named "karpenter" in platform.cue (add-ons: metrics-server)`},
	}, {
		name: "cluster opts in to an add-on of another capacity mode",
		files: []string{"platform.cue", withAddons(`karpenter: {chart: {repo: "oci://public.ecr.aws/karpenter", name: "karpenter"}, namespace: "kube-system", install: "opt-in", capacity: ["karpenter"]}`),
			"clusters/c1.cue", strings.Replace(cluster, "dns:", "addons: karpenter: true\n\tdns:", 1)},
		want: []string{`clusters/c1.cue:6:10: clusters.c1.addons.karpenter: add-on "karpenter" runs only on clusters with capacity.mode karpenter, and this cluster's is "auto"`},
	}, {
		name:  "tenant takes an add-on's namespace",
		files: []string{"platform.cue", withAddons(strings.Replace(metricsServer, `"kube-system"`, `"observability"`, 1)), "tenants/observability.cue", `tenants: observability: {owners: ["t"], clusters: ["c1"]}`},
		want:  []string{`tenants/observability.cue:1:10: tenants.observability: namespace "observability" belongs to the platform's add-on "metrics-server" (platform.cue:6:10): choose another tenant name`},
	}, {
		name:  "platform values set what platformc sets",
		files: []string{"platform.cue", withAddons(`"external-dns": {chart: {repo: "https://kubernetes-sigs.github.io/external-dns/", name: "external-dns"}, namespace: "external-dns", aws: "external-dns", values: {txtOwnerId: "mine", sources: ["ingress"]}}`)},
		want:  []string{`platform.cue:6:163: platform.addons."external-dns".values: values.txtOwnerId is set by platformc for aws: "external-dns"; remove it here`},
	}, {
		name:  "add-on chart from a plain http repository",
		files: []string{"platform.cue", withAddons(strings.Replace(metricsServer, "https://", "http://", 1))},
		want:  []string{`platform.cue:6:43: platform.addons."metrics-server".chart.repo: chart.repo must be an https:// Helm repository or an oci:// registry path`},
	}, {
		// Argo CD would hold two Applications "aws-for-fluent-bit-c1-1-33".
		name:  "tenant named like an add-on",
		files: []string{"platform.cue", withAddons(`"aws-for-fluent-bit": {chart: {repo: "https://aws.github.io/eks-charts", name: "aws-for-fluent-bit"}, namespace: "amazon-cloudwatch"}`), "tenants/aws-for-fluent-bit.cue", `tenants: "aws-for-fluent-bit": {owners: ["t"], clusters: ["c1"]}`},
		want:  []string{`tenants/aws-for-fluent-bit.cue:1:10: tenants."aws-for-fluent-bit": the Argo CD Application "aws-for-fluent-bit-c1-1-33" of tenant "aws-for-fluent-bit" is also the Application of add-on "aws-for-fluent-bit" (platform.cue:6:10): rename one of them`},
	}, {
		name:  "add-on named like another add-on's configuration",
		files: []string{"platform.cue", withAddons(`{karpenter: {chart: {repo: "oci://public.ecr.aws/karpenter", name: "karpenter"}, namespace: "kube-system", aws: "karpenter", install: "opt-in", capacity: ["karpenter"]}, "karpenter-config": {chart: {repo: "https://charts.example.com", name: "x"}, namespace: "x", install: "opt-in"}}`)},
		want:  []string{`platform.cue:6:180: platform.addons."karpenter-config": the Argo CD ApplicationSet "addon-karpenter-config" of add-on "karpenter-config" is also the ApplicationSet of add-on "karpenter" (platform.cue:6:11): rename one of them`},
	}, {
		// Tenant "a" on cluster "b-c1" and tenant "a-b" on cluster "c1"
		// both make "a-b-c1-1-33".
		name: "tenant and cluster names that join to another's",
		files: []string{"clusters/b-c1.cue", strings.ReplaceAll(cluster, "c1", "\"b-c1\""),
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["b-c1"]}`,
			"tenants/a-b.cue", `tenants: "a-b": {owners: ["t"], clusters: ["c1"]}`},
		want: []string{`tenants/a.cue:1:10: tenants.a: the Argo CD Application "a-b-c1-1-33" of tenant "a" is also the Application of tenant "a-b" (tenants/a-b.cue:1:10): rename one of them`},
	}, {
		name:  "tenant named like the platform's Applications",
		files: []string{"tenants/namespaces.cue", `tenants: namespaces: {owners: ["t"], clusters: ["c1"]}`},
		want:  []string{`tenants/namespaces.cue:1:10: tenants.namespaces.name: a tenant name is a lowercase DNS name`},
	}, {
		name:  "tenant named like an add-on's ApplicationSet",
		files: []string{"tenants/addon-x.cue", `tenants: "addon-x": {owners: ["t"], clusters: ["c1"]}`},
		want:  []string{`tenants/addon-x.cue:1:10: tenants."addon-x".name: a tenant name is a lowercase DNS name`},
	}, {
		name:  "service named like the platform's service account",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], services: "` + naming.SecretsServiceAccount + `": image: "r/x:1"}`},
		want:  []string{`tenants/a.cue:1:57: tenants.a.services."` + naming.SecretsServiceAccount + `".name: must be a lowercase DNS name of at most 40 characters`},
	}, {
		name:  "tenant waives a check that confines it",
		files: []string{"tenants/a.cue", "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\"]\n\texemptions: \"no-docker-hub\": {reason: \"we pull from Docker Hub\", expires: \"2099-01-01\"}\n}"},
		want:  []string{`tenants/a.cue:4:14: tenants.a.exemptions."no-docker-hub": a tenant may not waive no-docker-hub: the platform team decides (platform.cue: policy.waivable: immutable-tag, probes, prod-pdb, prod-replicas, read-only-root-filesystem, resources)`},
	}, {
		name:  "egress to everything",
		files: []string{"tenants/a.cue", "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\"]\n\tnetwork: egress: [\"10.0.5.0/24\", \"0.0.0.0/0\", \"10.0.0.0/8\", \"10.0.0.0/16\", \"10.0.5.1/24\", \"192.168.0.0/16\"]\n}"},
		want: []string{
			`tenants/a.cue:4:35: tenants.a.network.egress: egress "0.0.0.0/0" covers the whole VPC 10.0.0.0/16 of cluster "c1", where the pods of every tenant run`,
			`tenants/a.cue:4:48: tenants.a.network.egress: egress "10.0.0.0/8" covers the whole VPC 10.0.0.0/16 of cluster "c1"`,
			`tenants/a.cue:4:62: tenants.a.network.egress: egress "10.0.0.0/16" covers the whole VPC 10.0.0.0/16 of cluster "c1"`,
			`tenants/a.cue:4:77: tenants.a.network.egress: egress "10.0.5.1/24" has bits set past its /24: write the range as "10.0.5.0/24"`,
		},
	}, {
		name:  "egress that is no address range",
		files: []string{"tenants/a.cue", "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\"]\n\tnetwork: egress: [\"999.0.0.0/8\"]\n}"},
		want:  []string{`tenants/a.cue:4:20: tenants.a.network.egress.0: must be an IPv4 CIDR such as "10.0.0.0/16"`},
	}, {
		name:  "empty file",
		files: []string{"tenants/a.cue", "// nothing yet\n"},
		want:  []string{`tenants/a.cue:1:1: tenants/a.cue must define tenants: a`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load.Load(platform(tc.files...))
			var errs diag.List
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want diag.List", err)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, w := range tc.want {
				if got := errs[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("error %d:\n got %s\nwant %s...", i, got, w)
				}
			}
		})
	}
}

func TestNoClusters(t *testing.T) {
	_, err := load.Load(fstest.MapFS{"platform.cue": {Data: []byte(settings)}})
	if err == nil || !strings.Contains(err.Error(), "no clusters found") {
		t.Fatalf("got %v, want no clusters found", err)
	}
}

func TestNoPlatformFile(t *testing.T) {
	_, err := load.Load(fstest.MapFS{"clusters/c1.cue": {Data: []byte(cluster)}})
	if err == nil || !strings.HasPrefix(err.Error(), "platform.cue: not found") {
		t.Fatalf("got %v, want platform.cue: not found", err)
	}
}

// TestErrorsSorted checks that every error of every file is reported at
// once, in file and line order.
// TestHostOnTwoClusters: a tenant may serve its own host from each of its
// clusters (a weighted record each).
func TestHostOnTwoClusters(t *testing.T) {
	_, err := load.Load(platform(
		"clusters/c2.cue", strings.ReplaceAll(cluster, "c1", "c2"),
		"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1", "c2"], services: x: {image: "r/x:1", ingress: host: "a.example.com"}}`,
	))
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorsSorted(t *testing.T) {
	_, err := load.Load(platform(
		"tenants/b.cue", `tenants: b: {owners: ["t"], clusters: ["nope"]}`,
		"tenants/a.cue", "tenants: a: {\n\towners: []\n\tclusters: [\"c1\"]\n\tquota: pods: 0\n}",
	))
	want := []string{
		"tenants/a.cue:2:10: tenants.a.owners: owners must be a non-empty list",
		"tenants/a.cue:4:15: tenants.a.quota.pods: quota.pods must be a number from 1 to 500",
		`tenants/b.cue:1:40: tenants.b.clusters: unknown cluster "nope"`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got\n%v\nwant %d errors", err, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s...", i, lines[i], want[i])
		}
	}
}

// TestGenerations walks the lock file and cluster file combinations of a
// blue/green upgrade.
func TestGenerations(t *testing.T) {
	withVersion := func(v, extra string) string {
		return strings.Replace(strings.Replace(cluster, `"1.33"`, `"`+v+`"`, 1), "}\n", extra+"}\n", 1)
	}
	for _, tc := range []struct {
		name, lock, cluster string
		want                string // version:weight:jobs per generation, or an error's start
	}{
		{"first build", "", withVersion("1.33", ""), "1.33:100:true"},
		{"bump", `["1.33"]`, withVersion("1.34", ""), "1.33:100:true:blue 1.34:0:false:green"},
		{"traffic", `["1.33", "1.34"]`, withVersion("1.34", "upgrade: traffic: 51\n"), "1.33:49:false:blue 1.34:51:true:green"},
		{"half", `["1.33", "1.34"]`, withVersion("1.34", "upgrade: traffic: 50\n"), "1.33:50:true:blue 1.34:50:false:green"},
		{"retire", `["1.33", "1.34"]`, withVersion("1.34", "upgrade: {traffic: 100, retire: true}\n"), "1.33:0:false:retiring 1.34:100:true:green"},
		{"retiring again", `["1.33", "1.34"], "retiring": "1.33"`, withVersion("1.34", "upgrade: {traffic: 100, retire: true}\n"), "1.33:0:false:retiring 1.34:100:true:green"},
		{"retired", `["1.33", "1.34"], "retiring": "1.33"`, withVersion("1.34", ""), "1.34:100:true"},
		{"no way back from retiring", `["1.33", "1.34"], "retiring": "1.33"`, withVersion("1.34", "upgrade: traffic: 90\n"), "clusters/c1.cue:7:10: clusters.c1.upgrade.retire: the 1.33 generation of c1 is being retired"},
		{"retiring keeps the version", `["1.33", "1.34"], "retiring": "1.33"`, withVersion("1.33", ""), "clusters/c1.cue:5:23: clusters.c1.kubernetes.version: the 1.33 generation of c1 is being retired and 1.34 stays"},
		{"abandon", `["1.33", "1.34"]`, withVersion("1.33", "upgrade: retire: true\n"), "1.33:100:true:blue 1.34:0:false:retiring"},
		{"abandoned", `["1.33", "1.34"], "retiring": "1.34"`, withVersion("1.33", ""), "1.33:100:true"},
		{"abandon without draining", `["1.33", "1.34"]`, withVersion("1.33", ""), "clusters/c1.cue:5:23: clusters.c1.kubernetes.version: abandoning the upgrade of c1 to 1.34 drains c1-1-34 first"},
		{"abandon with traffic", `["1.33", "1.34"]`, withVersion("1.33", "upgrade: {traffic: 10, retire: true}\n"), "clusters/c1.cue:7:20: clusters.c1.upgrade.traffic: refused: abandoning the upgrade of c1 to 1.34"},
		{"traffic before green exists", `["1.33"]`, withVersion("1.34", "upgrade: traffic: 10\n"), "clusters/c1.cue:7:19: clusters.c1.upgrade.traffic: the 1.34 generation of c1 does not exist yet"},
		{"downgrade", `["1.34"]`, withVersion("1.33", ""), "clusters/c1.cue:5:23: clusters.c1.kubernetes.version: c1 runs 1.34; moving back to 1.33 is not an upgrade"},
		{"retire the only one", `["1.33"]`, withVersion("1.34", "upgrade: retire: true\n"), "clusters/c1.cue:7:18: clusters.c1.upgrade.retire: 1.33 carries all traffic of c1"},
		{"retiring what is not locked", `["1.33", "1.34"], "retiring": "1.32"`, withVersion("1.34", ""), "clusters/c1.lock.json:1:1: unreadable: the retiring generation \"1.32\" must be one of two generations listed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := platform("clusters/c1.cue", tc.cluster)
			if tc.lock != "" {
				fsys["clusters/c1.lock.json"] = &fstest.MapFile{Data: []byte(`{"generations": ` + tc.lock + `}`)}
				defer func() {
					// What build writes back is read the same way: a fixed point.
					if p, err := load.Load(fsys); err == nil {
						locks, _ := load.Locks(p)
						fsys["clusters/c1.lock.json"] = &fstest.MapFile{Data: locks["clusters/c1.lock.json"]}
						again, err := load.Load(fsys)
						if err != nil || describe(again) != describe(p) {
							t.Errorf("building again from the lock it writes: %v", err)
						}
					}
				}()
			}
			p, err := load.Load(fsys)
			var got string
			if err != nil {
				got = err.Error()
			} else {
				got = describe(p)
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// describe lists the first cluster's generations as version:weight:jobs,
// and :role during an upgrade.
func describe(p *model.Platform) string {
	var parts []string
	for _, g := range p.Clusters[0].Generations() {
		part := fmt.Sprintf("%s:%d:%t", g.Version, g.Weight, g.RunsJobs)
		if g.Role != "" {
			part += ":" + string(g.Role)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " ")
}

// TestSupportWindows checks the EKS support dates against an injected day.
func TestSupportWindows(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	p, err := load.Load(platform(), load.Today(day("2026-08-01")))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].String(), "clusters/c1.cue:5:23: warning: EKS standard support for 1.33 ended on 2026-07-29") {
		t.Errorf("warnings: %v", p.Warnings)
	}
	if _, err := load.Load(platform(), load.Today(day("2027-07-30"))); err == nil || !strings.Contains(err.Error(), "EKS extended support for 1.33 ended on 2027-07-29") {
		t.Errorf("past extended support: %v", err)
	}
	if p, err := load.Load(platform(), load.Today(day("2026-01-01"))); err != nil || len(p.Warnings) != 0 {
		t.Errorf("within standard support: %v %v", p, err)
	}
}

// TestPlatformDecidesWaivable lets the platform team, and only it, open a
// check to exemptions.
func TestPlatformDecidesWaivable(t *testing.T) {
	exempt := "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\"]\n\texemptions: \"no-docker-hub\": {reason: \"a mirror is on its way\", expires: \"2099-01-01\"}\n}"
	p, err := load.Load(platform(
		"platform.cue", strings.Replace(settings, "}\n}\n", "}\n\tpolicy: waivable: [\"no-docker-hub\"]\n}\n", 1),
		"tenants/a.cue", exempt,
	))
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Config.Policy.Waivable; len(w) != 1 || w[0] != "no-docker-hub" {
		t.Errorf("waivable: got %v", w)
	}
}

// TestFilesNotRead reports, rather than skips, what looks like a tenant
// file but would not be read, and never reads a .cue file through a
// symlink; hidden files and "_" files are skipped, as the cue tool does.
func TestFilesNotRead(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(t.TempDir(), "x.cue")
	for name, text := range map[string]string{
		"platform.cue":          settings,
		"clusters/c1.cue":       cluster,
		"clusters/c1.lock.json": `{"generations": ["1.33"]}`,
		"tenants/a.yaml":        "tenants: a: owners: [t]\n",
		"tenants/b.CUE":         `tenants: b: {owners: ["t"], clusters: ["c1"]}`,
		"tenants/.d.cue":        "not cue, and not read",
		"tenants/_e.cue":        "not cue, and not read",
		"tenants/README.md":     "# Tenants\n",
		outside:                 `tenants: c: {owners: ["t"], clusters: ["c1"]}`,
	} {
		file := name
		if !filepath.IsAbs(name) {
			file = filepath.Join(root, name)
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "tenants/c.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := load.Load(os.DirFS(root))
	want := []string{
		"tenants/a.yaml:1:1: not read: tenants holds one file <name>.cue per tenant; rename it a.cue",
		"tenants/b.CUE:1:1: not read: tenants holds one file <name>.cue per tenant; rename it b.cue",
		"tenants/c.cue:1:1: not read: it is a symlink, and platformc reads only the repository's own files; put the file itself here",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}

	platformFile := filepath.Join(root, "platform.cue")
	if err := errors.Join(os.Rename(platformFile, outside+".platform"), os.Symlink(outside+".platform", platformFile)); err != nil {
		t.Fatal(err)
	}
	_, err = load.Load(os.DirFS(root))
	if want := "platform.cue:1:1: not read: it is not a regular file"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("platform.cue a symlink: got %v, want %s...", err, want)
	}
}

// TestBounds refuses, before evaluating it, a file past the size and
// field limits, and a workload whose environment or command is past
// theirs, each at a position.
func TestBounds(t *testing.T) {
	head := "tenants: a: {\n\towners: [\"t\"]\n\tclusters: [\"c1\"]\n"
	var fields strings.Builder
	for i := range load.MaxSourceFields {
		fmt.Fprintf(&fields, "\t_f%d: 1\n", i)
	}
	var env strings.Builder
	for i := range load.MaxEnv + 1 {
		fmt.Fprintf(&env, "V%d: \"x\", ", i)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"size", head + "\t// " + strings.Repeat("x", load.MaxSourceBytes) + "\n}\n", "tenants/a.cue:1:1: more than 1024 KiB: a source file holds at most that much"},
		// tenants, a, owners and clusters, then one field a line from line 4.
		{"fields", head + fields.String() + "}\n", fmt.Sprintf("tenants/a.cue:%d:2: more than %d fields", load.MaxSourceFields, load.MaxSourceFields)},
		{"env count", head + "\tservices: api: {image: \"r/x:1\", env: {" + env.String() + "}}\n}\n", "tenants/a.cue:4:12: tenants.a.services.api.env: 201 variables: env holds at most 200"},
		{"env value", head + "\tservices: api: {image: \"r/x:1\", env: V: \"" + strings.Repeat("x", load.MaxEnvValue+1) + "\"}\n}\n", "tenants/a.cue:4:12: tenants.a.services.api.env.V: a value of 32769 bytes: an environment variable holds at most 32 KiB"},
		{"args", head + "\tjobs: j: {image: \"r/x:1\", schedule: \"0 0 * * *\", args: [\"" + strings.Repeat("x", load.MaxArgLength+1) + "\"]}\n}\n", "tenants/a.cue:4:8: tenants.a.jobs.j.args[0]: a word of 4097 bytes: a word holds at most 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load.Load(platform("tenants/a.cue", tc.file))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %.300v\nwant %s...", err, tc.want)
			}
		})
	}
}

// unreadableFS fails to open one file, as a file without read permission
// does.
type unreadableFS struct {
	fs.FS
	file string
}

func (u unreadableFS) Open(name string) (fs.File, error) {
	if name == u.file {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return u.FS.Open(name)
}

// TestErrorsHavePositions places errors that CUE or the file system give
// without a line at the file: an @embed attribute (never allowed: it reads
// files), and a file that cannot be read.
func TestErrorsHavePositions(t *testing.T) {
	_, err := load.Load(platform("tenants/a.cue", "@extern(embed)\npackage platform\n\ntenants: a: {owners: [\"t\"], clusters: [\"c1\"], services: x: {image: \"r/x:1\", env: A: _ @embed(file=\"../../etc/passwd\", type=text)}}\n"))
	if want := "tenants/a.cue:1:1: cannot embed files"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("@embed: got %v, want %s...", err, want)
	}
	_, err = load.Load(unreadableFS{platform("tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"]}`), "tenants/a.cue"})
	if want := "tenants/a.cue:1:1: cannot be read: permission denied"; err == nil || err.Error() != want {
		t.Errorf("unreadable: got %v, want %s", err, want)
	}
	_, err = load.Load(unreadableFS{platform(), "clusters/c1.cue"})
	if want := "clusters/c1.cue:1:1: cannot be read: permission denied"; err == nil || err.Error() != want {
		t.Errorf("unreadable cluster: got %v, want %s", err, want)
	}
}

// TestQuotas counts load balancers, their rules, clusters and Fargate
// profiles against the quotas platform.cue declares: warnings for what
// fails later, an error at capacity.mode for the profiles EKS refuses.
func TestQuotas(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	withQuotas := func(extra string) string { return strings.TrimSuffix(settings, "}\n") + "\t" + extra + "\n}\n" }
	tenant := func(name string, hosts ...string) string {
		var svcs []string
		for i, h := range hosts {
			svcs = append(svcs, fmt.Sprintf("s%d: {image: \"r/x:1\", ingress: host: %q}", i, h))
		}
		return fmt.Sprintf("tenants: %s: {owners: [\"t\"], clusters: [\"c1\"], services: {%s}}", name, strings.Join(svcs, ", "))
	}
	fargate := strings.Replace(cluster, `dns: zone:`, "capacity: mode: \"fargate\"\n\tdns: zone:", 1)
	for _, tc := range []struct {
		name  string
		files []string
		want  []string // warnings, or the error
		err   bool
	}{{
		name:  "within every quota",
		files: []string{"tenants/a.cue", tenant("a", "a.example.com"), "tenants/b.cue", tenant("b", "b.example.com")},
	}, {
		name: "shared load balancer: one, its rules counted",
		files: []string{"platform.cue", withQuotas("quotas: rulesPerLoadBalancer: 2"),
			"tenants/a.cue", tenant("a", "a.example.com", "a2.example.com"), "tenants/b.cue", tenant("b", "b.example.com")},
		want: []string{"clusters/c1.cue:1:11: warning: the load balancer acme of c1-1-33 would have 3 rules, more than the quota of 2 per load balancer (platform.cue: quotas.rulesPerLoadBalancer)"},
	}, {
		name: "a load balancer per tenant",
		files: []string{"platform.cue", withQuotas("loadBalancers: \"per-tenant\"\n\tquotas: loadBalancersPerRegion: 1"),
			"tenants/a.cue", tenant("a", "a.example.com"), "tenants/b.cue", tenant("b", "b.example.com")},
		want: []string{"clusters/c1.cue:1:11: warning: account 111111111111, region ap-northeast-1 (clusters c1): 2 Application Load Balancers, more than the quota of 1 (platform.cue: quotas.loadBalancersPerRegion; loadBalancers: \"per-tenant\")"},
	}, {
		name:  "clusters per region",
		files: []string{"platform.cue", withQuotas("quotas: clustersPerRegion: 1"), "clusters/c2.cue", strings.ReplaceAll(cluster, "c1", "c2")},
		want:  []string{"clusters/c2.cue:1:11: warning: account 111111111111, region ap-northeast-1 (clusters c1, c2): 2 EKS clusters (generations), more than the quota of 1 (platform.cue: quotas.clustersPerRegion)"},
	}, {
		name:  "secrets without Reloader",
		files: []string{"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], secrets: db: keys: ["K"], services: x: {image: "r/x:1", secrets: ["db"]}}`},
		want:  []string{`clusters/c1.cue:1:11: warning: cluster c1 runs no add-on of the chart "reloader" (platform.cue: addons): its Deployments that read secrets will not roll when a secret rotates`},
	}, {
		name: "secrets with Reloader",
		files: []string{"platform.cue", withAddons(`reloader: {chart: {repo: "https://stakater.github.io/stakater-charts", name: "reloader"}, namespace: "reloader"}`),
			"tenants/a.cue", `tenants: a: {owners: ["t"], clusters: ["c1"], secrets: db: keys: ["K"], services: x: {image: "r/x:1", secrets: ["db"]}}`},
	}, {
		name:  "Fargate does not enforce NetworkPolicies",
		files: []string{"clusters/c1.cue", fargate},
		want:  []string{"clusters/c1.cue:6:18: warning: cluster c1: NetworkPolicies are not enforced on Fargate pods"},
	}, {
		// kube-system alone: one system profile, and the tenants': two.
		name:  "Fargate profiles past the quota",
		files: []string{"platform.cue", withQuotas("quotas: fargateProfilesPerCluster: 1"), "clusters/c1.cue", fargate},
		want:  []string{"clusters/c1.cue:6:18: clusters.c1.capacity.mode: cluster c1 needs 2 Fargate profiles (kube-system and its add-ons' namespaces, 5 per profile, and its tenants'), more than the quota of 1 (platform.cue: quotas.fargateProfilesPerCluster)"},
		err:   true,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := load.Load(platform(tc.files...), load.Today(day("2026-01-01")))
			var got []string
			switch {
			case tc.err && err != nil:
				got = strings.Split(err.Error(), "\n")
			case err != nil:
				t.Fatal(err)
			default:
				for _, w := range p.Warnings {
					got = append(got, w.String())
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("got  %s\nwant %s", got[i], tc.want[i])
				}
			}
		})
	}
}

// TestGrants: platform.cue grants a resource of no tenant's name to the
// tenants it lists; others still may not name it. A workload role whose
// name IAM would refuse is an error at the workload's aws.
func TestGrants(t *testing.T) {
	use := func(tenant string) string {
		return `tenants: ` + tenant + `: {owners: ["t"], clusters: ["c1"], services: x: {image: "r/x:1", aws: s3: "shared-assets": "read"}}`
	}
	granted := strings.Replace(settings, "platform: {", "platform: {\n\tgrants: s3: \"shared-assets\": [\"a\"]", 1)
	fsys := platform("tenants/a.cue", use("a"), "tenants/b.cue", use("b"))
	fsys["platform.cue"] = &fstest.MapFile{Data: []byte(granted)}
	_, err := load.Load(fsys)
	if err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), `tenants.b.services.x.aws.s3."shared-assets": s3 "shared-assets" is no tenant's`) {
		t.Errorf("granted to a only: %v", err)
	}
	long := strings.Repeat("w", 40)
	_, err = load.Load(platform("tenants/abcdefghijklmnopqrst.cue", `tenants: abcdefghijklmnopqrst: {owners: ["t"], clusters: ["c1"], jobs: `+long+`: {image: "r/x:1", schedule: "0 * * * *", aws: sqs: "abcdefghijklmnopqrst-q": "send"}}`))
	if err == nil || !strings.Contains(err.Error(), "tenants.abcdefghijklmnopqrst.jobs."+long+".aws: its IAM role would be named") {
		t.Errorf("a role name past 64 characters: %v", err)
	}
}
