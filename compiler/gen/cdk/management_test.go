package cdk_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/naming"
)

// TestManagementRoles: the management stack, in Argo CD's account, makes
// Argo CD's role and the cluster registry's, each trusted through the
// management cluster's OIDC provider (from the parameters the platform
// team writes) by exactly its service accounts, and each allowed to
// assume exactly the deployer or reader role of every account the
// platform's clusters run in, nothing else.
func TestManagementRoles(t *testing.T) {
	p, stacks, out := sample(t)
	name := cdk.ManagementStack(p)
	i := slices.IndexFunc(stacks, func(s cdk.Stack) bool { return s.Name == name })
	if i < 0 || stacks[i].Account != p.Config.ArgoCD.Account || stacks[i].Region != p.Config.ArgoCD.Region {
		t.Fatalf("no stack %s in Argo CD's account and region", name)
	}
	tmpl := out.templates[name]
	ns := p.Config.ArgoCD.Namespace
	var deployers, readers []string
	for _, c := range p.Clusters {
		deployers = append(deployers, naming.ArgoCDDeployerRoleARN(p, c))
		readers = append(readers, naming.RegistryReaderRoleARN(p, c))
	}
	want := map[string]struct {
		subjects []string
		assumes  []string
	}{
		"acme-argocd":           {[]string{"system:serviceaccount:" + ns + ":argocd-application-controller", "system:serviceaccount:" + ns + ":argocd-server"}, deployers},
		"acme-cluster-registry": {[]string{"system:serviceaccount:" + ns + ":" + naming.RegistryServiceAccount}, readers},
	}
	roles := resources(tmpl, "AWS::IAM::Role")
	if len(roles) != len(want) || len(tmpl["Resources"].(obj)) != len(want) {
		t.Errorf("%s: %d roles of %d resources, want %d roles only", name, len(roles), len(tmpl["Resources"].(obj)), len(want))
	}
	for _, role := range roles {
		rn := fmt.Sprint(get(role, "Properties", "RoleName"))
		w, ok := want[rn]
		if !ok {
			t.Errorf("%s: role %s", name, rn)
			continue
		}
		trust := trustOf(t, name, tmpl, role)
		issuer := "param:" + cdk.ManagementParameter(p, cdk.ParamOIDCIssuer)
		if len(trust) != 1 || trust[0].Action != "sts:AssumeRoleWithWebIdentity" || trust[0].Principal["Federated"] != "param:"+cdk.ManagementParameter(p, cdk.ParamOIDCProviderARN) ||
			fmt.Sprint(trust[0].Condition["StringEquals"][issuer+":sub"]) != fmt.Sprint(subjects(w.subjects)) ||
			trust[0].Condition["StringEquals"][issuer+":aud"] != "sts.amazonaws.com" {
			t.Errorf("%s: %s trusted by %+v, want %v through the management cluster's provider", name, rn, trust, w.subjects)
		}
		policies, _ := get(role, "Properties", "Policies").([]any)
		statements, _ := get(firstOf(policies), "PolicyDocument", "Statement").([]any)
		slices.Sort(w.assumes)
		w.assumes = slices.Compact(w.assumes)
		if len(policies) != 1 || len(statements) != 1 || fmt.Sprint(stringsOf(get(statements[0], "Action"))) != "[sts:AssumeRole]" ||
			fmt.Sprint(resolveAll(get(statements[0], "Resource"))) != fmt.Sprint(w.assumes) {
			t.Errorf("%s: %s may %v, want to assume exactly %v", name, rn, statements, w.assumes)
		}
	}
}

// subjects is a condition's value as IAM reads it: one string, or a list
// of which any matches.
func subjects(s []string) any {
	if len(s) == 1 {
		return s[0]
	}
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
