package cdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// TestAddonRoles checks the add-ons stack of every generation of the
// sample: a role for exactly the add-ons with AWS wiring, each assumable
// only by the add-on's service account on that generation, with the
// permissions its add-on documents scoped to the generation where they
// can be, within IAM's size limit; Karpenter's nodes get a role and an
// access entry on Karpenter clusters only.
func TestAddonRoles(t *testing.T) {
	p, _, out := sample(t)
	checked := map[string]int{}
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			name := cdk.AddonsStack(p, g)
			tmpl, ok := out.templates[name]
			var want []string
			for _, a := range p.AddonsOf(c) {
				if a.AWS != "" {
					want = append(want, naming.AddonRoleName(p, g, a))
				}
			}
			if !ok {
				if len(want) > 0 {
					t.Errorf("%s: no stack for the roles %v", name, want)
				}
				continue
			}
			roles := map[string]obj{}
			for _, r := range resources(tmpl, "AWS::IAM::Role") {
				roles[get(r, "Properties", "RoleName").(string)] = r
			}
			karpenter := c.Capacity.Mode == model.Karpenter
			if karpenter {
				want = append(want, naming.KarpenterNodeRole(p, g))
			}
			if got := slices.Sorted(maps.Keys(roles)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("%s: roles %v, want %v", name, got, want)
			}
			for _, a := range p.AddonsOf(c) {
				role, ok := roles[naming.AddonRoleName(p, g, a)]
				if !ok {
					continue
				}
				id := name + ": " + a.Name
				checkAddonTrust(t, id, p, g, a, trustOf(t, name, tmpl, role))
				doc, _ := json.Marshal(get(role, "Properties", "Policies"))
				if n := len(doc); n > 10240 {
					t.Errorf("%s: inline policies of %d characters, more than IAM's 10,240", id, n)
				}
				checkAddonPolicy(t, id, p, g, a, policyStatements(role))
				checked[a.AWS]++
			}
			queues := resources(tmpl, "AWS::SQS::Queue")
			rules := resources(tmpl, "AWS::Events::Rule")
			if karpenter != (len(queues) == 1) || len(queues) > 1 || len(rules) != 4*len(queues) {
				t.Errorf("%s: %d queues and %d rules on a %q cluster", name, len(queues), len(rules), c.Capacity.Mode)
			}
			for _, q := range queues {
				if get(q, "Properties", "QueueName") != naming.KarpenterQueue(g.Name()) {
					t.Errorf("%s: queue %v", name, get(q, "Properties", "QueueName"))
				}
			}
			entries := resources(tmpl, "AWS::EKS::AccessEntry")
			if karpenter != (len(entries) == 1) || len(entries) > 1 {
				t.Errorf("%s: %d access entries on a %q cluster", name, len(entries), c.Capacity.Mode)
			}
			for _, e := range entries {
				if get(e, "Properties", "Type") != "EC2_LINUX" || get(e, "Properties", "ClusterName") != g.Name() {
					t.Errorf("%s: access entry %v", name, e["Properties"])
				}
			}
		}
	}
	for _, kind := range []string{model.AWSLoadBalancerController, model.ExternalDNS, model.KarpenterAddon, model.CloudWatchLogs} {
		if checked[kind] == 0 {
			t.Errorf("no %s role checked: the sample should exercise each", kind)
		}
	}
}

// checkAddonTrust: one statement, federated to the generation's OIDC
// provider, StringEquals on exactly the add-on's service account and the
// STS audience.
func checkAddonTrust(t *testing.T, id string, p *model.Platform, g model.Generation, a *model.Addon, doc []trustStatement) {
	t.Helper()
	if len(doc) != 1 {
		t.Errorf("%s: %d trust statements, want 1", id, len(doc))
		return
	}
	st := doc[0]
	issuer := "param:" + naming.ClusterParameter(p, g, cdk.ParamOIDCIssuer)
	want := map[string]string{
		issuer + ":sub": "system:serviceaccount:" + a.Namespace + ":" + a.ServiceAccount,
		issuer + ":aud": "sts.amazonaws.com",
	}
	if st.Effect != "Allow" || st.Action != "sts:AssumeRoleWithWebIdentity" ||
		st.Principal["Federated"] != "param:"+naming.ClusterParameter(p, g, cdk.ParamOIDCProviderARN) || len(st.Principal) != 1 ||
		len(st.Condition) != 1 || fmt.Sprint(st.Condition["StringEquals"]) != fmt.Sprint(want) {
		t.Errorf("%s: trust %+v, want the generation's provider and StringEquals %v", id, st, want)
	}
}

// checkAddonPolicy checks what each kind of add-on may do.
func checkAddonPolicy(t *testing.T, id string, p *model.Platform, g model.Generation, a *model.Addon, statements []obj) {
	t.Helper()
	account, region := g.Cluster.Account, g.Cluster.Region
	for _, st := range statements {
		actions := stringsOf(st["Action"])
		resources := resolveAll(st["Resource"])
		if st["Effect"] != "Allow" {
			t.Errorf("%s: %v statement", id, st["Effect"])
		}
		for _, act := range actions {
			if act == "*" || strings.HasSuffix(act, ":*") {
				t.Errorf("%s: wildcard action %s", id, act)
			}
		}
		switch a.AWS {
		case model.ExternalDNS:
			for _, act := range actions {
				if !strings.HasPrefix(act, "route53:") {
					t.Errorf("%s: %s is not a Route53 action", id, act)
				}
			}
			if slices.Contains(actions, "route53:ChangeResourceRecordSets") {
				if fmt.Sprint(resources) != "[arn:aws:route53:::hostedzone/*]" {
					t.Errorf("%s: changes records in %v, want hosted zones only", id, resources)
				}
				// One writer per name: the generation's own names only,
				// never a tenant's host (the DNS stacks').
				want := fmt.Sprint(obj{"ForAllValues:StringLike": obj{"route53:ChangeResourceRecordSetsNormalizedRecordNames": []any{"*." + g.Domain()}}})
				if got := fmt.Sprint(st["Condition"]); got != want {
					t.Errorf("%s: changes records under condition %s, want %s", id, got, want)
				}
			}
		case model.CloudWatchLogs:
			group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:", region, account, naming.LogGroup(g.Name()))
			for _, r := range resources {
				if !strings.HasPrefix(r, group) {
					t.Errorf("%s: %v on %s, outside the generation's log group", id, actions, r)
				}
			}
		case model.KarpenterAddon:
			raw, _ := json.Marshal(st)
			if strings.Contains(string(raw), "${") {
				t.Errorf("%s: unresolved placeholder in %s", id, raw)
			}
			if slices.Contains(actions, "sqs:ReceiveMessage") && fmt.Sprint(resources) != fmt.Sprintf("[arn:aws:sqs:%s:%s:%s]", region, account, naming.KarpenterQueue(g.Name())) {
				t.Errorf("%s: reads queues %v, want only its interruption queue", id, resources)
			}
			if slices.Contains(actions, "iam:PassRole") && fmt.Sprint(resources) != fmt.Sprintf("[arn:aws:iam::%s:role/%s]", account, naming.KarpenterNodeRole(p, g)) {
				t.Errorf("%s: passes %v, want only its nodes' role", id, resources)
			}
			if slices.Contains(actions, "ec2:TerminateInstances") && !strings.Contains(string(raw), "kubernetes.io/cluster/"+g.Name()) {
				t.Errorf("%s: terminates instances not tagged for %s", id, g.Name())
			}
		case model.AWSLoadBalancerController:
			for _, act := range actions {
				if svc, _, _ := strings.Cut(act, ":"); !slices.Contains([]string{"iam", "ec2", "elasticloadbalancing", "cognito-idp", "acm", "waf-regional", "wafv2", "shield"}, svc) {
					t.Errorf("%s: %s is not in the controller's documented policy", id, act)
				}
			}
		}
	}
	if a.AWS == model.AWSLoadBalancerController && len(statements) != 16 {
		t.Errorf("%s: %d statements, want the documented policy's 16", id, len(statements))
	}
}

// resolveAll renders resources as strings, resolving the partition that
// the CDK writes as a join.
func resolveAll(v any) []string {
	var out []string
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, r := range list {
		if s, ok := r.(string); ok {
			out = append(out, s)
			continue
		}
		parts, _ := get(r, "Fn::Join").([]any)
		var b strings.Builder
		if len(parts) == 2 {
			for _, p := range parts[1].([]any) {
				if s, ok := p.(string); ok {
					b.WriteString(s)
				} else if get(p, "Ref") == "AWS::Partition" {
					b.WriteString("aws")
				} else {
					b.WriteString(fmt.Sprint(p))
				}
			}
		}
		out = append(out, b.String())
	}
	return out
}

func stringsOf(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}
