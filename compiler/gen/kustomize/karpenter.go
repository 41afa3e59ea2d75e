package kustomize

import (
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/k8s"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// KarpenterNodeClass and KarpenterNodePool name the default EC2NodeClass
// and NodePool of a generation that runs Karpenter.
const (
	KarpenterNodeClass = "default"
	KarpenterNodePool  = "default"
)

// addonFiles writes, for each add-on of the generation that needs them,
// the objects its chart does not make: for Karpenter, the EC2NodeClass
// and NodePool without which it starts no node. Its nodes take the
// generation's private subnets, found by the tags its network stack
// gives them, the security group EKS makes for the cluster, and the role
// its add-ons stack creates; pods cannot reach the instance metadata
// service (a hop limit of 1, Karpenter's default).
func addonFiles(fs *k8s.Files, p *model.Platform, g model.Generation) {
	for _, a := range p.AddonsOf(g.Cluster) {
		if a.AWS != model.KarpenterAddon {
			continue
		}
		nodeClass := k8s.New("karpenter.k8s.aws/v1", "EC2NodeClass", "", KarpenterNodeClass, nil)
		nodeClass["spec"] = obj{
			"role":             naming.KarpenterNodeRole(p, g),
			"amiSelectorTerms": []obj{{"alias": "al2023@latest"}},
			"subnetSelectorTerms": []obj{{"tags": map[string]string{
				naming.ClusterTag:       g.Cluster.Name,
				naming.PrivateSubnetTag: "1",
			}}},
			"securityGroupSelectorTerms": []obj{{"tags": map[string]string{"aws:eks:cluster-name": g.Name()}}},
			"tags":                       map[string]string{naming.ClusterTag: g.Cluster.Name, k8s.LabelGeneration: g.Name()},
		}
		pool := k8s.New("karpenter.sh/v1", "NodePool", "", KarpenterNodePool, nil)
		pool["spec"] = obj{
			"template": obj{"spec": obj{
				"nodeClassRef": obj{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": KarpenterNodeClass},
				"requirements": []obj{
					{"key": "kubernetes.io/arch", "operator": "In", "values": []string{"amd64"}},
					{"key": "kubernetes.io/os", "operator": "In", "values": []string{"linux"}},
					{"key": "karpenter.sh/capacity-type", "operator": "In", "values": []string{"on-demand"}},
					{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": []string{"c", "m", "r"}},
				},
				"expireAfter": "720h",
			}},
			"disruption": obj{"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"},
		}
		dir := layout.Addon(a.Name, g.Name())
		origin := fstree.Origin{Cluster: g.Cluster.Name}
		names := fs.AddObjects(dir, origin, g.Cluster.Pos.File, nodeClass, pool)
		fs.Add(dir, "kustomization.yaml", origin, g.Cluster.Pos.File, kustomization("", names, nil))
	}
}
