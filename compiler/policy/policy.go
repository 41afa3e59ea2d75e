package policy

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/pool"
)

// Severities.
const (
	Error   = "error"
	Warning = "warning"
	Off     = "off"
)

// Finding is one broken rule: a diagnostic of a check (its Check, its
// Severity after exemptions, where the rule is broken and why) about an
// object generated for a tenant.
type Finding struct {
	diag.Diagnostic
	Tenant string
	Object string // Kind/name, and the cluster for per-cluster checks
}

// Reported is the finding as the commands report it with the other
// diagnostics: its message names the object.
func (f Finding) Reported() diag.Diagnostic {
	d := f.Diagnostic
	d.Message = f.Object + ": " + f.Message
	return d
}

// String is the finding as "platformc lint" prints it.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: [%s] %s: %s", f.Pos, f.Severity, f.Check, f.Object, f.Message)
}

// findingJSON is a finding as "platformc lint --json" prints it.
type findingJSON struct {
	Check    string `json:"check"`
	Severity string `json:"severity"` // error or warning, after exemptions
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Tenant   string `json:"tenant"`
	Object   string `json:"object"`
	Message  string `json:"message"`
}

func (f Finding) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as encode.JSON, which lint prints with
	err := enc.Encode(findingJSON{
		Check: f.Check, Severity: string(f.Severity),
		File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col,
		Tenant: f.Tenant, Object: f.Object, Message: f.Message,
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

func (f *Finding) UnmarshalJSON(data []byte) error {
	var j findingJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*f = Finding{
		Diagnostic: diag.Diagnostic{Pos: model.Pos{File: j.File, Line: j.Line, Col: j.Column}, Severity: diag.Severity(j.Severity), Check: j.Check, Message: j.Message},
		Tenant:     j.Tenant,
		Object:     j.Object,
	}
	return nil
}

// Check runs every check that is not off over the tenants' generated
// workloads in t, and reports expired exemptions as of today (zero: not
// checked). Findings are sorted by position.
func Check(p *model.Platform, t *fstree.Tree, today time.Time) ([]Finding, error) {
	paths := t.Paths()
	// Tenants are checked on a few goroutines, each into a checker of its
	// own; their findings are gathered in the tenants' order, so that the
	// result, and the first error, are those of checking one after the other.
	tenants := make([]checker, len(p.Tenants))
	if err := pool.Each(len(p.Tenants), pool.CPUs(len(p.Tenants), 50), func(i int) error {
		tenants[i] = checker{p: p, tree: t, paths: paths}
		return tenants[i].tenant(p.Tenants[i])
	}); err != nil {
		return nil, err
	}
	var out []Finding
	for i := range tenants {
		out = append(out, tenants[i].out...)
	}
	out = append(out, Expired(p, today)...)
	Sort(out)
	return out, nil
}

// Tenant runs the checks over the workloads of one tenant, tn, whose
// generated files t holds (it may hold only those). Check is Tenant for
// every tenant, then Expired, then Sort.
func Tenant(p *model.Platform, tn *model.Tenant, t *fstree.Tree) ([]Finding, error) {
	c := checker{p: p, tree: t, paths: t.Paths()}
	err := c.tenant(tn)
	return c.out, err
}

// Expired reports the exemptions expired as of today, at their expiry
// date; a zero today checks none.
func Expired(p *model.Platform, today time.Time) []Finding {
	c := checker{p: p}
	c.exemptions(today)
	return c.out
}

// Sort sorts findings by position, then check and object: the order of
// Check.
func Sort(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Check, b.Check), cmp.Compare(a.Object, b.Object))
	})
}

// Errors returns the findings that fail a build.
func Errors(fs []Finding) []Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f Finding) bool { return f.Severity != Error })
}

type checker struct {
	p     *model.Platform
	tree  *fstree.Tree
	paths []string // the tree's, sorted once: sorting them per tenant made Check quadratic
	out   []Finding
	memo  map[string]any // scalars read by yaml.v3 (parseCanonical)
}

// report records a finding of check for a workload of tenant t, unless the
// check is off; an exemption covering it makes it a warning.
func (c *checker) report(check string, t *model.Tenant, w *model.Workload, object, format string, args ...any) {
	c.reportAt(w.Pos, check, t, w, object, format, args...)
}

// reportAt is report at pos, where the value that breaks the rule is
// written.
func (c *checker) reportAt(pos model.Pos, check string, t *model.Tenant, w *model.Workload, object, format string, args ...any) {
	sev := cmp.Or(c.p.Config.Policy.Checks[check], Error)
	if sev == Off {
		return
	}
	msg := fmt.Sprintf(format, args...)
	for _, x := range t.Exemptions {
		if x.Check == check && x.Covers(w.Name) {
			sev, msg = Warning, fmt.Sprintf("%s (exempted until %s: %s)", msg, x.Expires, x.Reason)
		}
	}
	c.out = append(c.out, Finding{Diagnostic: diag.Diagnostic{Pos: pos, Severity: diag.Severity(sev), Check: check, Message: msg}, Tenant: t.Name, Object: object})
}

// exemptions reports expired ones at their expiry date.
func (c *checker) exemptions(today time.Time) {
	if today.IsZero() {
		return
	}
	day := today.Format(time.DateOnly)
	for _, t := range c.p.Tenants {
		for _, x := range t.Exemptions {
			if x.Expires < day {
				d := diag.Errorf(x.ExpiresPos, "", "the exemption from %s expired on %s: fix what it waived, or renew it with a reason", x.Check, x.Expires)
				d.Check = x.Check
				c.out = append(c.out, Finding{Diagnostic: d, Tenant: t.Name, Object: "exemption"})
			}
		}
	}
}

type object = map[string]any

// checked reports whether tenant reads objects of kind k.
func checked(k string) bool {
	return k == "Deployment" || k == "CronJob" || k == "PodDisruptionBudget"
}

// topKind returns the value of the top-level "kind: " line of a YAML
// document, or "" if there is none (the document is then parsed).
func topKind(data []byte) string {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if k, ok := bytes.CutPrefix(line, []byte("kind: ")); ok {
			return string(bytes.TrimSpace(k))
		}
	}
	return ""
}

// Reads reports whether Tenant reads the file at p of tenant's files: the
// objects of its app's base, and nothing else.
func Reads(tenant, p string) bool { return path.Dir(p) == tenantBase(tenant) }

func tenantBase(tenant string) string { return path.Join("tenants", tenant, "app", "base") }

// tenant checks the workloads of the tenant's base and, per cluster, the
// production rules.
func (c *checker) tenant(t *model.Tenant) error {
	base := tenantBase(t.Name)
	objs := map[string]object{} // "Kind/name"
	i, _ := slices.BinarySearch(c.paths, base+"/")
	for ; i < len(c.paths) && strings.HasPrefix(c.paths[i], base+"/"); i++ {
		p := c.paths[i]
		if path.Dir(p) != base || path.Base(p) == "kustomization.yaml" {
			continue
		}
		f, _ := c.tree.Get(p)
		if k := topKind(f.Data); k != "" && !checked(k) {
			continue // parsing YAML is most of the checks' time
		}
		if c.memo == nil {
			c.memo = map[string]any{}
		}
		o, ok := parseCanonical(f.Data, c.memo) // yaml.go
		if !ok {
			if err := yaml.Unmarshal(f.Data, &o); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		meta, _ := o["metadata"].(object)
		objs[fmt.Sprint(o["kind"], "/", meta["name"])] = o
	}
	for _, s := range t.Services {
		id := "Deployment/" + s.Name
		d, ok := objs[id]
		if !ok {
			return fmt.Errorf("%s: no %s generated", t.Name, id)
		}
		probes := []string{"livenessProbe", "readinessProbe"}
		if s.Kind == model.Worker {
			probes = probes[:1] // a worker serves nothing: no readiness to gate
		}
		c.pod(t, &s.Workload, id, get(d, "spec", "template", "spec"), probes)
		for _, cl := range c.p.Placements(t) {
			if !slices.Contains(c.p.Config.Policy.Production, cl.Environment) {
				continue
			}
			on := s.On(cl.Name)
			switch a := on.Autoscaling; {
			case a != nil && a.Min < 2:
				c.reportAt(cmp.Or(a.MinPos, s.Pos), "prod-replicas", t, &s.Workload, id+" on "+cl.Name, "autoscaling.min %d in production; scale from at least 2 so a node or zone can fail", a.Min)
			case a == nil && on.Replicas < 2:
				c.reportAt(cmp.Or(on.ReplicasPos, s.Pos), "prod-replicas", t, &s.Workload, id+" on "+cl.Name, "%d replica in production; run at least 2 so a node or zone can fail", on.Replicas)
			}
			if _, ok := objs["PodDisruptionBudget/"+s.Name]; !ok {
				c.report("prod-pdb", t, &s.Workload, id+" on "+cl.Name, "no PodDisruptionBudget: a node drain may take every pod at once")
			}
		}
	}
	// The tenant's own objects that run pods are checked like the
	// generated ones, each as a workload of its name.
	for _, m := range t.Manifests {
		spec, probes := podOf(m)
		if spec != nil {
			c.pod(t, &model.Workload{Name: m.Name, Pos: m.Pos}, m.Kind+"/"+m.Name, spec, probes)
		}
	}
	for _, j := range t.Jobs {
		id := "CronJob/" + j.Name
		cj, ok := objs[id]
		if !ok {
			return fmt.Errorf("%s: no %s generated", t.Name, id)
		}
		c.pod(t, &j.Workload, id, get(cj, "spec", "jobTemplate", "spec", "template", "spec"), nil)
	}
	return nil
}

// podOf returns the pod spec of an object that runs pods, and the probes
// its containers need (those of long-running pods), or nil.
func podOf(m *model.Manifest) (spec any, probes []string) {
	o := m.Object
	switch m.Kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
		return get(o, "spec", "template", "spec"), []string{"livenessProbe", "readinessProbe"}
	case "Job":
		return get(o, "spec", "template", "spec"), nil
	case "CronJob":
		return get(o, "spec", "jobTemplate", "spec", "template", "spec"), nil
	case "Pod":
		return get(o, "spec"), nil
	}
	return nil, nil
}

// pod checks a pod spec; probes names the probes its containers need
// (a web service's liveness and readiness, a worker's liveness, a job's
// none).
func (c *checker) pod(t *model.Tenant, w *model.Workload, id string, spec any, probes []string) {
	for _, h := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		if get(spec, h) == true {
			c.report("no-host-namespaces", t, w, id, "%s is set", h)
		}
	}
	volumes, _ := get(spec, "volumes").([]any)
	for _, v := range volumes {
		if get(v, "hostPath") != nil {
			c.report("no-host-path", t, w, id, "volume %v mounts a path of the node", get(v, "name"))
		}
	}
	podNonRoot := get(spec, "securityContext", "runAsNonRoot") == true
	containers, _ := get(spec, "containers").([]any)
	for _, ct := range containers {
		name := fmt.Sprint(get(ct, "name"))
		for _, kind := range []string{"requests", "limits"} {
			for _, r := range []string{"cpu", "memory"} {
				if get(ct, "resources", kind, r) == nil {
					c.report("resources", t, w, id, "container %s sets no %s %s", name, r, strings.TrimSuffix(kind, "s"))
				}
			}
		}
		for _, probe := range probes {
			if get(ct, probe) == nil {
				c.report("probes", t, w, id, "container %s has no %s", name, probe)
			}
		}
		if nonRoot, set := get(ct, "securityContext", "runAsNonRoot").(bool); !(nonRoot || (!set && podNonRoot)) {
			c.report("run-as-non-root", t, w, id, "container %s may run as root", name)
		}
		if get(ct, "securityContext", "readOnlyRootFilesystem") != true {
			c.report("read-only-root-filesystem", t, w, id, "container %s can write its root filesystem", name)
		}
		if get(ct, "securityContext", "allowPrivilegeEscalation") != false {
			c.report("no-privilege-escalation", t, w, id, "container %s allows privilege escalation", name)
		}
		c.image(t, w, id, fmt.Sprint(get(ct, "image")))
	}
}

// image checks where an image comes from and that its tag is immutable.
func (c *checker) image(t *model.Tenant, w *model.Workload, id, image string) {
	at := cmp.Or(w.ImagePos, w.Pos)
	host, repo, ok := imageRepo(image)
	regs := c.p.Config.Policy.Registries
	switch {
	case !ok:
		c.reportAt(at, "registry", t, w, id, "image %s is not an image reference a registry reads", image)
	case host == dockerHub:
		c.reportAt(at, "no-docker-hub", t, w, id, "image %s comes from Docker Hub, whose pull rate limits stop deployments; use the platform's registry", image)
	case len(regs) > 0 && !slices.ContainsFunc(regs, func(r string) bool { return inRegistry(host, repo, r) }):
		c.reportAt(at, "registry", t, w, id, "image %s is not from an allowed registry (%s)", image, strings.Join(regs, ", "))
	}
	if strings.Contains(image, "@sha256:") {
		return
	}
	tag := image[strings.LastIndex(image, ":")+1:]
	if !versionTag(tag) {
		c.reportAt(at, "immutable-tag", t, w, id, "tag %q of %s looks mutable; use a version or a digest", tag, image)
	}
}

// versionTag reports whether a tag looks like a release version: "1.4.2",
// "v2", "2026.11.01-3", "1.4.2-abc1234".
func versionTag(tag string) bool {
	tag = strings.TrimPrefix(tag, "v")
	return tag != "" && tag[0] >= '0' && tag[0] <= '9'
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(object)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
