package diff

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/kbuild"
)

// A unit is built from only the files it reads, in a file system of its
// own, and when its kustomization only gathers resources — no
// transformation but a namespace and labels, which apply to each object
// alone — from only those of its resources whose inputs differ between the
// two sides: the other resources build to the same objects on both sides,
// which are no change. A platform's clusters/<generation> unit gathers
// every tenant namespace on the generation, and kustomize's cost grows
// faster than linearly with the objects of one build (about 0.8 s for 700
// objects, 35 s for 3,200), so a change of one tenant builds that tenant's
// part only.

// gathering lists the keys a kustomization may have to be built resource
// by resource.
var gathering = map[string]bool{"apiVersion": true, "kind": true, "resources": true, "namespace": true, "labels": true}

// kustomization is a unit's kustomization.yaml split into its resources
// and the rest; ok is false unless it only gathers resources.
func (s unitSet) kustomization(unit string) (rest string, resources []string, ok bool) {
	f, found := s.tree.Get(path.Join(unit, "kustomization.yaml"))
	var k map[string]any
	if !found || yaml.Unmarshal(f.Data, &k) != nil {
		return "", nil, false
	}
	for key := range k {
		if !gathering[key] {
			return "", nil, false
		}
	}
	list, _ := k["resources"].([]any)
	for _, r := range list {
		s, isString := r.(string)
		if !isString {
			return "", nil, false
		}
		resources = append(resources, s)
	}
	delete(k, "resources")
	data, err := encode.YAML(k)
	if err != nil {
		return "", nil, false
	}
	return string(data), resources, true
}

// under returns the files of the tree at or below p, sorted.
func (s unitSet) under(p string) []string {
	i := sort.SearchStrings(s.paths, p)
	var out []string
	for ; i < len(s.paths) && (s.paths[i] == p || strings.HasPrefix(s.paths[i], p+"/")); i++ {
		out = append(out, s.paths[i])
	}
	return out
}

// reads returns the files that building target, a folder with a
// kustomization or a file, reads: every file below each folder of its
// closure (resources may name files in sub-folders), or the file.
func (s unitSet) reads(target string) []string {
	if _, ok := s.tree.Get(path.Join(target, "kustomization.yaml")); !ok {
		return s.under(target)
	}
	var out []string
	for _, dir := range s.closure(target) {
		out = append(out, s.under(dir)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// closure is dir and every folder its kustomizations include, in order.
func (s unitSet) closure(dir string) []string {
	var closure []string
	var walk func(string)
	walk = func(d string) {
		if slices.Contains(closure, d) {
			return
		}
		closure = append(closure, d)
		for _, r := range s.refs[d] {
			walk(r)
		}
	}
	walk(dir)
	return closure
}

// contents is the paths of files, each followed by the SHA-256 of its
// bytes: equal contents, equal files.
func (s unitSet) contents(files []string) []string {
	out := make([]string, 0, 2*len(files))
	for _, p := range files {
		sum, ok := s.sums[p]
		if !ok {
			b := s.tree.Sum(p) // known already for most files
			sum = string(b[:])
			s.sums[p] = sum
		}
		out = append(out, p, sum)
	}
	return out
}

// kustomizationResources reads the resources of a kustomization.yaml. Those platformc
// writes list plain names, one a line, which are read as such; anything
// else is left to the YAML parser.
func kustomizationResources(data []byte) []string {
	var out []string
	in, found := false, 0
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "resources:":
			in, found = true, found+1
		case in && strings.HasPrefix(line, "  - "):
			r := line[len("  - "):]
			if r == "" || strings.ContainsAny(r, "'\"#:{}[]&*!|>%@`,") || strings.TrimSpace(r) != r {
				return yamlResources(data)
			}
			out = append(out, r)
		case in && strings.HasPrefix(line, " "):
			return yamlResources(data)
		default:
			if in && strings.HasPrefix(line, "-") {
				return yamlResources(data)
			}
			in = false
			if strings.HasPrefix(line, "resources") {
				return yamlResources(data)
			}
		}
	}
	if found != 1 {
		return yamlResources(data)
	}
	return out
}

func yamlResources(data []byte) []string {
	var k struct{ Resources []string }
	_ = yaml.Unmarshal(data, &k)
	return k.Resources
}

// subtree is what building unit on side s needs, given the other side:
// the unit's files, or, for a gathering unit gathering the same way on
// both sides, a kustomization of the resources whose inputs differ and
// their files. A side without the unit needs nothing.
func (s unitSet) subtree(other unitSet, unit string, split bool) (*fstree.Tree, error) {
	t := &fstree.Tree{}
	if _, ok := s.inputs[unit]; !ok {
		return t, nil
	}
	rest, resources, ok := s.kustomization(unit)
	if _, there := other.inputs[unit]; there && ok && split {
		otherRest, otherResources, otherOK := other.kustomization(unit)
		ok = otherOK && otherRest == rest
		if ok {
			var differ []string
			files := map[string]bool{}
			for _, r := range resources {
				target := path.Join(unit, r)
				mine := s.reads(target)
				if slices.Contains(otherResources, r) && slices.Equal(s.contents(mine), other.contents(other.reads(target))) {
					continue
				}
				differ = append(differ, r)
				for _, p := range mine {
					files[p] = true
				}
			}
			var k map[string]any
			if err := yaml.Unmarshal([]byte(rest), &k); err != nil {
				return nil, err
			}
			k["resources"] = differ
			if differ == nil {
				k["resources"] = []string{}
			}
			data, err := encode.YAML(k)
			if err != nil {
				return nil, err
			}
			kfile := path.Join(unit, "kustomization.yaml")
			if err := t.Add(fstree.File{Path: kfile, Data: data}); err != nil {
				return nil, err
			}
			delete(files, kfile)
			for _, p := range slices.Sorted(maps.Keys(files)) {
				f, _ := s.tree.Get(p)
				if err := t.Add(f); err != nil {
					return nil, err
				}
			}
			return t, nil
		}
	}
	for _, p := range s.reads(unit) {
		f, _ := s.tree.Get(p)
		if err := t.Add(f); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// objects builds the unit dir of side s, as far as it differs from the
// other side, and returns its objects as canonical YAML by identity; a
// unit the side does not have is empty.
func objects(s, other unitSet, dir string, split bool) (map[ID]string, error) {
	out := map[ID]string{}
	if _, ok := s.inputs[dir]; !ok {
		return out, nil
	}
	sub, err := s.subtree(other, dir, split)
	if err != nil {
		return nil, err
	}
	fs, err := kbuild.Memory(sub)
	if err != nil {
		return nil, err
	}
	objs, err := kbuild.Build(fs, dir)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		meta, _ := o["metadata"].(map[string]any)
		id := ID{str(o["apiVersion"]), str(o["kind"]), str(meta["namespace"]), str(meta["name"])}
		data, err := encode.YAML(o)
		if err != nil {
			return nil, err
		}
		out[id] = string(data)
	}
	return out, nil
}
