package diff

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// retiringLabel marks a retiring generation's registration
// (argocd.RetiringLabel).
const retiringLabel = "platformc.io/retiring"

// risk says why a change deserves a second look, or "".
func risk(c Change) string {
	id := c.Object
	switch {
	case id.Kind == "Namespace" && c.Action == Removed:
		return fmt.Sprintf("deletes namespace %s and everything in it", id.Name)
	case c.Action == Removed && (id.Kind == "ApplicationSet" || id.Kind == "AppProject"):
		return fmt.Sprintf("removes Argo CD %s %s", id.Kind, id.Name)
	case id.Kind == "AppProject" && c.Action == Modified && field(c.Before, "spec", "destinations") != field(c.After, "spec", "destinations"):
		return fmt.Sprintf("changes where project %s may deploy", id.Name)
	case id.Kind == "AppProject" && c.Action == Modified:
		return fmt.Sprintf("changes what project %s may do", id.Name)
	case id.Kind == "ExternalSecret" && c.Action == Removed && strings.HasPrefix(id.Name, "cluster-"):
		return fmt.Sprintf("unregisters cluster generation %s from Argo CD", strings.TrimPrefix(id.Name, "cluster-"))
	case id.Kind == "ExternalSecret" && c.Action == Modified && strings.HasPrefix(id.Name, "cluster-") &&
		field(c.After, "spec", "target", "template", "metadata", "labels", retiringLabel) != field(c.Before, "spec", "target", "template", "metadata", "labels", retiringLabel):
		return fmt.Sprintf("retires cluster generation %s: Argo CD deletes its tenants' objects, namespaces and Karpenter NodePools there, and keeps its add-ons", strings.TrimPrefix(id.Name, "cluster-"))
	case id.Kind == "ExternalSecret" && c.Action == Modified && strings.HasPrefix(id.Name, "cluster-") &&
		field(c.Before, "spec", "target", "template", "metadata") != field(c.After, "spec", "target", "template", "metadata"):
		return fmt.Sprintf("changes the add-ons (which, chart versions, roles) of cluster generation %s", strings.TrimPrefix(id.Name, "cluster-"))
	case id.Kind == "ApplicationSet" && c.Action == Modified && strings.HasPrefix(id.Name, "addon-"):
		return fmt.Sprintf("changes add-on %s on every cluster generation that installs it", strings.TrimPrefix(id.Name, "addon-"))
	case id.Kind == "NetworkPolicy" && c.Action != Added:
		return fmt.Sprintf("%s network policy %s", verb(c.Action), id.Name)
	case (id.Kind == "ResourceQuota" || id.Kind == "SecretStore") && c.Action != Added:
		return fmt.Sprintf("%s %s %s", verb(c.Action), id.Kind, id.Name)
	case id.Kind == "ServiceAccount" && c.Action == Modified && field(c.Before, "metadata", "annotations") != field(c.After, "metadata", "annotations"):
		return fmt.Sprintf("changes the annotations (the IAM role) of service account %s", id.Name)
	}
	return ""
}

func verb(a Action) string {
	if a == Removed {
		return "removes"
	}
	return "changes"
}

// field returns the value at keys of a canonical YAML or JSON document,
// encoded again so that two values compare as strings.
func field(doc string, keys ...string) string {
	var v any
	if yaml.Unmarshal([]byte(doc), &v) != nil {
		return ""
	}
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	out, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(out))
}
