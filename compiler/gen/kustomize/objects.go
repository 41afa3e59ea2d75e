package kustomize

import (
	"maps"

	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/model"
)

type obj = k8s.Object

// kustomization is a kustomization.yaml. resources are kept in the given
// order; labels are added to objects and pod templates, never to selectors.
func kustomization(namespace string, resources []string, labels map[string]string) obj {
	k := obj{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
	}
	if namespace != "" {
		k["namespace"] = namespace
	}
	if len(labels) > 0 {
		k["labels"] = []obj{{"pairs": labels, "includeSelectors": false, "includeTemplates": true}}
	}
	return k
}

func tenantLabels(t *model.Tenant) map[string]string {
	return map[string]string{k8s.LabelPartOf: t.Name, k8s.LabelManagedBy: "platformc", k8s.LabelTenant: t.Name}
}

func generationLabels(g model.Generation) map[string]string {
	return map[string]string{
		k8s.LabelCluster:     g.Cluster.Name,
		k8s.LabelEnvironment: g.Cluster.Environment,
		k8s.LabelGeneration:  g.Name(),
	}
}

func merge(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}
