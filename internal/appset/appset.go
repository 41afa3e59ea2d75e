package appset

import (
	"bytes"
	"fmt"
	"text/template"
)

// Object is a decoded YAML object.
type Object = map[string]any

// Clusters returns the cluster generator's parameters for every cluster
// Secret that the given objects' ExternalSecrets template: name, server
// and the Secret's labels and annotations. The server is a placeholder:
// it is only known once the cluster exists.
func Clusters(objs []Object) []Object {
	var out []Object
	for _, es := range objs {
		if es["kind"] != "ExternalSecret" {
			continue
		}
		tmpl := get(es, "spec", "target", "template")
		labels, _ := get(tmpl, "metadata", "labels").(Object)
		if labels["argocd.argoproj.io/secret-type"] != "cluster" {
			continue
		}
		annotations, _ := get(tmpl, "metadata", "annotations").(Object)
		if annotations == nil {
			annotations = Object{}
		}
		name, _ := get(tmpl, "data", "name").(string)
		out = append(out, Object{
			"name":           name,
			"nameNormalized": name,
			"server":         "https://ABCDEF.gr7.ap-northeast-1.eks.amazonaws.com",
			"metadata":       Object{"labels": labels, "annotations": annotations},
		})
	}
	return out
}

// Expand returns the Applications that the ApplicationSet makes for the
// clusters its cluster generators select, with the parameters of the
// cluster each was made for.
func Expand(appSet Object, clusters []Object) (apps, params []Object, err error) {
	gens, _ := get(appSet, "spec", "generators").([]any)
	for _, g := range gens {
		for _, c := range clusters {
			labels, _ := get(c, "metadata", "labels").(Object)
			if !Selects(g.(Object), labels) {
				continue
			}
			app, err := Render(get(appSet, "spec", "template"), c)
			if err != nil {
				return nil, nil, fmt.Errorf("for %s: %w", c["name"], err)
			}
			a := app.(Object)
			a["apiVersion"], a["kind"] = "argoproj.io/v1alpha1", "Application"
			if ns := get(appSet, "metadata", "namespace"); ns != nil {
				a["metadata"].(Object)["namespace"] = ns
			}
			apps, params = append(apps, a), append(params, c)
		}
	}
	return apps, params, nil
}

// Selects reports whether a cluster generator's selector matches labels.
func Selects(gen Object, labels Object) bool {
	sel := get(gen, "clusters", "selector")
	matchLabels, _ := get(sel, "matchLabels").(Object)
	for k, v := range matchLabels {
		if labels[k] != v {
			return false
		}
	}
	exprs, _ := get(sel, "matchExpressions").([]any)
	for _, e := range exprs {
		key, _ := get(e, "key").(string)
		op, _ := get(e, "operator").(string)
		val, has := labels[key]
		in := false
		values, _ := get(e, "values").([]any)
		for _, v := range values {
			in = in || (has && v == val)
		}
		if (op == "In" && !in) || (op == "Exists" && !has) || (op == "NotIn" && in) || (op == "DoesNotExist" && has) {
			return false
		}
	}
	return true
}

// Render executes every string of v, map keys included, as a Go template
// with missingkey=error, as Argo CD does with goTemplate.
func Render(v any, params Object) (any, error) {
	switch v := v.(type) {
	case string:
		tmpl, err := template.New("").Option("missingkey=error").Parse(v)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, params); err != nil {
			return nil, err
		}
		return b.String(), nil
	case Object:
		out := Object{}
		for k, x := range v {
			key, err := Render(k, params)
			if err != nil {
				return nil, err
			}
			r, err := Render(x, params)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[key.(string)] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := Render(x, params)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(Object)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
