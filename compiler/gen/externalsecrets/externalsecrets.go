package externalsecrets

import (
	"strings"

	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

const (
	apiVersion = "external-secrets.io/v1"

	// RefreshInterval is how often ExternalSecrets re-read AWS Secrets
	// Manager, and so how soon a rotated value reaches the cluster.
	RefreshInterval = "1h"

	// ReloadAnnotation, on a Deployment, names the Secrets whose change
	// rolls its pods (the Stakater Reloader convention): a rotated value
	// is picked up without a manual restart.
	ReloadAnnotation = "secret.reloader.stakater.com/reload"
)

// ServiceAccount is the identity the tenant's SecretStore authenticates
// as: IRSA maps it to the role that may read only the tenant's secret.
func ServiceAccount(s naming.TenantSecret) k8s.Object {
	o := k8s.New("v1", "ServiceAccount", s.Namespace, naming.SecretsServiceAccount, nil)
	k8s.Meta(o)["annotations"] = map[string]string{"eks.amazonaws.com/role-arn": s.RoleARN}
	o["automountServiceAccountToken"] = false
	return o
}

// SecretStore reads AWS Secrets Manager in the secret's account and region
// as the tenant's secrets service account.
func SecretStore(s naming.TenantSecret) k8s.Object {
	o := k8s.New(apiVersion, "SecretStore", s.Namespace, naming.SecretStoreName, nil)
	o["spec"] = k8s.Object{"provider": k8s.Object{"aws": k8s.Object{
		"service": "SecretsManager",
		"region":  s.Region,
		"auth": k8s.Object{"jwt": k8s.Object{
			"serviceAccountRef": k8s.Object{"name": naming.SecretsServiceAccount},
		}},
	}}}
	return o
}

// ExternalSecrets returns one ExternalSecret per secret the tenant
// declares. Each creates a Kubernetes Secret of the same name holding only
// the listed keys, read from the properties of the tenant's one secret.
func ExternalSecrets(t *model.Tenant, s naming.TenantSecret) []k8s.Object {
	var out []k8s.Object
	for _, sec := range t.Secrets {
		var data []k8s.Object
		for _, key := range sec.Keys {
			data = append(data, k8s.Object{
				"secretKey": key,
				"remoteRef": k8s.Object{"key": s.Name, "property": key},
			})
		}
		o := k8s.New(apiVersion, "ExternalSecret", t.Namespace(), sec.Name, nil)
		o["spec"] = k8s.Object{
			"refreshInterval": RefreshInterval,
			"secretStoreRef":  k8s.Object{"kind": "SecretStore", "name": naming.SecretStoreName},
			"target":          k8s.Object{"name": sec.Name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
			"data":            data,
		}
		out = append(out, o)
	}
	return out
}

// Reload is the value of ReloadAnnotation for a workload, or "" when it
// uses no secret.
func Reload(w *model.Workload) string {
	names := make([]string, len(w.Secrets))
	for i, r := range w.Secrets {
		names[i] = r.Name
	}
	return strings.Join(names, ",")
}
