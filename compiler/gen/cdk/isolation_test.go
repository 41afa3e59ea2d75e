package cdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// TestTenantRolesReadOnlyTheirOwnSecret checks, for every tenant of the
// sample in every environment it runs in, that its secrets role may
// describe and read exactly one secret, the tenant's own, and that no
// role or policy of any stack grants anything of Secrets Manager
// otherwise.
func TestTenantRolesReadOnlyTheirOwnSecret(t *testing.T) {
	p, _, out := sample(t)
	checked := 0
	for _, tn := range p.Tenants {
		envs := map[string]bool{}
		for _, c := range p.Placements(tn) {
			envs[c.Environment] = true
		}
		for env := range envs {
			ts := naming.Secret(p, tn, env)
			name := cdk.TenantStack(p, tn, env)
			tmpl := out.templates[name]
			secrets := resources(tmpl, "AWS::SecretsManager::Secret")
			// The other roles of the stack are its workloads' (TestWorkloadRolesIsolated).
			roles := resources(tmpl, "AWS::IAM::Role")
			workloads := roleSubjects(p, tn, env)
			for id, r := range roles {
				name, _ := get(r, "Properties", "RoleName").(string)
				if _, ok := workloads[name]; ok && name != ts.RoleName {
					delete(roles, id)
				}
			}
			if len(secrets) != 1 || len(roles) != 1 {
				t.Errorf("%s: %d secrets and %d roles, want one of each", name, len(secrets), len(roles))
				continue
			}
			secretID := slices.Collect(maps.Keys(secrets))[0]
			if got := get(secrets[secretID], "Properties", "Name"); got != ts.Name {
				t.Errorf("%s: the secret is %v, want %s", name, got, ts.Name)
			}
			for _, role := range roles {
				if got := get(role, "Properties", "RoleName"); got != ts.RoleName {
					t.Errorf("%s: the role is %v, want %s (the SecretStore's service account names it)", name, got, ts.RoleName)
				}
				statements := policyStatements(role)
				if len(statements) != 1 {
					t.Errorf("%s: %d statements, want 1", name, len(statements))
				}
				for _, st := range statements {
					res, _ := json.Marshal(st["Resource"])
					if st["Effect"] != "Allow" || string(res) != fmt.Sprintf(`[{"Ref":%q}]`, secretID) {
						t.Errorf("%s: the role may %v %v on %s, want only its own secret %s", name, st["Effect"], st["Action"], res, secretID)
					}
					acts, _ := json.Marshal(st["Action"])
					if string(acts) != `["secretsmanager:DescribeSecret","secretsmanager:GetSecretValue"]` {
						t.Errorf("%s: actions %s", name, acts)
					}
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no tenant checked")
	}
	// Nothing anywhere grants Secrets Manager but on the one secret of
	// its own stack.
	for name, tmpl := range out.templates {
		secrets := resources(tmpl, "AWS::SecretsManager::Secret")
		for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
			for id, r := range resources(tmpl, typ) {
				for _, st := range policyStatements(r) {
					acts, _ := json.Marshal(st["Action"])
					if !strings.Contains(string(acts), "secretsmanager") && !strings.Contains(string(acts), `"*"`) {
						continue
					}
					res, _ := st["Resource"].([]any)
					ref, _ := get(firstOf(res), "Ref").(string)
					if _, own := secrets[ref]; len(res) != 1 || !own || len(secrets) != 1 {
						t.Errorf("%s: %s grants %s on %v", name, id, acts, st["Resource"])
					}
				}
			}
		}
	}
}

func firstOf(list []any) any {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// policyStatements returns the statements of a role's inline policies
// or of a policy.
func policyStatements(r obj) []obj {
	var out []obj
	var docs []any
	if ps, ok := get(r, "Properties", "Policies").([]any); ok {
		for _, p := range ps {
			docs = append(docs, get(p, "PolicyDocument"))
		}
	}
	if d := get(r, "Properties", "PolicyDocument"); d != nil {
		docs = append(docs, d)
	}
	for _, d := range docs {
		sts, _ := get(d, "Statement").([]any)
		for _, s := range sts {
			out = append(out, s.(obj))
		}
	}
	return out
}

var subVar = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// TestIRSATrustIsExact checks every tenant role's trust policy: one
// statement per generation of each cluster of the environment the tenant
// runs on, each federated to that generation's OIDC provider, with
// StringEquals on exactly the tenant's secrets service account and the
// STS audience: no wildcard, no other operator.
func TestIRSATrustIsExact(t *testing.T) {
	p, _, out := sample(t)
	checkTrust(t, p, out)
}

// roleSubjects maps the name of each role of a tenant's stack in an
// environment to the service account that may assume it: the secrets
// role's, and each workload role's.
func roleSubjects(p *model.Platform, tn *model.Tenant, env string) map[string]string {
	out := map[string]string{naming.Secret(p, tn, env).RoleName: naming.SecretsServiceAccount}
	for _, w := range tn.Workloads() {
		if len(w.AWS) > 0 {
			name, _ := naming.WorkloadRole(p, tn, w, env)
			out[name] = w.ServiceAccount()
		}
	}
	return out
}

func checkTrust(t *testing.T, p *model.Platform, out *output) {
	t.Helper()
	for _, tn := range p.Tenants {
		for _, env := range slices.Sorted(maps.Keys(p.Config.Environments)) {
			gens := generationsOf(p, tn, env)
			if len(gens) == 0 {
				continue
			}
			name := cdk.TenantStack(p, tn, env)
			tmpl := out.templates[name]
			subjectOf := roleSubjects(p, tn, env)
			for _, role := range resources(tmpl, "AWS::IAM::Role") {
				roleName, _ := get(role, "Properties", "RoleName").(string)
				subject, ok := subjectOf[roleName]
				if !ok {
					t.Errorf("%s: role %s is neither the secrets role nor a workload's", name, roleName)
				}
				doc := trustOf(t, name, tmpl, role)
				if len(doc) != len(gens) {
					t.Errorf("%s: %d statements, want one per generation (%d)", name, len(doc), len(gens))
				}
				seen := map[string]bool{}
				for _, st := range doc {
					provider := strings.TrimPrefix(st.Principal["Federated"], "param:")
					var gen *model.Generation
					for i, g := range gens {
						if naming.ClusterParameter(p, g, cdk.ParamOIDCProviderARN) == provider {
							gen = &gens[i]
						}
					}
					if gen == nil || st.Effect != "Allow" || st.Action != "sts:AssumeRoleWithWebIdentity" || len(st.Principal) != 1 {
						t.Errorf("%s: statement %+v is not for one of the tenant's generations", name, st)
						continue
					}
					seen[gen.Name()] = true
					issuer := "param:" + naming.ClusterParameter(p, *gen, cdk.ParamOIDCIssuer)
					want := map[string]string{
						issuer + ":sub": "system:serviceaccount:" + tn.Namespace() + ":" + subject,
						issuer + ":aud": "sts.amazonaws.com",
					}
					if len(st.Condition) != 1 || fmt.Sprint(st.Condition["StringEquals"]) != fmt.Sprint(want) {
						t.Errorf("%s: condition %v, want StringEquals %v", name, st.Condition, want)
					}
					for _, v := range st.Condition["StringEquals"] {
						if strings.ContainsAny(fmt.Sprint(v), "*?") {
							t.Errorf("%s: wildcard in %q", name, v)
						}
					}
				}
				if len(seen) != len(gens) {
					t.Errorf("%s: trusts %v, want every generation of %v", name, seen, gens)
				}
			}
		}
	}
}

// trustStatement is a statement of a trust policy, as IAM reads it once
// CloudFormation has substituted the SSM parameters it names, each
// written "param:<parameter name>".
type trustStatement struct {
	Effect    string
	Action    any
	Principal map[string]string
	Condition map[string]map[string]any // a value is a string, or a list of which any matches
}

// trustOf reads a role's trust policy, an Fn::Sub of a document and its
// variables, each of which reads an SSM parameter.
func trustOf(t *testing.T, stack string, tmpl, role obj) []trustStatement {
	t.Helper()
	sub, _ := get(role, "Properties", "AssumeRolePolicyDocument", "Fn::Sub").([]any)
	if len(sub) != 2 {
		t.Errorf("%s: the trust policy is not an Fn::Sub of a document and its variables", stack)
		return nil
	}
	vars := map[string]string{} // variable -> the SSM parameter it reads
	for v, ref := range sub[1].(obj) {
		param, _ := get(tmpl, "Parameters", fmt.Sprint(get(ref, "Ref")), "Default").(string)
		vars[v] = param
	}
	resolved := subVar.ReplaceAllStringFunc(sub[0].(string), func(m string) string {
		return "param:" + vars[subVar.FindStringSubmatch(m)[1]]
	})
	var doc struct{ Statement []trustStatement }
	if err := json.Unmarshal([]byte(resolved), &doc); err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return doc.Statement
}
