package cdk

import (
	"fmt"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// AddonsSpec is the IAM side of a generation's add-ons: for each add-on
// with AWS wiring, a role that only the add-on's service account on the
// generation may assume (IRSA), with the policy the add-on documents and
// scoped to the generation where the add-on's policy allows it.
type AddonsSpec struct {
	ClusterName string // the generation's EKS cluster
	Issuer      IssuerParameters
	Roles       []AddonRole
}

// AddonRole is an add-on's role on a generation.
type AddonRole struct {
	Addon       string
	AWS         string // model.Addon.AWS: which policy
	Name        string
	Subject     string // system:serviceaccount:<namespace>:<service account>
	Description string
	LogGroup    string `json:",omitempty"` // cloudwatch-logs: the group it writes to
	NodeRole    string `json:",omitempty"` // karpenter: the role of the nodes it starts
	Queue       string `json:",omitempty"` // karpenter: its interruption queue
	Domain      string `json:",omitempty"` // external-dns: the only names it may write, model.Generation.Domain
}

func (AddonsSpec) kind() string { return "addons" }

// addonsSpecFor returns the spec of the generation's add-on roles; it has
// no role when no add-on of the generation needs one.
func addonsSpecFor(p *model.Platform, g model.Generation) AddonsSpec {
	s := AddonsSpec{
		ClusterName: g.Name(),
		Issuer: IssuerParameters{
			Generation:  g.Name(),
			Issuer:      naming.ClusterParameter(p, g, ParamOIDCIssuer),
			ProviderARN: naming.ClusterParameter(p, g, ParamOIDCProviderARN),
		},
	}
	for _, a := range p.AddonsOf(g.Cluster) {
		if a.AWS == "" {
			continue
		}
		r := AddonRole{
			Addon:       a.Name,
			AWS:         a.AWS,
			Name:        naming.AddonRoleName(p, g, a),
			Subject:     "system:serviceaccount:" + a.Namespace + ":" + a.ServiceAccount,
			Description: fmt.Sprintf("platformc: add-on %s on EKS cluster %s (IRSA)", a.Name, g.Name()),
		}
		switch a.AWS {
		case model.CloudWatchLogs:
			r.LogGroup = naming.LogGroup(g.Name())
		case model.KarpenterAddon:
			r.NodeRole, r.Queue = naming.KarpenterNodeRole(p, g), naming.KarpenterQueue(g.Name())
		case model.ExternalDNS:
			r.Domain = g.Domain()
		}
		s.Roles = append(s.Roles, r)
	}
	return s
}
