package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Stack is a CloudFormation stack of a cloud assembly.
type Stack struct {
	Name, Account, Region string
	TemplateFile          string // path of the template
	// Dependencies are the stacks the manifest says must be deployed first.
	Dependencies []string
}

// Assembly is a CDK cloud assembly: its stacks by name.
type Assembly struct {
	Dir    string
	Stacks map[string]*Stack
}

// ReadAssembly reads manifest.json of the assembly in dir.
func ReadAssembly(dir string) (*Assembly, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read cloud assembly: %w", err)
	}
	var m struct {
		Artifacts map[string]struct {
			Type         string   `json:"type"`
			Environment  string   `json:"environment"`
			Dependencies []string `json:"dependencies"`
			Properties   struct {
				TemplateFile string `json:"templateFile"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read cloud assembly %s: manifest.json: %w", dir, err)
	}
	a := &Assembly{Dir: dir, Stacks: map[string]*Stack{}}
	for name, art := range m.Artifacts {
		if art.Type != "aws:cloudformation:stack" {
			continue
		}
		env, ok := strings.CutPrefix(art.Environment, "aws://")
		account, region, ok2 := strings.Cut(env, "/")
		if !ok || !ok2 || account == "unknown-account" || region == "unknown-region" {
			return nil, fmt.Errorf("stack %s: environment %q is not aws://ACCOUNT/REGION (environment-agnostic stacks are not deployable here)", name, art.Environment)
		}
		if art.Properties.TemplateFile == "" {
			return nil, fmt.Errorf("stack %s: no properties.templateFile", name)
		}
		a.Stacks[name] = &Stack{Name: name, Account: account, Region: region,
			TemplateFile: filepath.Join(dir, art.Properties.TemplateFile), Dependencies: art.Dependencies}
	}
	for _, s := range a.Stacks {
		var deps []string
		for _, d := range s.Dependencies {
			if a.Stacks[d] != nil { // asset manifests are not stacks
				deps = append(deps, d)
			}
		}
		sort.Strings(deps)
		s.Dependencies = deps
	}
	return a, nil
}

// Order returns the named stacks (all when none is named) and the stacks
// they depend on, dependencies first, ties in name order.
func (a *Assembly) Order(names ...string) ([]*Stack, error) {
	want := map[string]bool{}
	var visit func(name, from string) error
	visit = func(name, from string) error {
		if a.Stacks[name] == nil {
			if from == "" {
				return fmt.Errorf("no stack %q in the cloud assembly %s", name, a.Dir)
			}
			return fmt.Errorf("stack %s depends on %q, which is not in the cloud assembly", from, name)
		}
		if want[name] {
			return nil
		}
		want[name] = true
		for _, d := range a.Stacks[name].Dependencies {
			if err := visit(d, name); err != nil {
				return err
			}
		}
		return nil
	}
	if len(names) == 0 {
		names = sortedKeys(a.Stacks)
	}
	for _, n := range names {
		if err := visit(n, ""); err != nil {
			return nil, err
		}
	}
	deps := map[string][]string{}
	for n := range want {
		deps[n] = a.Stacks[n].Dependencies
	}
	order, err := topoSort(sortedKeys(want), deps)
	if err != nil {
		return nil, fmt.Errorf("stack dependencies: %w", err)
	}
	out := make([]*Stack, len(order))
	for i, n := range order {
		out[i] = a.Stacks[n]
	}
	return out, nil
}

// dependsOn reports whether stack a depends, directly or not, on b.
func (a *Assembly) dependsOn(from, on string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(n string) bool {
		for _, d := range a.Stacks[n].Dependencies {
			if d == on {
				return true
			}
			if !seen[d] {
				seen[d] = true
				if walk(d) {
					return true
				}
			}
		}
		return false
	}
	return walk(from)
}

// topoSort orders nodes so that each comes after its deps (restricted to
// nodes), ties in the order of nodes.
func topoSort(nodes []string, deps map[string][]string) ([]string, error) {
	in := map[string]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	done, onPath := map[string]bool{}, map[string]bool{}
	var out []string
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		if done[n] {
			return nil
		}
		if onPath[n] {
			return fmt.Errorf("circular dependency: %s", strings.Join(append(path, n), " -> "))
		}
		onPath[n] = true
		for _, d := range deps[n] {
			if in[d] {
				if err := visit(d, append(path, n)); err != nil {
					return err
				}
			}
		}
		onPath[n], done[n] = false, true
		out = append(out, n)
		return nil
	}
	for _, n := range nodes {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
