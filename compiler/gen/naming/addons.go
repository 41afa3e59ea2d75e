package naming

import (
	"maps"
	"slices"

	"github.com/platformc/platformc/compiler/model"
)

// AddonFacts are what an add-on needs to know of the generation it runs
// on. The Argo CD generator passes them as ApplicationSet template
// expressions; tests pass literal values.
type AddonFacts struct {
	Generation string // the EKS cluster's name
	Cluster    string // the logical cluster's name
	Region     string
	Zone       string // the cluster's DNS zone
	Role       string // the ARN of the add-on's IAM role, for an add-on with AWS wiring
}

// AddonValues returns the add-on's Helm values: the platform's, with those
// that platformc sets for the add-on's AWS wiring (PlatformValues) laid
// over them.
func AddonValues(a *model.Addon, f AddonFacts) map[string]any {
	out := clone(a.Values)
	merge(out, PlatformValues(a, f))
	return out
}

// PlatformValues returns the Helm values that platformc sets for the
// add-on's AWS wiring: the service account and its role, and the facts
// of the generation that the add-on's chart asks for under the names it
// documents.
func PlatformValues(a *model.Addon, f AddonFacts) map[string]any {
	if a.AWS == "" {
		return nil
	}
	v := map[string]any{
		"serviceAccount": map[string]any{
			"create":      true,
			"name":        a.ServiceAccount,
			"annotations": map[string]any{RoleAnnotation: f.Role},
		},
	}
	switch a.AWS {
	case model.AWSLoadBalancerController:
		// The VPC is found by the tag its network stack gives it, rather
		// than through the instance metadata service, which pods cannot
		// reach on nodes that require IMDSv2 with a hop limit of 1.
		v["clusterName"] = f.Generation
		v["region"] = f.Region
		v["vpcTags"] = map[string]any{ClusterTag: f.Cluster}
		v["tolerations"] = criticalAddon()
	case model.ExternalDNS:
		// The generation owns its records (txtOwnerId) under its own
		// domain only (model.Generation.Domain); blue and green publish their
		// load balancers' names there, which the weighted records of the
		// cluster's DNS stack point at. The tenants' hosts are the DNS
		// stack's alone: every Ingress says ExternalDNSSource, and the
		// filter keeps external-dns off any other name of the zone.
		v["provider"] = map[string]any{"name": "aws"}
		v["domainFilters"] = []any{model.GenerationDomain(f.Generation, f.Zone)}
		v["txtOwnerId"] = f.Generation
		v["env"] = []any{map[string]any{"name": "AWS_DEFAULT_REGION", "value": f.Region}}
		v["tolerations"] = criticalAddon()
	case model.KarpenterAddon:
		// Karpenter runs on the generation's small managed node group,
		// which only critical add-ons tolerate; every other pod runs on
		// the nodes it starts.
		v["settings"] = map[string]any{"clusterName": f.Generation, "interruptionQueue": KarpenterQueue(f.Generation)}
		v["nodeSelector"] = map[string]any{KarpenterPoolLabel: "karpenter"}
		v["tolerations"] = criticalAddon()
	case model.CloudWatchLogs:
		v["cloudWatchLogs"] = map[string]any{
			"enabled":      true,
			"region":       f.Region,
			"logGroupName": LogGroup(f.Generation),
		}
	}
	return v
}

// criticalAddon tolerates the taint of a "karpenter" generation's managed
// node group: Karpenter runs there, and so may the controllers that
// release a retiring generation's load balancers and DNS names while
// Karpenter's own nodes go (model.Cluster.Serving).
func criticalAddon() []any {
	return []any{map[string]any{"key": CriticalAddonsOnly, "operator": "Exists"}}
}

// The label and taint of the managed node group that runs Karpenter on a
// "karpenter" generation.
const (
	KarpenterPoolLabel = "platformc.io/node-pool"
	CriticalAddonsOnly = "CriticalAddonsOnly"
)

// PrivateSubnetTag marks the private subnets, those of internal load
// balancers and of the nodes Karpenter starts.
const PrivateSubnetTag = "kubernetes.io/role/internal-elb"

// ClusterTag tags the AWS resources of a logical cluster that its
// generations share (the VPC and its subnets), with the cluster's name.
const ClusterTag = "platformc.io/cluster"

// KarpenterNodeRole is the IAM role of the nodes Karpenter starts on a
// generation, which its EC2NodeClass names.
func KarpenterNodeRole(p *model.Platform, g model.Generation) string {
	return p.Config.Name + "-" + g.Name() + "-karpenter-node"
}

// KarpenterQueue is the SQS queue of a generation's interruption events.
func KarpenterQueue(generation string) string { return generation }

// LogGroup is the CloudWatch Logs group that a generation's log shipper
// writes the containers' logs to.
func LogGroup(generation string) string { return "/aws/eks/" + generation + "/containers" }

// Conflicts lists the values, as dotted paths, that both the platform and
// platformc's AWS wiring set.
func Conflicts(a *model.Addon) []string {
	var out []string
	var walk func(prefix string, mine, theirs map[string]any)
	walk = func(prefix string, mine, theirs map[string]any) {
		for _, k := range slices.Sorted(maps.Keys(theirs)) {
			m, ok := mine[k]
			if !ok {
				continue
			}
			mm, ok1 := m.(map[string]any)
			tm, ok2 := theirs[k].(map[string]any)
			if ok1 && ok2 {
				walk(prefix+k+".", mm, tm)
				continue
			}
			out = append(out, prefix+k)
		}
	}
	walk("", a.Values, PlatformValues(a, AddonFacts{}))
	return out
}

// clone copies a tree of JSON values.
func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			out[k] = clone(v)
		case []any:
			out[k] = slices.Clone(v)
		default:
			out[k] = v
		}
	}
	return out
}

// merge lays src over dst, map by map.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
			dst[k] = clone(sm)
			continue
		}
		dst[k] = v
	}
}
