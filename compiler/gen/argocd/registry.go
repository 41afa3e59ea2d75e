package argocd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// registry returns the service account that reads the parameters cluster
// stacks publish, and one SecretStore per account and region holding
// clusters; each store assumes the reader role of its account.
func (g generator) registry() []obj {
	sa := k8s.New("v1", "ServiceAccount", g.ns, naming.RegistryServiceAccount, nil)
	k8s.Meta(sa)["annotations"] = map[string]string{"eks.amazonaws.com/role-arn": naming.RegistryRoleARN(g.p)}
	sa["automountServiceAccountToken"] = false
	objs := []obj{sa}
	var seen []string
	for _, c := range g.p.Clusters {
		name := registryStore(c)
		if slices.Contains(seen, name) {
			continue
		}
		seen = append(seen, name)
		store := k8s.New("external-secrets.io/v1", "SecretStore", g.ns, name, nil)
		store["spec"] = obj{"provider": obj{"aws": obj{
			"service": "ParameterStore",
			"region":  c.Region,
			"role":    naming.RegistryReaderRoleARN(g.p, c),
			"auth":    obj{"jwt": obj{"serviceAccountRef": obj{"name": naming.RegistryServiceAccount}}},
		}}}
		objs = append(objs, store)
	}
	return objs
}

func registryStore(c *model.Cluster) string {
	return fmt.Sprintf("cluster-registry-%s-%s", c.Account, c.Region)
}

// ClusterLabels are the labels of a generation's Argo CD cluster Secret,
// which ApplicationSets select on: who it is, and which add-ons it
// installs.
func ClusterLabels(p *model.Platform, gen model.Generation) map[string]string {
	labels := map[string]string{
		SecretTypeLabel:      "cluster",
		k8s.LabelManagedBy:   "platformc",
		k8s.LabelCluster:     gen.Cluster.Name,
		k8s.LabelEnvironment: gen.Cluster.Environment,
		k8s.LabelVersion:     gen.Version,
		k8s.LabelGeneration:  gen.Name(),
		AddonsLabel:          "declared",
	}
	for _, a := range p.AddonsOf(gen.Cluster) {
		labels[AddonLabel(a)] = "true"
	}
	if gen.Role == model.Retiring {
		labels[RetiringLabel] = "true"
	}
	return labels
}

// ClusterSecretName is the name of a generation's Argo CD cluster Secret.
func ClusterSecretName(gen model.Generation) string { return "cluster-" + gen.Name() }

// clusterRegistration registers a cluster generation with Argo CD. The API
// endpoint and CA are only known once the generation's stack has run, so
// the Secret is assembled by an ExternalSecret from the SSM parameters the
// stack publishes. Argo CD authenticates with EKS IAM auth (awsAuthConfig),
// assuming the deployer role; no credential is stored anywhere.
func (g generator) clusterRegistration(gen model.Generation) obj {
	config, _ := json.Marshal(map[string]any{
		"awsAuthConfig": map[string]string{
			"clusterName": gen.Name(),
			"roleARN":     naming.ArgoCDDeployerRoleARN(g.p, gen.Cluster),
		},
		"tlsClientConfig": map[string]any{"caData": "{{ .caData }}"},
	})
	o := k8s.New("external-secrets.io/v1", "ExternalSecret", g.ns, ClusterSecretName(gen), nil)
	o["spec"] = obj{
		"refreshInterval": "1h",
		"secretStoreRef":  obj{"kind": "SecretStore", "name": registryStore(gen.Cluster)},
		"target": obj{
			"name":           ClusterSecretName(gen),
			"creationPolicy": "Owner",
			"template": obj{
				"engineVersion": "v2",
				"type":          "Opaque",
				"metadata":      templateMetadata(ClusterLabels(g.p, gen), g.addonAnnotations(gen)),
				"data": map[string]string{
					"name":   gen.Name(),
					"server": "{{ .endpoint }}",
					"config": strings.TrimSpace(string(config)),
				},
			},
		},
		"data": []obj{
			{"secretKey": "endpoint", "remoteRef": obj{"key": naming.ClusterParameter(g.p, gen, "endpoint")}},
			{"secretKey": "caData", "remoteRef": obj{"key": naming.ClusterParameter(g.p, gen, "ca-data")}},
		},
	}
	return o
}

func templateMetadata(labels, annotations map[string]string) obj {
	m := obj{"labels": labels}
	if len(annotations) > 0 {
		m["annotations"] = annotations
	}
	return m
}
