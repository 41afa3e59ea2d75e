package kustomize

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/externalsecrets"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// appBaseFiles writes the tenant's workloads.
func appBaseFiles(fs *k8s.Files, p *model.Platform, t *model.Tenant) {
	ns := t.Namespace()
	var objs []obj
	for _, s := range t.Services {
		objs = append(objs, serviceAccount(ns, &s.Workload, component(s)), deployment(ns, s), podDisruptionBudget(ns, s))
		objs = append(objs, filesConfigMap(ns, &s.Workload, component(s))...)
		if s.Autoscaling != nil {
			objs = append(objs, autoscaler(ns, s))
		}
		if s.Kind == model.Worker {
			continue
		}
		objs = append(objs, service(ns, s))
		if s.Ingress != nil {
			objs = append(objs, ingress(p, t, s))
		}
	}
	for _, j := range t.Jobs {
		objs = append(objs, serviceAccount(ns, &j.Workload, "job"), cronJob(ns, j))
		objs = append(objs, filesConfigMap(ns, &j.Workload, "job")...)
	}
	for _, m := range t.Manifests {
		objs = append(objs, manifest(ns, m))
	}
	dir, origin := layout.AppBase(t.Name), fstree.Origin{Tenant: t.Name}
	resources := fs.AddObjects(dir, origin, t.Pos.File, objs...)
	slices.Sort(resources)
	fs.Add(dir, "kustomization.yaml", origin, t.Pos.File, kustomization(ns, resources, tenantLabels(t)))
}

// appOverlayFiles writes what differs on a cluster generation: its labels,
// the ExternalSecrets reading the environment's secret, the per-cluster
// overrides of the tenant's services, the DNS name its load balancer gets
// in this generation, and, on a generation without the traffic majority,
// suspended CronJobs.
func appOverlayFiles(fs *k8s.Files, p *model.Platform, t *model.Tenant, g model.Generation) {
	c := g.Cluster
	dir, origin := layout.AppOverlay(t.Name, g.Name()), fstree.Origin{Tenant: t.Name, Cluster: c.Name}
	secrets := fs.AddObjects(dir, origin, t.Pos.File, externalsecrets.ExternalSecrets(t, naming.Secret(p, t, c.Environment))...)
	k := kustomization("", append([]string{"../../base"}, secrets...), merge(tenantLabels(t), generationLabels(g)))
	var replicas []obj
	var patches []obj
	if hasIngress(t) {
		patches = append(patches, jsonPatch(fs, "Ingress", "", []obj{{
			"op":    "add",
			"path":  "/metadata/annotations/" + strings.ReplaceAll(naming.ExternalDNSHostname, "/", "~1"),
			"value": naming.LoadBalancerName(g, t),
		}}))
	}
	for _, w := range t.Workloads() {
		if len(w.AWS) == 0 {
			continue
		}
		// The role is the environment's: the base cannot name it.
		_, arn := naming.WorkloadRole(p, t, w, c.Environment)
		patches = append(patches, jsonPatch(fs, "ServiceAccount", w.ServiceAccount(), []obj{{
			"op": "add", "path": "/metadata/annotations", "value": obj{naming.RoleAnnotation: arn},
		}}))
	}
	if !g.RunsJobs && len(t.Jobs) > 0 {
		// Batch jobs must not run twice: during an upgrade they run only on
		// the generation that carries the traffic majority.
		patches = append(patches, jsonPatch(fs, "CronJob", "", []obj{{"op": "replace", "path": "/spec/suspend", "value": true}}))
	}
	for _, s := range t.Services {
		o := s.Override(c.Name)
		if o == nil {
			continue
		}
		if o.Replicas != 0 {
			replicas = append(replicas, obj{"name": s.Name, "count": o.Replicas})
		}
		if o.Min != 0 || o.Max != 0 {
			a := s.On(c.Name).Autoscaling
			patches = append(patches, jsonPatch(fs, "HorizontalPodAutoscaler", s.Name, []obj{
				{"op": "replace", "path": "/spec/minReplicas", "value": a.Min},
				{"op": "replace", "path": "/spec/maxReplicas", "value": a.Max},
			}))
		}
		var ops []obj
		for _, r := range []struct{ field, value string }{{"cpu", o.CPU}, {"memory", o.Memory}} {
			if r.value == "" {
				continue
			}
			for _, kind := range []string{"requests", "limits"} {
				ops = append(ops, obj{"op": "replace", "path": "/spec/template/spec/containers/0/resources/" + kind + "/" + r.field, "value": r.value})
			}
		}
		if len(ops) > 0 {
			patches = append(patches, jsonPatch(fs, "Deployment", s.Name, ops))
		}
		if o.Host != "" && s.Ingress != nil {
			patches = append(patches, jsonPatch(fs, "Ingress", s.Name, []obj{{"op": "replace", "path": "/spec/rules/0/host", "value": o.Host}}))
		}
	}
	if len(replicas) > 0 {
		k["replicas"] = replicas
	}
	if len(patches) > 0 {
		k["patches"] = patches
	}
	fs.Add(dir, "kustomization.yaml", origin, t.Pos.File, k)
}

func hasIngress(t *model.Tenant) bool {
	return slices.ContainsFunc(t.Services, func(s *model.Service) bool { return s.Ingress != nil })
}

// jsonPatch is a kustomization patch entry with an inline JSON 6902 patch,
// written as YAML, for the object of kind and name, or every object of kind
// when name is "".
func jsonPatch(fs *k8s.Files, kind, name string, ops []obj) obj {
	data, err := encode.YAML(ops)
	if err != nil && fs.Err == nil {
		fs.Err = err
	}
	target := obj{"kind": kind}
	if name != "" {
		target["name"] = name
	}
	return obj{"target": target, "patch": string(data)}
}

func selector(w *model.Workload) map[string]string { return map[string]string{k8s.LabelName: w.Name} }

func workloadLabels(w *model.Workload, component string) map[string]string {
	return map[string]string{k8s.LabelName: w.Name, k8s.LabelComponent: component}
}

func serviceAccount(ns string, w *model.Workload, component string) obj {
	o := k8s.New("v1", "ServiceAccount", ns, w.ServiceAccount(), workloadLabels(w, component))
	o["automountServiceAccountToken"] = false
	return o
}

// component is the app.kubernetes.io/component label of a service's
// objects: "service", or "worker", which the namespace's policies admit
// no traffic to.
func component(s *model.Service) string {
	if s.Kind == model.Worker {
		return WorkerComponent
	}
	return "service"
}

// WorkerComponent is the component label of a worker's pods.
const WorkerComponent = "worker"

func deployment(ns string, s *model.Service) obj {
	c := container(&s.Workload)
	switch {
	case s.Kind != model.Worker:
		c["ports"] = []obj{{"name": "http", "containerPort": s.Port, "protocol": "TCP"}}
		c["readinessProbe"] = obj{
			"httpGet":          obj{"path": s.Health, "port": "http"},
			"periodSeconds":    5,
			"failureThreshold": 3,
		}
		c["livenessProbe"] = obj{
			"httpGet":             obj{"path": s.Health, "port": "http"},
			"initialDelaySeconds": 10,
			"periodSeconds":       10,
			"failureThreshold":    3,
		}
	case len(s.Probe) > 0:
		c["livenessProbe"] = obj{
			"exec":                obj{"command": s.Probe},
			"initialDelaySeconds": 10,
			"periodSeconds":       10,
			"failureThreshold":    3,
		}
	}
	o := k8s.New("apps/v1", "Deployment", ns, s.Name, workloadLabels(&s.Workload, component(s)))
	if reload := externalsecrets.Reload(&s.Workload); reload != "" {
		k8s.Meta(o)["annotations"] = map[string]string{externalsecrets.ReloadAnnotation: reload}
	}
	o["spec"] = obj{
		"revisionHistoryLimit": 5,
		"selector":             obj{"matchLabels": selector(&s.Workload)},
		"strategy":             obj{"type": "RollingUpdate", "rollingUpdate": obj{"maxUnavailable": 0, "maxSurge": "25%"}},
		"template":             podTemplate(&s.Workload, component(s), c, ""),
	}
	if s.Autoscaling == nil {
		// An autoscaled Deployment sets no replicas: the autoscaler owns
		// them, and Argo CD compares only what the manifest sets.
		o["spec"].(obj)["replicas"] = s.Replicas
	}
	return o
}

// autoscaler scales the service's Deployment on its pods' CPU use,
// relative to what they request (which every container sets).
func autoscaler(ns string, s *model.Service) obj {
	a := s.Autoscaling
	o := k8s.New("autoscaling/v2", "HorizontalPodAutoscaler", ns, s.Name, workloadLabels(&s.Workload, component(s)))
	o["spec"] = obj{
		"scaleTargetRef": obj{"apiVersion": "apps/v1", "kind": "Deployment", "name": s.Name},
		"minReplicas":    a.Min,
		"maxReplicas":    a.Max,
		"metrics": []obj{{"type": "Resource", "resource": obj{
			"name":   "cpu",
			"target": obj{"type": "Utilization", "averageUtilization": a.CPU},
		}}},
	}
	return o
}

// podDisruptionBudget lets node drains (upgrades, Karpenter consolidation)
// take down one pod of the service at a time. A budget of unavailable
// pods, rather than of available ones, follows an autoscaler's count: it
// never blocks a drain, whatever autoscaling.min is, and never takes more
// than one pod below it.
func podDisruptionBudget(ns string, s *model.Service) obj {
	o := k8s.New("policy/v1", "PodDisruptionBudget", ns, s.Name, workloadLabels(&s.Workload, component(s)))
	o["spec"] = obj{"maxUnavailable": 1, "selector": obj{"matchLabels": selector(&s.Workload)}}
	return o
}

func service(ns string, s *model.Service) obj {
	o := k8s.New("v1", "Service", ns, s.Name, workloadLabels(&s.Workload, "service"))
	o["spec"] = obj{
		"type":     "ClusterIP",
		"selector": selector(&s.Workload),
		"ports":    []obj{{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}},
	}
	return o
}

// ingress exposes a service through an internet-facing ALB of the AWS Load
// Balancer Controller, in the tenant's IngressGroup (shared by the
// generation's tenants, or the tenant's own: model.Platform.IngressGroup),
// HTTPS only, with the certificate discovered from the host.
func ingress(p *model.Platform, t *model.Tenant, s *model.Service) obj {
	group, order := p.IngressGroup(t)
	o := k8s.New("networking.k8s.io/v1", "Ingress", t.Namespace(), s.Name, workloadLabels(&s.Workload, "service"))
	annotations := map[string]string{
		"alb.ingress.kubernetes.io/scheme":           "internet-facing",
		"alb.ingress.kubernetes.io/target-type":      "ip",
		"alb.ingress.kubernetes.io/listen-ports":     `[{"HTTPS":443}]`,
		"alb.ingress.kubernetes.io/ssl-policy":       "ELBSecurityPolicy-TLS13-1-2-2021-06",
		"alb.ingress.kubernetes.io/group.name":       group,
		"alb.ingress.kubernetes.io/healthcheck-path": s.Health,
		naming.ExternalDNSSource:                     "annotation-only",
	}
	if order != 0 {
		annotations["alb.ingress.kubernetes.io/group.order"] = strconv.Itoa(order)
	}
	k8s.Meta(o)["annotations"] = annotations
	o["spec"] = obj{
		"ingressClassName": "alb",
		"rules": []obj{{
			"host": s.Ingress.Host,
			"http": obj{"paths": []obj{{
				"path":     s.Ingress.Path,
				"pathType": "Prefix",
				"backend":  obj{"service": obj{"name": s.Name, "port": obj{"name": "http"}}},
			}}},
		}},
	}
	return o
}

func cronJob(ns string, j *model.Job) obj {
	o := k8s.New("batch/v1", "CronJob", ns, j.Name, workloadLabels(&j.Workload, "job"))
	o["spec"] = obj{
		"schedule":                   j.Schedule,
		"timeZone":                   j.TimeZone,
		"suspend":                    j.Suspend,
		"concurrencyPolicy":          "Forbid",
		"startingDeadlineSeconds":    300,
		"successfulJobsHistoryLimit": 3,
		"failedJobsHistoryLimit":     3,
		"jobTemplate": obj{"spec": obj{
			"backoffLimit": 2,
			"template":     podTemplate(&j.Workload, "job", container(&j.Workload), "Never"),
		}},
	}
	return o
}

// manifest is one of the tenant's own objects, as written, in its
// namespace (the loader has refused any other).
func manifest(ns string, m *model.Manifest) obj {
	o := obj{}
	maps.Copy(o, m.Object)
	meta := obj{}
	written, _ := o["metadata"].(map[string]any)
	maps.Copy(meta, written)
	meta["namespace"] = ns
	o["metadata"] = meta
	return o
}

// filesConfigMap holds the workload's files, if it has any: immutable,
// since its name changes with its content (naming.FilesConfigMap).
func filesConfigMap(ns string, w *model.Workload, component string) []obj {
	if len(w.Files) == 0 {
		return nil
	}
	o := k8s.New("v1", "ConfigMap", ns, naming.FilesConfigMap(w), workloadLabels(w, component))
	data := map[string]string{}
	for _, f := range w.Files {
		data[naming.FileKey(f.Path)] = f.Content
	}
	o["data"] = data
	o["immutable"] = true
	return []obj{o}
}

// filesVolume is the volume of the workload's files.
const filesVolume = "files"

// podTemplate runs one container under the workload's service account with
// the restricted Pod Security profile, a writable /tmp, and its files
// mounted read-only.
func podTemplate(w *model.Workload, component string, c obj, restartPolicy string) obj {
	spec := obj{
		"serviceAccountName":           w.ServiceAccount(),
		"automountServiceAccountToken": false,
		"securityContext": obj{
			"runAsNonRoot":   true,
			"seccompProfile": obj{"type": "RuntimeDefault"},
		},
		"containers": []obj{c},
		"volumes":    []obj{{"name": "tmp", "emptyDir": obj{}}},
	}
	if len(w.Files) > 0 {
		spec["volumes"] = append(spec["volumes"].([]obj), obj{"name": filesVolume, "configMap": obj{"name": naming.FilesConfigMap(w)}})
	}
	if restartPolicy != "" {
		spec["restartPolicy"] = restartPolicy
	}
	return obj{
		"metadata": obj{"labels": workloadLabels(w, component)},
		"spec":     spec,
	}
}

func container(w *model.Workload) obj {
	c := obj{
		"name":            w.Name,
		"image":           w.Image,
		"imagePullPolicy": "IfNotPresent",
		"resources": obj{
			"requests": obj{"cpu": w.CPU, "memory": w.Memory},
			"limits":   obj{"cpu": w.CPU, "memory": w.Memory},
		},
		"securityContext": obj{
			"allowPrivilegeEscalation": false,
			"readOnlyRootFilesystem":   true,
			"runAsNonRoot":             true,
			"capabilities":             obj{"drop": []string{"ALL"}},
		},
		"volumeMounts": []obj{{"name": "tmp", "mountPath": "/tmp"}},
	}
	// Each file at its own path (subPath), leaving the rest of its folder
	// as the image has it.
	for _, f := range w.Files {
		c["volumeMounts"] = append(c["volumeMounts"].([]obj), obj{"name": filesVolume, "mountPath": f.Path, "subPath": naming.FileKey(f.Path), "readOnly": true})
	}
	if len(w.Command) > 0 {
		c["command"] = w.Command
	}
	if len(w.Args) > 0 {
		c["args"] = w.Args
	}
	if len(w.Env) > 0 {
		var env []obj
		for _, k := range slices.Sorted(maps.Keys(w.Env)) {
			env = append(env, obj{"name": k, "value": w.Env[k]})
		}
		c["env"] = env
	}
	if len(w.Secrets) > 0 {
		var from []obj
		for _, r := range w.Secrets {
			from = append(from, obj{"secretRef": obj{"name": r.Name}})
		}
		c["envFrom"] = from
	}
	return c
}
