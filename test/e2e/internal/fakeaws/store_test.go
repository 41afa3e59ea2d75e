package fakeaws

import (
	"crypto/ed25519"
	"regexp"
	"strings"
	"testing"
)

func TestStoreValidation(t *testing.T) {
	c := New()
	role := Role{Account: prodAcct, Name: "r", TrustPolicy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"111111111111"}}}`}
	if _, err := c.PutRole(role); err != nil {
		t.Fatal(err)
	}
	if err := c.PutCluster(Cluster{Account: prodAcct, Region: region, Name: "c1"}); err != nil {
		t.Fatal(err)
	}
	_, pub, _ := ed25519.GenerateKey(nil)
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"role in a bad account", second(c.PutRole(Role{Account: "1111", Name: "r", TrustPolicy: role.TrustPolicy})), "not 12 digits"},
		{"role with a bad name", second(c.PutRole(Role{Account: prodAcct, Name: "a b", TrustPolicy: role.TrustPolicy})), "not a valid IAM role name"},
		{"role with a malformed trust policy", second(c.PutRole(Role{Account: prodAcct, Name: "x", TrustPolicy: "{"})), "malformed"},
		{"role with a malformed inline policy", second(c.PutRole(Role{Account: prodAcct, Name: "x", TrustPolicy: role.TrustPolicy, Policies: map[string]string{"p": `{"Statement":[]}`}})), `policy "p"`},
		{"trust naming a role that does not exist", second(c.PutRole(Role{Account: prodAcct, Name: "x",
			TrustPolicy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::444444444444:role/ghost"}}}`})), "invalid principal"},
		{"OIDC provider without https", second(c.PutOIDCProvider(OIDCProvider{Account: prodAcct, URL: "http://x", ClientIDs: []string{"a"}})), "https://"},
		{"OIDC provider without client IDs", second(c.PutOIDCProvider(OIDCProvider{Account: prodAcct, URL: "https://x"})), "client IDs"},
		{"issuer key of an unsupported type", c.SetIssuerKeys("https://x", pub), "ed25519"},
		{"parameter name without leading slash", c.PutParameter(prodAcct, region, "a/b", "v"), "not valid"},
		{"parameter in a bad region", c.PutParameter(prodAcct, "tokyo", "/a", "v"), "region"},
		{"empty parameter", c.PutParameter(prodAcct, region, "/a", ""), "empty"},
		{"secret value of a missing secret", c.PutSecretValue(prodAcct, region, "nope", "v"), "ResourceNotFoundException"},
		{"access entry on a missing cluster", c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: "ghost", PrincipalARN: role.ARN()}), "no cluster"},
		{"access entry for a missing role", c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: "c1", PrincipalARN: RoleARN(prodAcct, "ghost")}), "does not exist"},
		{"access entry for a user", c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: "c1", PrincipalARN: "arn:aws:iam::111111111111:user/bob"}), "only IAM roles"},
		{"access entry with a namespace scope without namespaces", c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: "c1", PrincipalARN: role.ARN(),
			AccessPolicies: []AccessPolicy{{PolicyARN: ClusterAdminPolicyARN, ScopeType: "namespace"}}}), "not valid"},
		{"access entry with a policy that is not an EKS access policy", c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: "c1", PrincipalARN: role.ARN(),
			AccessPolicies: []AccessPolicy{{PolicyARN: "arn:aws:iam::aws:policy/AdministratorAccess", ScopeType: "cluster"}}}), "not an EKS access policy"},
		{"credentials of a missing role", third(c.IssueCredentials(RoleARN(prodAcct, "ghost"))), "does not exist"},
		{"deleting a missing role", c.DeleteRole(prodAcct, "ghost"), "NoSuchEntity"},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, tt.err, tt.want)
		}
	}
}

func second(_ string, err error) error { return err }

func third(_, _ string, err error) error { return err }

func TestSecrets(t *testing.T) {
	c := New()
	arn, err := c.CreateSecret(prodAcct, region, "acme/prod/billing", "d", "")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme/prod/billing-[A-Za-z0-9]{6}$`).MatchString(arn) || arn != SecretARN(prodAcct, region, "acme/prod/billing") {
		t.Errorf("ARN %s", arn)
	}
	if _, err := c.CreateSecret(prodAcct, region, "acme/prod/billing", "", "{}"); err == nil || !strings.Contains(err.Error(), "ResourceExistsException") {
		t.Errorf("second CreateSecret: %v", err)
	}
	if s, _ := c.Secret(prodAcct, region, "acme/prod/billing"); s.VersionID != "" {
		t.Errorf("a secret created without value has version %q", s.VersionID)
	}
	if err := c.PutSecretValue(prodAcct, region, arn, `{"k":"v"}`); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"acme/prod/billing", arn, "arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme/prod/billing"} {
		if s, ok := c.Secret(prodAcct, region, id); !ok || s.SecretString != `{"k":"v"}` || s.VersionID == "" {
			t.Errorf("Secret(%s) = %+v, %v", id, s, ok)
		}
	}
	if _, ok := c.Secret("222222222222", region, "acme/prod/billing"); ok {
		t.Error("a secret is visible in another account")
	}
	if err := c.DeleteSecret(prodAcct, region, "acme/prod/billing"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Secret(prodAcct, region, arn); ok {
		t.Error("deleted secret still there")
	}
}

func TestDeleteClusterDeletesAccessEntries(t *testing.T) {
	c := New()
	role := Role{Account: prodAcct, Name: "r", TrustPolicy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"111111111111"}}}`}
	if _, err := c.PutRole(role); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"c1", "c10"} {
		if err := c.PutCluster(Cluster{Account: prodAcct, Region: region, Name: name}); err != nil {
			t.Fatal(err)
		}
		if err := c.PutAccessEntry(AccessEntry{Account: prodAcct, Region: region, Cluster: name, PrincipalARN: role.ARN()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DeleteCluster(prodAcct, region, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.AccessEntry(prodAcct, region, "c1", role.ARN()); ok {
		t.Error("access entry of a deleted cluster survives")
	}
	if e, ok := c.AccessEntry(prodAcct, region, "c10", role.ARN()); !ok || e.Type != "STANDARD" {
		t.Errorf("access entry of another cluster: %+v, %v", e, ok)
	}
}

func TestCallLogIsBounded(t *testing.T) {
	c := New(WithCallLogSize(3))
	for i := 0; i < 5; i++ {
		c.record(Call{Action: "a", Resource: string(rune('0' + i)), Allowed: i%2 == 0, Code: "X"})
	}
	calls := c.Calls()
	if len(calls) != 3 || calls[0].Resource != "2" || calls[2].Resource != "4" {
		t.Errorf("calls %v", calls)
	}
	if r := c.Refusals(0); len(r) != 1 || r[0].Resource != "3" {
		t.Errorf("refusals %v", r)
	}
	if rep := c.RefusalReport(5); !strings.Contains(rep, "REFUSED X (anonymous) a on 3") {
		t.Errorf("report %q", rep)
	}
}
