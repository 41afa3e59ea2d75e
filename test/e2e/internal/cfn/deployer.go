package cfn

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// BootstrapVersionParameter is the SSM parameter "cdk bootstrap" writes
// and every CDK template reads (as its BootstrapVersion parameter).
const BootstrapVersionParameter = "/cdk-bootstrap/hnb659fds/version"

// Bootstrap does for the fake what "cdk bootstrap" does for an account and
// region as far as templates can tell: it writes the bootstrap version
// parameter.
func Bootstrap(cloud *fakeaws.Cloud, account, region string) error {
	return cloud.PutParameter(account, region, BootstrapVersionParameter, "30")
}

// Deployer deploys the stacks of a cloud assembly into a fake cloud. It is
// safe for concurrent use; deployments run one at a time.
type Deployer struct {
	cloud    *fakeaws.Cloud
	dir      string
	clusters Clusters

	mu     sync.Mutex
	stacks map[string]*stackState
}

type stackState struct {
	Stack
	StackID   string
	Status    string
	Resources map[string]*resourceState
	// Orphans are replaced or removed resources not deleted yet.
	Orphans []*resourceState
	Outputs map[string]string
	Exports map[string]string
	Imports map[string]bool
}

// NewDeployer returns a deployer of the assembly in assemblyDir, which it
// reads again at each Deploy.
func NewDeployer(cloud *fakeaws.Cloud, assemblyDir string, clusters Clusters) (*Deployer, error) {
	if cloud == nil || clusters == nil {
		return nil, fmt.Errorf("cfn: a cloud and a Clusters are required")
	}
	if _, err := ReadAssembly(assemblyDir); err != nil {
		return nil, err
	}
	return &Deployer{cloud: cloud, dir: assemblyDir, clusters: clusters, stacks: map[string]*stackState{}}, nil
}

// Deploy deploys the named stacks (all when none is named) and the stacks
// they depend on, in dependency order, each as a CloudFormation create or
// update: a stack deployed before is diffed against what was deployed,
// resources gone from its template are deleted (unless their
// DeletionPolicy is Retain), changed ones are updated or replaced. It
// refuses an assembly whose manifest misses a dependency that
// CheckDependencies finds. A failed stack is not rolled back: it keeps what
// was done, and the error says which resource failed.
func (d *Deployer) Deploy(ctx context.Context, stackNames ...string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := ReadAssembly(d.dir)
	if err != nil {
		return err
	}
	problems, err := a.CheckDependencies()
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		return fmt.Errorf("cloud assembly %s: the manifest's dependencies are wrong:\n  %s", d.dir, strings.Join(msgs, "\n  "))
	}
	order, err := a.Order(stackNames...)
	if err != nil {
		return err
	}
	for _, s := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.deployStack(ctx, s); err != nil {
			return fmt.Errorf("deploy stack %s (%s/%s): %w", s.Name, s.Account, s.Region, err)
		}
	}
	return nil
}

func (d *Deployer) deployStack(ctx context.Context, s *Stack) error {
	t, err := readTemplate(s.TemplateFile)
	if err != nil {
		return err
	}
	prev := d.stacks[s.Name]
	if prev != nil && (prev.Account != s.Account || prev.Region != s.Region) {
		return fmt.Errorf("the stack is deployed in %s/%s; moving it is not possible", prev.Account, prev.Region)
	}
	st := &stackState{Stack: *s, StackID: stackID(s), Resources: map[string]*resourceState{}, Imports: map[string]bool{}}
	prevRes := map[string]*resourceState{}
	if prev != nil {
		st.Orphans = append(st.Orphans, prev.Orphans...)
		for k, v := range prev.Resources {
			st.Resources[k], prevRes[k] = v, v
		}
	}
	status := "CREATE"
	if prev != nil {
		status = "UPDATE"
	}
	fail := func(err error) error {
		st.Status = status + "_FAILED"
		if prev != nil {
			st.Outputs, st.Exports = prev.Outputs, prev.Exports
		}
		d.stacks[s.Name] = st
		return err
	}
	params, err := d.resolveParams(s, t)
	if err != nil {
		return fail(err)
	}
	done := map[string]*resourceState{}
	ev := &evaluator{stack: s, stackID: st.StackID, params: params, tmpl: t, conditions: map[string]bool{}, resolving: map[string]bool{},
		resources: done, attr: d.attrOf(s), importValue: d.importer(s, st)}
	var active []string
	deps := map[string][]string{}
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		if r.Condition != "" {
			on, err := ev.condition(r.Condition)
			if err != nil {
				return fail(fmt.Errorf("resource %s: %w", id, err))
			}
			if !on {
				continue
			}
		}
		active = append(active, id)
		deps[id] = t.resourceDeps(id)
	}
	order, err := topoSort(active, deps)
	if err != nil {
		return fail(fmt.Errorf("resources: %w", err))
	}
	for _, id := range order {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		r := t.Resources[id]
		ns, replaced, err := d.applyResource(ctx, s, id, r, deps[id], ev, prevRes[id])
		if err != nil {
			return fail(fmt.Errorf("resource %s (%s): %w", id, r.Type, err))
		}
		if replaced != nil {
			st.Orphans = append(st.Orphans, replaced)
		}
		st.Resources[id], done[id] = ns, ns
	}
	if err := d.setOutputs(s, t, ev, st, prev); err != nil {
		return fail(err)
	}
	// Cleanup: what left the template goes, then what was replaced.
	var gone []*resourceState
	for _, id := range sortedKeys(prevRes) {
		if done[id] == nil {
			gone = append(gone, prevRes[id])
			delete(st.Resources, id)
		}
	}
	st.Orphans = append(gone, st.Orphans...)
	st.Status = status + "_COMPLETE"
	if err := d.deleteResources(ctx, s, st, false); err != nil {
		st.Status = status + "_COMPLETE_CLEANUP_FAILED"
		d.stacks[s.Name] = st
		return err
	}
	d.stacks[s.Name] = st
	return nil
}

// applyResource creates, updates or keeps one resource. replaced is the
// old resource when it must be deleted afterwards.
func (d *Deployer) applyResource(ctx context.Context, s *Stack, id string, r *resourceDef, deps []string, ev *evaluator, old *resourceState) (ns, replaced *resourceState, err error) {
	v, err := ev.eval(r.Properties)
	if err != nil {
		return nil, nil, err
	}
	p, _ := v.(map[string]any)
	ns = &resourceState{LogicalID: id, Type: r.Type, Props: p, Deps: deps, DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy}
	if old != nil && old.Type != r.Type {
		replaced, old = old, nil
	}
	if old != nil && sameJSON(old.Props, p) {
		ns.PhysicalID, ns.Attrs, ns.Placeholder = old.PhysicalID, old.Attrs, old.Placeholder
		return ns, nil, nil
	}
	h := handlerFor(r.Type)
	if h == nil {
		ns.Placeholder, ns.PhysicalID = true, placeholderID(s, id, r.Type)
		return ns, replaced, nil
	}
	env := resourceEnv{ctx: ctx, cloud: d.cloud, clusters: d.clusters, stack: s, logicalID: id}
	pr := props{typ: r.Type, m: p}
	var res result
	if old == nil {
		res, err = h.create(env, pr)
	} else {
		var rep bool
		res, rep, err = h.update(env, old, pr)
		if rep {
			replaced = old
		}
	}
	if err != nil {
		return nil, nil, err
	}
	ns.PhysicalID, ns.Attrs = res.PhysicalID, res.Attrs
	return ns, replaced, nil
}

// deleteResources deletes st.Orphans (all of st's resources too when the
// whole stack goes), dependents first, keeping those whose policy retains
// them. What fails stays in st.Orphans.
func (d *Deployer) deleteResources(ctx context.Context, s *Stack, st *stackState, whole bool) error {
	victims := st.Orphans
	if whole {
		for _, id := range sortedKeys(st.Resources) {
			victims = append(victims, st.Resources[id])
		}
		st.Resources = map[string]*resourceState{}
	}
	// Dependents first: reverse the dependency order of the victims.
	byID := map[string][]*resourceState{}
	deps := map[string][]string{}
	var ids []string
	for _, r := range victims {
		if byID[r.LogicalID] == nil {
			ids = append(ids, r.LogicalID)
		}
		byID[r.LogicalID] = append(byID[r.LogicalID], r)
		deps[r.LogicalID] = append(deps[r.LogicalID], r.Deps...)
	}
	order, err := topoSort(ids, deps)
	if err != nil {
		order = ids
	}
	st.Orphans = nil
	var errs []string
	for i := len(order) - 1; i >= 0; i-- {
		for _, r := range byID[order[i]] {
			if err := d.deleteResource(ctx, s, st, r, whole); err != nil {
				errs = append(errs, fmt.Sprintf("delete %s (%s): %v", r.LogicalID, r.Type, err))
				st.Orphans = append(st.Orphans, r)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func (d *Deployer) deleteResource(ctx context.Context, s *Stack, st *stackState, r *resourceState, whole bool) error {
	policy := r.DeletionPolicy
	if !whole && st.Resources[r.LogicalID] != nil && st.Resources[r.LogicalID] != r {
		policy = r.UpdateReplacePolicy // replaced, not removed
	}
	if policy == "Retain" || policy == "RetainExceptOnCreate" {
		return nil
	}
	h := handlerFor(r.Type)
	if r.Placeholder || h == nil {
		return nil
	}
	return h.delete(resourceEnv{ctx: ctx, cloud: d.cloud, clusters: d.clusters, stack: s, logicalID: r.LogicalID}, r)
}

// Destroy deletes a deployed stack's resources (except those whose
// DeletionPolicy is Retain) and forgets it. It refuses while another stack
// imports one of its exports, as CloudFormation does.
func (d *Deployer) Destroy(ctx context.Context, stackName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.stacks[stackName]
	if st == nil {
		return fmt.Errorf("destroy stack %s: it is not deployed", stackName)
	}
	for _, name := range sortedKeys(st.Exports) {
		if user := d.importerOf(st, name); user != "" {
			return fmt.Errorf("destroy stack %s: export %s cannot be deleted as it is in use by %s", stackName, name, user)
		}
	}
	if err := d.deleteResources(ctx, &st.Stack, st, true); err != nil {
		st.Status = "DELETE_FAILED"
		return fmt.Errorf("destroy stack %s: %w", stackName, err)
	}
	delete(d.stacks, stackName)
	return nil
}

func (d *Deployer) resolveParams(s *Stack, t *template) (map[string]any, error) {
	out := map[string]any{}
	var missing []string
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		def, ok := p.Default.(string)
		if n, isNum := p.Default.(json.Number); isNum {
			def, ok = n.String(), true
		}
		if !ok {
			return nil, fmt.Errorf("parameter %s has no Default (the fake deploys without parameter overrides)", name)
		}
		isList := strings.Contains(p.Type, "List")
		if isSSMType(p.Type) {
			v, found := d.cloud.Parameter(s.Account, s.Region, def)
			if !found {
				missing = append(missing, def)
				continue
			}
			def = v.Value
		} else if !strings.HasPrefix(p.Type, "AWS::") && p.Type != "String" && p.Type != "Number" && !isList {
			return nil, fmt.Errorf("parameter %s: type %q is not emulated", name, p.Type)
		}
		if isList {
			var l []any
			for _, x := range strings.Split(def, ",") {
				l = append(l, strings.TrimSpace(x))
			}
			out[name] = l
		} else {
			out[name] = def
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("Unable to fetch parameters [%s] from parameter store for this account (%s, %s): they do not exist", strings.Join(missing, ","), s.Account, s.Region)
	}
	return out, nil
}

func (d *Deployer) setOutputs(s *Stack, t *template, ev *evaluator, st, prev *stackState) error {
	st.Outputs, st.Exports = map[string]string{}, map[string]string{}
	for _, id := range sortedKeys(t.Outputs) {
		o := t.Outputs[id]
		if o.Condition != "" {
			if on, err := ev.condition(o.Condition); err != nil || !on {
				if err != nil {
					return fmt.Errorf("output %s: %w", id, err)
				}
				continue
			}
		}
		v, err := ev.eval(o.Value)
		if err != nil {
			return fmt.Errorf("output %s: %w", id, err)
		}
		val, ok := v.(string)
		if !ok {
			return fmt.Errorf("output %s: value %v is not a string", id, v)
		}
		st.Outputs[id] = val
		if o.Export == nil {
			continue
		}
		n, err := ev.eval(o.Export)
		name, ok := n.(string)
		if err != nil || !ok || name == "" {
			return fmt.Errorf("output %s: export name %v is not a string (%v)", id, n, err)
		}
		for _, other := range d.stacks {
			if other.Name != s.Name && other.Account == s.Account && other.Region == s.Region && other.Exports[name] != "" {
				return fmt.Errorf("output %s: export %s is already exported by stack %s", id, name, other.Name)
			}
		}
		st.Exports[name] = val
	}
	if prev != nil {
		for _, name := range sortedKeys(prev.Exports) {
			if st.Exports[name] == prev.Exports[name] {
				continue
			}
			if user := d.importerOf(prev, name); user != "" {
				return fmt.Errorf("export %s cannot be updated or deleted as it is in use by %s", name, user)
			}
		}
	}
	return nil
}

// importer returns the Fn::ImportValue of stack s, recording the import.
func (d *Deployer) importer(s *Stack, st *stackState) func(string) (string, error) {
	return func(name string) (string, error) {
		for _, other := range d.stacks {
			if other.Name != s.Name && other.Account == s.Account && other.Region == s.Region {
				if v, ok := other.Exports[name]; ok {
					st.Imports[name] = true
					return v, nil
				}
			}
		}
		return "", fmt.Errorf("No export named %s found in %s/%s", name, s.Account, s.Region)
	}
}

// importerOf returns a stack other than exporter that imports export name.
func (d *Deployer) importerOf(exporter *stackState, name string) string {
	for _, n := range sortedKeys(d.stacks) {
		o := d.stacks[n]
		if n != exporter.Name && o.Account == exporter.Account && o.Region == exporter.Region && o.Imports[name] {
			return n
		}
	}
	return ""
}

func (d *Deployer) attrOf(s *Stack) func(*resourceState, string) (string, error) {
	return func(r *resourceState, attr string) (string, error) {
		if r.Placeholder {
			return placeholderAttr(s, r, attr), nil
		}
		if v, ok := r.Attrs[attr]; ok {
			return v, nil
		}
		return "", fmt.Errorf("%s has no attribute %s here (the fake gives %s)", r.Type, attr, strings.Join(sortedKeys(r.Attrs), ", "))
	}
}

func stackID(s *Stack) string {
	h := stableHash(32, s.Account, s.Region, s.Name)
	return "arn:aws:cloudformation:" + s.Region + ":" + s.Account + ":stack/" + s.Name + "/" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// StackInfo is a deployed stack.
type StackInfo struct {
	Name, Account, Region, Status string
	Outputs, Exports              map[string]string
	Resources                     []ResourceInfo
}

// ResourceInfo is a deployed resource; Ref gives its PhysicalID.
type ResourceInfo struct {
	LogicalID, Type, PhysicalID string
	Placeholder                 bool
}

// Stacks returns the deployed stacks (failed ones too), by name.
func (d *Deployer) Stacks() []StackInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []StackInfo
	for _, n := range sortedKeys(d.stacks) {
		st := d.stacks[n]
		si := StackInfo{Name: n, Account: st.Account, Region: st.Region, Status: st.Status, Outputs: map[string]string{}, Exports: map[string]string{}}
		for k, v := range st.Outputs {
			si.Outputs[k] = v
		}
		for k, v := range st.Exports {
			si.Exports[k] = v
		}
		for _, id := range sortedKeys(st.Resources) {
			r := st.Resources[id]
			si.Resources = append(si.Resources, ResourceInfo{LogicalID: id, Type: r.Type, PhysicalID: r.PhysicalID, Placeholder: r.Placeholder})
		}
		out = append(out, si)
	}
	return out
}

// Report lists the deployed resources that are placeholders: their types
// are not emulated, so they have a stable fake id and attributes and do
// nothing.
type Report struct {
	Placeholders []ResourceRef
}

// ResourceRef names a resource of a stack.
type ResourceRef struct {
	Stack, LogicalID, Type string
}

// Report returns the placeholders among the deployed resources.
func (d *Deployer) Report() Report {
	var r Report
	for _, st := range d.Stacks() {
		for _, res := range st.Resources {
			if res.Placeholder {
				r.Placeholders = append(r.Placeholders, ResourceRef{Stack: st.Name, LogicalID: res.LogicalID, Type: res.Type})
			}
		}
	}
	return r
}

// Types counts the placeholders by resource type.
func (r Report) Types() map[string]int {
	out := map[string]int{}
	for _, p := range r.Placeholders {
		out[p.Type]++
	}
	return out
}

func (r Report) String() string {
	types := r.Types()
	names := sortedKeys(types)
	sort.SliceStable(names, func(i, j int) bool { return types[names[i]] > types[names[j]] })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", types[n], n)
	}
	return fmt.Sprintf("%d placeholder resources (not emulated): %s", len(r.Placeholders), strings.Join(parts, ", "))
}
