package diff

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/kbuild"
	"github.com/platformc/platformc/internal/pool"
)

// Action is what happened to an object.
type Action string

const (
	Added    Action = "added"
	Modified Action = "modified"
	Removed  Action = "removed"
)

// ID identifies a Kubernetes object.
type ID struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (id ID) String() string {
	if id.Namespace == "" {
		return fmt.Sprintf("%s %s", id.Kind, id.Name)
	}
	return fmt.Sprintf("%s %s/%s", id.Kind, id.Namespace, id.Name)
}

// Change is one object added, modified or removed in one unit.
type Change struct {
	Unit    string `json:"unit"`              // the folder Argo CD applies
	Tenant  string `json:"tenant,omitempty"`  // "" for the platform's own units
	Cluster string `json:"cluster,omitempty"` // the logical cluster, if any
	// Generation is the cluster generation the unit deploys to, and Role
	// its part in an upgrade ("blue", "green", "retiring"; "" for none).
	Generation string `json:"generation,omitempty"`
	Role       string `json:"role,omitempty"`
	Action     Action `json:"action"`
	Object     ID     `json:"object"`
	Before     string `json:"before,omitempty"` // canonical YAML
	After      string `json:"after,omitempty"`
	Risk       string `json:"risk,omitempty"` // why a reviewer should look twice
}

// Report is the difference between two output trees.
type Report struct {
	Base    string   `json:"base"`                // what the base is, e.g. a commit
	BaseErr string   `json:"baseError,omitempty"` // why the base did not compile
	Changes []Change `json:"changes"`
}

// Risky returns the changes that carry a risk, in report order.
func (r *Report) Risky() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Risk != "" {
			out = append(out, c)
		}
	}
	return out
}

// Trees compares the outputs base and head. Either may be empty.
func Trees(base, head *fstree.Tree) (*Report, error) {
	return trees(base, head, shortcuts{prune: true, split: true})
}

// shortcuts are what Trees skips, each giving the same report as without
// it (tests compare): prune skips the units that no changed file touches;
// split builds only the differing resources of a gathering unit
// (parts.go).
type shortcuts struct{ prune, split bool }

// trees is Trees with the shortcuts sc.
func trees(base, head *fstree.Tree, sc shortcuts) (*Report, error) {
	b, h := bothUnits(base, head)
	r := &Report{Changes: []Change{}}
	changed := changedDirs(base, head)
	for _, dir := range union(b.names(), h.names()) {
		// A unit none of whose folders holds a changed file reads the same
		// files in both trees: its digests are equal, and not computed.
		if sc.prune && !b.touched(dir, changed) && !h.touched(dir, changed) {
			continue
		}
		if slices.Equal(b.digest(dir), h.digest(dir)) {
			continue
		}
		before, err := objects(b, h, dir, sc.split) // what differs only (parts.go)
		if err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
		after, err := objects(h, b, dir, sc.split)
		if err != nil {
			return nil, err
		}
		origin := h.origin(dir)
		if _, ok := h.inputs[dir]; !ok {
			origin = b.origin(dir)
		}
		for _, id := range ids(before, after) {
			c := Change{Unit: dir, Tenant: origin.Tenant, Cluster: origin.Cluster, Object: id, Before: before[id], After: after[id]}
			if c.classify() {
				c.Risk = risk(c)
				r.Changes = append(r.Changes, c)
			}
		}
	}
	aws, err := templates(base, head)
	if err != nil {
		return nil, err
	}
	r.Changes = append(r.Changes, aws...)
	attribute(r.Changes, base, head)
	quiet(r.Changes)
	slices.SortFunc(r.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Unit, b.Unit),
			cmp.Compare(a.Object.Kind, b.Object.Kind), cmp.Compare(a.Object.Namespace, b.Object.Namespace), cmp.Compare(a.Object.Name, b.Object.Name),
			cmp.Compare(a.Object.APIVersion, b.Object.APIVersion))
	})
	return r, nil
}

// bothUnits is the units of base and of head, found at once: each is a
// pass over a tree of tens of thousands of files.
func bothUnits(base, head *fstree.Tree) (unitSet, unitSet) {
	if base == head { // a tree's Paths may not be called twice at once
		u := units(base)
		return u, u
	}
	trees, sets := [2]*fstree.Tree{base, head}, [2]unitSet{}
	pool.Each(2, 2, func(i int) error {
		sets[i] = units(trees[i])
		return nil
	})
	return sets[0], sets[1]
}

// classify sets the change's action from its two sides, and reports
// whether there is a change at all.
func (c *Change) classify() bool {
	switch {
	case c.Before == c.After:
		return false
	case c.Before == "":
		c.Action = Added
	case c.After == "":
		c.Action = Removed
	default:
		c.Action = Modified
	}
	return true
}

func str(v any) string { s, _ := v.(string); return s }

func union(a, b []string) []string {
	all := slices.Concat(a, b)
	slices.Sort(all)
	return slices.Compact(all)
}

// ids returns the identities of both sides, once each.
func ids(a, b map[ID]string) []ID {
	seen := map[ID]bool{}
	var out []ID
	for _, m := range []map[ID]string{a, b} {
		for id := range m {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// unitSet is the units of one tree, each with the folders it reads.
type unitSet struct {
	tree   *fstree.Tree
	inputs map[string][]string // unit -> folders it includes, itself first
	refs   map[string][]string // folder -> the folders its kustomization includes
	paths  []string            // every file, sorted
	sums   map[string]string   // file -> SHA-256 of its bytes, as computed
}

func (s unitSet) names() []string {
	out := make([]string, 0, len(s.inputs))
	for u := range s.inputs {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// digest is the paths and hashes of every file the unit reads, in order;
// equal digests mean an equal build.
func (s unitSet) digest(unit string) []string {
	if _, ok := s.inputs[unit]; !ok {
		return nil
	}
	return s.contents(s.reads(unit))
}

// touched reports whether a folder the unit reads (it reads every file
// under each folder of its closure) is, or holds, one of changed.
func (s unitSet) touched(unit string, changed map[string]bool) bool {
	for _, d := range s.inputs[unit] {
		if changed[d] {
			return true
		}
	}
	return false
}

// changedDirs returns the folders, and every folder above them, of the
// files that differ between the two trees.
func changedDirs(a, b *fstree.Tree) map[string]bool {
	dirs := map[string]bool{}
	mark := func(p string) {
		for d := p; !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			if d == "." || d == "/" {
				break
			}
		}
	}
	pa, pb := a.Paths(), b.Paths()
	i, j := 0, 0
	for i < len(pa) || j < len(pb) {
		switch {
		case j == len(pb) || (i < len(pa) && pa[i] < pb[j]):
			mark(pa[i])
			i++
		case i == len(pa) || pb[j] < pa[i]:
			mark(pb[j])
			j++
		default:
			if a.Sum(pa[i]) != b.Sum(pb[j]) {
				mark(pa[i])
			}
			i++
			j++
		}
	}
	return dirs
}

// origin is where the unit's kustomization came from.
func (s unitSet) origin(unit string) fstree.Origin {
	f, _ := s.tree.Get(path.Join(unit, "kustomization.yaml"))
	return f.Origin
}

// units finds the folders of t that Argo CD applies: kustomizations that
// no other kustomization includes.
func units(t *fstree.Tree) unitSet {
	s := unitSet{tree: t, inputs: map[string][]string{}, refs: map[string][]string{}, paths: t.Paths(), sums: map[string]string{}}
	dirs := kbuild.Dirs(t)
	kustomized := make(map[string]bool, len(dirs))
	for _, dir := range dirs {
		kustomized[dir] = true
	}
	included := map[string]bool{}
	for _, dir := range dirs {
		f, _ := t.Get(join(dir, "kustomization.yaml"))
		for _, r := range kustomizationResources(f.Data) { // parts.go
			if target := join(dir, r); kustomized[target] {
				s.refs[dir] = append(s.refs[dir], target)
				included[target] = true
			}
		}
	}
	for _, dir := range dirs {
		if !included[dir] {
			s.inputs[dir] = s.closure(dir)
		}
	}
	return s
}

// join is path.Join of the clean folder dir and name, without the cost of
// cleaning where name is a plain name: a tree has tens of thousands.
func join(dir, name string) string {
	if dir != "." && name != "" && name != "." && name != ".." && !strings.Contains(name, "/") {
		return dir + "/" + name
	}
	return path.Join(dir, name)
}

// quiet drops the risk of removing an object whose namespace is removed
// too: the namespace's deletion is the one to review.
func quiet(changes []Change) {
	gone := map[[2]string]bool{}
	for _, c := range changes {
		if c.Object.Kind == "Namespace" && c.Action == Removed {
			gone[[2]string{c.Unit, c.Object.Name}] = true
		}
	}
	for i, c := range changes {
		if c.Action == Removed && c.Object.Kind != "Namespace" && gone[[2]string{c.Unit, c.Object.Namespace}] {
			changes[i].Risk = ""
		}
	}
}

// attribute gives the objects of platform units (the namespaces a cluster
// holds) to the tenant whose namespace they are in: a tenant is its
// namespace.
func attribute(changes []Change, trees ...*fstree.Tree) {
	tenants := map[string]bool{}
	for _, t := range trees {
		for _, p := range t.Paths() {
			if f, _ := t.Get(p); f.Origin.Tenant != "" {
				tenants[f.Origin.Tenant] = true
			}
		}
	}
	for i, c := range changes {
		ns := c.Object.Namespace
		if c.Object.Kind == "Namespace" {
			ns = c.Object.Name
		}
		if c.Tenant == "" && c.Cluster != "" && tenants[ns] {
			changes[i].Tenant = ns
		}
	}
}
