package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// template is a CloudFormation template (JSON). Rules are not read: the
// only ones CDK writes check the bootstrap version.
type template struct {
	Parameters map[string]parameterDef
	Conditions map[string]any
	Mappings   map[string]any
	Resources  map[string]*resourceDef
	Outputs    map[string]outputDef
}

type parameterDef struct {
	Type    string
	Default any
}

type resourceDef struct {
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
}

type outputDef struct {
	Value     any
	Export    any // the export name, maybe an intrinsic; nil if none
	Condition string
}

var resourceKeys = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "DeletionPolicy": true,
	"UpdateReplacePolicy": true, "Metadata": true, "UpdatePolicy": true, "CreationPolicy": true,
}

func readTemplate(path string) (*template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTemplate(b)
}

func parseTemplate(b []byte) (*template, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("template is not JSON: %w", err)
	}
	t := &template{Parameters: map[string]parameterDef{}, Resources: map[string]*resourceDef{}, Outputs: map[string]outputDef{}}
	for k, v := range raw {
		switch k {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Rules":
		case "Transform":
			return nil, fmt.Errorf("template transforms (%v) are not emulated", v)
		case "Parameters":
			for name, p := range asMap(v) {
				pm := asMap(p)
				typ, _ := pm["Type"].(string)
				t.Parameters[name] = parameterDef{Type: typ, Default: pm["Default"]}
			}
		case "Conditions":
			t.Conditions = asMap(v)
		case "Mappings":
			t.Mappings = asMap(v)
		case "Resources":
			for id, r := range asMap(v) {
				d, err := parseResource(asMap(r))
				if err != nil {
					return nil, fmt.Errorf("resource %s: %w", id, err)
				}
				t.Resources[id] = d
			}
		case "Outputs":
			for id, o := range asMap(v) {
				om := asMap(o)
				out := outputDef{Value: om["Value"]}
				out.Condition, _ = om["Condition"].(string)
				if e, ok := om["Export"]; ok {
					out.Export = asMap(e)["Name"]
				}
				t.Outputs[id] = out
			}
		default:
			return nil, fmt.Errorf("template section %q is not emulated", k)
		}
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("template has no resources")
	}
	for id, r := range t.Resources {
		for _, d := range r.DependsOn {
			if t.Resources[d] == nil {
				return nil, fmt.Errorf("resource %s: DependsOn %q, which is not a resource of the template", id, d)
			}
		}
		if r.Condition != "" && t.Conditions[r.Condition] == nil {
			return nil, fmt.Errorf("resource %s: condition %q is not defined", id, r.Condition)
		}
	}
	return t, nil
}

func parseResource(m map[string]any) (*resourceDef, error) {
	d := &resourceDef{Properties: asMap(m["Properties"])}
	for k := range m {
		if !resourceKeys[k] {
			return nil, fmt.Errorf("attribute %q is not a resource attribute", k)
		}
	}
	var ok bool
	if d.Type, ok = m["Type"].(string); !ok || !strings.Contains(d.Type, "::") {
		return nil, fmt.Errorf("Type %v is not a resource type", m["Type"])
	}
	switch v := m["DependsOn"].(type) {
	case nil:
	case string:
		d.DependsOn = []string{v}
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("DependsOn %v is not a list of names", v)
			}
			d.DependsOn = append(d.DependsOn, s)
		}
	default:
		return nil, fmt.Errorf("DependsOn %v is not a name or a list of names", v)
	}
	d.Condition, _ = m["Condition"].(string)
	d.DeletionPolicy, _ = m["DeletionPolicy"].(string)
	d.UpdateReplacePolicy, _ = m["UpdateReplacePolicy"].(string)
	for _, p := range []string{d.DeletionPolicy, d.UpdateReplacePolicy} {
		switch p {
		case "", "Delete", "Retain", "RetainExceptOnCreate", "Snapshot":
		default:
			return nil, fmt.Errorf("policy %q is not Delete, Retain, RetainExceptOnCreate or Snapshot", p)
		}
	}
	return d, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// resourceDeps returns the resources of t that resource id depends on:
// DependsOn, and every Ref, Fn::GetAtt and Fn::Sub variable that names one.
func (t *template) resourceDeps(id string) []string {
	r := t.Resources[id]
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if t.Resources[name] != nil && !seen[name] && name != id {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, d := range r.DependsOn {
		add(d)
	}
	var walk func(v any, subVars map[string]any)
	walk = func(v any, subVars map[string]any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, subVars)
			}
		case map[string]any:
			if len(x) == 1 {
				if ref, ok := x["Ref"].(string); ok {
					add(ref)
					return
				}
				switch ga := x["Fn::GetAtt"].(type) {
				case []any:
					if len(ga) > 0 {
						s, _ := ga[0].(string)
						add(s)
					}
				case string:
					add(strings.SplitN(ga, ".", 2)[0])
				}
				if sub, ok := x["Fn::Sub"]; ok {
					str, vars := sub, map[string]any{}
					if l, ok := sub.([]any); ok && len(l) == 2 {
						str, vars = l[0], asMap(l[1])
						walk(l[1], nil)
					}
					if s, ok := str.(string); ok {
						for _, name := range subVariables(s) {
							if _, isVar := vars[name]; !isVar {
								add(strings.SplitN(name, ".", 2)[0])
							}
						}
					}
					return
				}
			}
			for _, e := range x {
				walk(e, subVars)
			}
		}
	}
	walk(r.Properties, nil)
	return out
}

// subVariables returns the ${...} variables of an Fn::Sub string
// (without the ${!...} literals).
func subVariables(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.Index(s, "}")
		if j < 0 {
			return out
		}
		if !strings.HasPrefix(s, "!") {
			out = append(out, strings.TrimSpace(s[:j]))
		}
		s = s[j+1:]
	}
}
