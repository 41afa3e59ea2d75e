package fakeaws

import (
	"testing"
)

const (
	prodAcct = "111111111111"
	mgmtAcct = "444444444444"
	region   = "ap-northeast-1"
)

// world is a fake cloud laid out as platformc's sample: a workload
// account with two clusters and tenant secrets, and a management account
// whose Argo CD and External Secrets reach into it.
type world struct {
	cloud                    *Cloud
	clock                    *testClock
	srv                      *server
	shared, payments, mgmt   *issuer
	sharedProv, paymentsProv string
	billingARN, paymentsARN  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{clock: &testClock{}}
	c := New(WithClock(w.clock.now))
	w.cloud = c
	w.srv = serve(t, c)
	w.shared = newRSAIssuer(t, "https://oidc.eks.ap-northeast-1.amazonaws.com/id/SHARED")
	w.payments = newECIssuer(t, "https://oidc.eks.ap-northeast-1.amazonaws.com/id/PAYMENTS")
	w.mgmt = newECIssuer(t, "https://oidc.eks.ap-northeast-1.amazonaws.com/id/MGMT")
	str := must[string](t)
	w.sharedProv = str(c.PutOIDCProvider(OIDCProvider{Account: prodAcct, URL: w.shared.URL, ClientIDs: []string{"sts.amazonaws.com"}}))
	w.paymentsProv = str(c.PutOIDCProvider(OIDCProvider{Account: prodAcct, URL: w.payments.URL, ClientIDs: []string{"sts.amazonaws.com"}}))
	mgmtProv := str(c.PutOIDCProvider(OIDCProvider{Account: mgmtAcct, URL: w.mgmt.URL, ClientIDs: []string{"sts.amazonaws.com"}}))
	for _, i := range []*issuer{w.shared, w.payments, w.mgmt} {
		if err := c.SetIssuerKeys(i.URL, i.key.Public()); err != nil {
			t.Fatal(err)
		}
	}
	w.billingARN = str(c.CreateSecret(prodAcct, region, "acme/prod/billing", "", `{"DB_PASSWORD":"billing-pw"}`))
	w.paymentsARN = str(c.CreateSecret(prodAcct, region, "acme/prod/payments", "", `{"DB_PASSWORD":"payments-pw"}`))

	// Tenant roles, as the tenant stacks make them.
	str(c.PutRole(Role{Account: prodAcct, Name: "acme-prod-billing-secrets",
		TrustPolicy: trustWebIdentity(w.sharedProv, w.shared.URL, "system:serviceaccount:billing:secrets-reader"),
		Policies:    map[string]string{"read": allowPolicy([]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}, w.billingARN)}}))
	// catalog runs on the shared cluster but its role trusts the payments
	// cluster's issuer: a platformc defect the fake must expose.
	str(c.PutRole(Role{Account: prodAcct, Name: "acme-prod-catalog-secrets",
		TrustPolicy: trustWebIdentity(w.paymentsProv, w.payments.URL, "system:serviceaccount:catalog:secrets-reader"),
		Policies:    map[string]string{"read": allowPolicy([]string{"secretsmanager:*"}, "*")}}))

	// The management account's roles and the roles they assume.
	mgmtRegistry := str(c.PutRole(Role{Account: mgmtAcct, Name: "acme-cluster-registry",
		TrustPolicy: trustWebIdentity(mgmtProv, w.mgmt.URL, "system:serviceaccount:argocd:cluster-registry"),
		Policies:    map[string]string{"assume": allowPolicy([]string{"sts:AssumeRole"}, "arn:aws:iam::*:role/acme-cluster-registry-reader")}}))
	str(c.PutRole(Role{Account: mgmtAcct, Name: "acme-intruder",
		TrustPolicy: trustWebIdentity(mgmtProv, w.mgmt.URL, "system:serviceaccount:argocd:intruder"),
		Policies:    map[string]string{"assume": allowPolicy([]string{"sts:*"}, "*")}}))
	str(c.PutRole(Role{Account: mgmtAcct, Name: "acme-no-permission",
		TrustPolicy: trustWebIdentity(mgmtProv, w.mgmt.URL, "system:serviceaccount:argocd:no-permission")}))
	argocd := str(c.PutRole(Role{Account: mgmtAcct, Name: "acme-argocd",
		TrustPolicy: trustWebIdentity(mgmtProv, w.mgmt.URL, "system:serviceaccount:argocd:argocd-application-controller"),
		Policies:    map[string]string{"assume": allowPolicy([]string{"sts:AssumeRole"}, "arn:aws:iam::*:role/acme-argocd-deployer")}}))
	trustMgmt := func(principalARN string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::` + mgmtAcct +
			`:root"},"Condition":{"ArnEquals":{"aws:PrincipalArn":"` + principalARN + `"}}}]}`
	}
	str(c.PutRole(Role{Account: prodAcct, Name: "acme-cluster-registry-reader", TrustPolicy: trustMgmt(mgmtRegistry),
		Policies: map[string]string{"platformc": allowPolicy([]string{"ssm:GetParameter"}, "arn:aws:ssm:ap-northeast-1:111111111111:parameter/acme/clusters/*")}}))
	str(c.PutRole(Role{Account: prodAcct, Name: "acme-argocd-deployer", TrustPolicy: trustMgmt(argocd)}))

	for _, p := range [][2]string{
		{"/acme/clusters/prod-shared-1-34/endpoint", "https://127.0.0.1:6443"},
		{"/acme/other/secret", "do-not-read"},
	} {
		if err := c.PutParameter(prodAcct, region, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, cl := range []string{"prod-shared-1-34", "prod-payments-1-34", "stg-nobody-1-35"} {
		if err := c.PutCluster(Cluster{Account: prodAcct, Region: region, Name: cl, Version: "1.34"}); err != nil {
			t.Fatal(err)
		}
	}
	deployer := RoleARN(prodAcct, "acme-argocd-deployer")
	for _, e := range []AccessEntry{
		{Cluster: "prod-shared-1-34", PrincipalARN: deployer, AccessPolicies: []AccessPolicy{{PolicyARN: ClusterAdminPolicyARN, ScopeType: "cluster"}}},
		{Cluster: "prod-payments-1-34", PrincipalARN: deployer, KubernetesGroups: []string{"viewers"},
			AccessPolicies: []AccessPolicy{{PolicyARN: ClusterAdminPolicyARN, ScopeType: "namespace", Namespaces: []string{"payments"}}}},
	} {
		e.Account, e.Region = prodAcct, region
		if err := c.PutAccessEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	return w
}
