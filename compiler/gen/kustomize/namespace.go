package kustomize

import (
	"path"
	"slices"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/externalsecrets"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// namespaceBaseFiles writes the guard rails every tenant namespace has on
// every cluster: the namespace under the restricted Pod Security standard,
// a quota, container defaults, and network policies that deny all traffic
// but within the namespace, to DNS, and to the services behind an ingress.
func namespaceBaseFiles(fs *k8s.Files, t *model.Tenant) {
	dir, origin, src := layout.NamespaceBase(t.Name), fstree.Origin{Tenant: t.Name}, t.Pos.File
	ns := t.Namespace()
	objs := []obj{
		namespace(t),
		resourceQuota(t),
		limitRange(ns),
		networkPolicy(ns, "default-deny", obj{}, []string{"Ingress", "Egress"}, nil, nil),
		networkPolicy(ns, "allow-same-namespace", notWorkers(t), []string{"Ingress", "Egress"},
			[]obj{{"from": []obj{{"podSelector": obj{}}}}},
			[]obj{{"to": []obj{{"podSelector": obj{}}}}}),
		networkPolicy(ns, "allow-dns", obj{}, []string{"Egress"}, nil, []obj{{
			"to": []obj{{
				"namespaceSelector": obj{"matchLabels": obj{"kubernetes.io/metadata.name": "kube-system"}},
				"podSelector":       obj{"matchLabels": obj{"k8s-app": "kube-dns"}},
			}},
			"ports": []obj{{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}},
		}}),
	}
	if p := allowIngressTraffic(t); p != nil {
		objs = append(objs, p)
	}
	if hasWorker(t) {
		// Workers reach the namespace's pods, and no pod reaches them.
		objs = append(objs, networkPolicy(ns, "allow-workers-egress", obj{"matchLabels": obj{k8s.LabelComponent: WorkerComponent}}, []string{"Egress"},
			nil, []obj{{"to": []obj{{"podSelector": obj{}}}}}))
	}
	resources := fs.AddObjects(dir, origin, src, objs...)
	slices.Sort(resources)
	fs.Add(dir, "kustomization.yaml", origin, src, kustomization(ns, resources, tenantLabels(t)))
}

// namespace is the tenant's namespace under the restricted Pod Security
// standard. When the tenant leaves the cluster, Argo CD prunes it with its
// guard rails, and Kubernetes deletes everything in it: what platformc
// diff says, as a risky change. (Keeping it, with Prune=false, left the
// tenant's workloads running without their guard rails, and the
// generation's namespaces Application out of sync for good.)
func namespace(t *model.Tenant) obj {
	return k8s.New("v1", "Namespace", "", t.Namespace(), map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	})
}

func resourceQuota(t *model.Tenant) obj {
	o := k8s.New("v1", "ResourceQuota", t.Namespace(), "quota", nil)
	o["spec"] = obj{"hard": obj{
		"requests.cpu":           t.Quota.CPU,
		"limits.cpu":             t.Quota.CPU,
		"requests.memory":        t.Quota.Memory,
		"limits.memory":          t.Quota.Memory,
		"pods":                   t.Quota.Pods,
		"services.loadbalancers": 0,
		"services.nodeports":     0,
	}}
	return o
}

// limitRange gives containers that name no resources the schema's defaults.
func limitRange(ns string) obj {
	o := k8s.New("v1", "LimitRange", ns, "defaults", nil)
	o["spec"] = obj{"limits": []obj{{
		"type":           "Container",
		"default":        obj{"cpu": "100m", "memory": "128Mi"},
		"defaultRequest": obj{"cpu": "100m", "memory": "128Mi"},
	}}}
	return o
}

// notWorkers selects the namespace's pods but its workers' (every pod when
// it has none, as the policy always did).
func notWorkers(t *model.Tenant) obj {
	if !hasWorker(t) {
		return obj{}
	}
	return obj{"matchExpressions": []obj{{"key": k8s.LabelComponent, "operator": "NotIn", "values": []string{WorkerComponent}}}}
}

func hasWorker(t *model.Tenant) bool {
	return slices.ContainsFunc(t.Services, func(s *model.Service) bool { return s.Kind == model.Worker })
}

func networkPolicy(ns, name string, podSelector obj, types []string, ingress, egress []obj) obj {
	o := k8s.New("networking.k8s.io/v1", "NetworkPolicy", ns, name, nil)
	spec := obj{"podSelector": podSelector, "policyTypes": types}
	if ingress != nil {
		spec["ingress"] = ingress
	}
	if egress != nil {
		spec["egress"] = egress
	}
	o["spec"] = spec
	return o
}

// allowIngressTraffic lets the load balancer reach the pods of services with
// an ingress. With target type ip the ALB connects from addresses of the VPC
// that are not known in advance; these services are public anyway, so their
// port is open to any source. Nil when no service has an ingress.
func allowIngressTraffic(t *model.Tenant) obj {
	var names []string
	var ports []obj
	for _, s := range t.Services {
		if s.Ingress != nil {
			names = append(names, s.Name)
			ports = append(ports, obj{"protocol": "TCP", "port": s.Port})
		}
	}
	if names == nil {
		return nil
	}
	sel := obj{"matchExpressions": []obj{{"key": k8s.LabelName, "operator": "In", "values": names}}}
	return networkPolicy(t.Namespace(), "allow-ingress-traffic", sel, []string{"Ingress"}, []obj{{"ports": ports}}, nil)
}

// namespaceOverlayFiles adds what depends on the cluster: the egress
// policy that needs its VPC range (anything outside the VPC, plus the
// ranges inside it that the tenant declared, but no other pod), and the
// SecretStore bound to the tenant's secret for the cluster's environment.
func namespaceOverlayFiles(fs *k8s.Files, p *model.Platform, t *model.Tenant, g model.Generation) {
	c := g.Cluster
	to := []obj{{"ipBlock": obj{"cidr": "0.0.0.0/0", "except": []string{c.CIDR}}}}
	for _, cidr := range t.Egress {
		to = append(to, obj{"ipBlock": obj{"cidr": cidr.Name}})
	}
	secret := naming.Secret(p, t, c.Environment)
	dir, origin := layout.NamespaceOverlay(t.Name, g.Name()), fstree.Origin{Tenant: t.Name, Cluster: c.Name}
	resources := fs.AddObjects(dir, origin, t.Pos.File,
		networkPolicy(t.Namespace(), "allow-egress", obj{}, []string{"Egress"}, nil, []obj{{"to": to}}),
		externalsecrets.ServiceAccount(secret),
		externalsecrets.SecretStore(secret),
	)
	fs.Add(dir, "kustomization.yaml", origin, t.Pos.File, kustomization(t.Namespace(), append([]string{"../../base"}, resources...), merge(tenantLabels(t), generationLabels(g))))
}

// clusterFiles writes the kustomization of every tenant namespace placed on
// a cluster generation and, on EKS Auto Mode, the ConfigMap that has it
// enforce their NetworkPolicies.
func clusterFiles(fs *k8s.Files, p *model.Platform, g model.Generation) {
	dir, origin := layout.Cluster(g.Name()), fstree.Origin{Cluster: g.Cluster.Name}
	var resources []string
	if g.Cluster.Capacity.Mode == model.AutoMode {
		cm := k8s.New("v1", "ConfigMap", naming.NetworkPolicyNamespace, naming.NetworkPolicyConfigMap, nil)
		cm["data"] = map[string]string{naming.NetworkPolicyKey: "true"}
		resources = fs.AddObjects(dir, origin, g.Cluster.Pos.File, cm)
	}
	for _, t := range p.Tenants {
		if t.PlacedOn(g.Cluster.Name) {
			resources = append(resources, path.Join("../..", layout.NamespaceOverlay(t.Name, g.Name())))
		}
	}
	fs.Add(dir, "kustomization.yaml", origin, g.Cluster.Pos.File, kustomization("", resources, nil))
}
