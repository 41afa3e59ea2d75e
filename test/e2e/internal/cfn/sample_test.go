package cfn

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
	"github.com/platformc/platformc/test/e2e/internal/pki"
)

// sampleAssembly is platformc's committed sample output (read only).
var sampleAssembly = filepath.Join("..", "..", "..", "..", "out", "cdk")

const (
	stgAcct    = "222222222222"
	mgmtAcct   = "444444444444"
	mgmtIssuer = "https://oidc.eks.ap-northeast-1.amazonaws.com/id/MANAGEMENT"
)

func TestSampleAssembly(t *testing.T) {
	ctx := context.Background()
	cloud := fakeaws.New()
	clusters := &fakeClusters{}
	for _, a := range []string{acct, stgAcct, mgmtAcct} {
		if err := Bootstrap(cloud, a, region); err != nil {
			t.Fatal(err)
		}
	}
	// README: what the platform team writes once: each zone's id where its
	// hosts are served (the certificates validate there), and the
	// management cluster's OIDC issuer and provider.
	for _, p := range []struct{ account, name, value string }{
		{acct, "/acme/dns/example.com/hosted-zone-id", "Z0EXAMPLE"},
		{acct, "/acme/dns/pay.example.com/hosted-zone-id", "Z0PAYEXAMPLE"},
		{stgAcct, "/acme/dns/stg.example.com/hosted-zone-id", "Z0STGEXAMPLE"},
		{mgmtAcct, "/acme/management/oidc-issuer", strings.TrimPrefix(mgmtIssuer, "https://")},
		{mgmtAcct, "/acme/management/oidc-provider-arn", fakeaws.OIDCProviderARN(mgmtAcct, mgmtIssuer)},
	} {
		if err := cloud.PutParameter(p.account, region, p.name, p.value); err != nil {
			t.Fatal(err)
		}
	}
	a, err := ReadAssembly(sampleAssembly)
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := a.CheckDependencies(); err != nil || len(problems) > 0 {
		t.Fatalf("manifest dependencies: %v %v", problems, err)
	}
	d, err := NewDeployer(cloud, sampleAssembly, clusters)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	stacks := d.Stacks()
	if len(stacks) != len(a.Stacks) {
		t.Errorf("%d stacks deployed, the assembly has %d", len(stacks), len(a.Stacks))
	}
	for _, s := range stacks {
		if s.Status != "CREATE_COMPLETE" {
			t.Errorf("stack %s: %s", s.Name, s.Status)
		}
	}
	report := d.Report()
	t.Log(report)
	for typ := range report.Types() {
		if handlerFor(typ) != nil {
			t.Errorf("%s is emulated but was deployed as a placeholder", typ)
		}
	}
	if report.Types()["AWS::EC2::Subnet"] != 18 {
		t.Errorf("placeholders: %v", report.Types())
	}

	generations := map[string]string{"prod-shared-1-35": acct, "prod-payments-1-35": acct, "stg-shared-1-36": stgAcct}
	created, _ := clusters.calls()
	if len(created) != len(generations) {
		t.Errorf("clusters created: %v", created)
	}
	issuer := func(gen string) string {
		return "https://oidc.eks.ap-northeast-1.amazonaws.com/id/" + strings.ToUpper(strings.ReplaceAll(gen, "-", ""))
	}
	for gen, account := range generations {
		want := map[string]string{
			"endpoint":          "https://" + gen + ".test:6443",
			"ca-data":           base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\n" + gen + "\n")),
			"oidc-issuer":       strings.TrimPrefix(issuer(gen), "https://"),
			"oidc-provider-arn": fakeaws.OIDCProviderARN(account, issuer(gen)),
		}
		for leaf, v := range want {
			name := "/acme/clusters/" + gen + "/" + leaf
			if p, ok := cloud.Parameter(account, region, name); !ok || p.Value != v {
				t.Errorf("parameter %s in %s: %q (exists %v), want %q", name, account, p.Value, ok, v)
			}
		}
	}

	// The tenant role trusts exactly one service account of one issuer.
	role, ok := cloud.Role(acct, "acme-prod-billing-secrets")
	if !ok {
		t.Fatal("role acme-prod-billing-secrets does not exist")
	}
	var trust struct {
		Statement []struct {
			Action    any
			Effect    string
			Principal map[string]any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(role.TrustPolicy), &trust); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(issuer("prod-shared-1-35"), "https://")
	if len(trust.Statement) != 1 || trust.Statement[0].Effect != "Allow" || trust.Statement[0].Action != "sts:AssumeRoleWithWebIdentity" ||
		trust.Statement[0].Principal["Federated"] != fakeaws.OIDCProviderARN(acct, issuer("prod-shared-1-35")) || len(trust.Statement[0].Principal) != 1 ||
		len(trust.Statement[0].Condition) != 1 || len(trust.Statement[0].Condition["StringEquals"]) != 2 ||
		trust.Statement[0].Condition["StringEquals"][host+":sub"] != "system:serviceaccount:billing:secrets-reader" ||
		trust.Statement[0].Condition["StringEquals"][host+":aud"] != "sts.amazonaws.com" {
		t.Errorf("trust policy of acme-prod-billing-secrets: %s", role.TrustPolicy)
	}

	// The management stack's roles, in Argo CD's account: each trusted by
	// its service accounts on the management cluster.
	mgmtHost := strings.TrimPrefix(mgmtIssuer, "https://")
	for name, sub := range map[string]string{
		"acme-argocd":           `["system:serviceaccount:argocd:argocd-application-controller","system:serviceaccount:argocd:argocd-server"]`,
		"acme-cluster-registry": `"system:serviceaccount:argocd:cluster-registry"`,
	} {
		r, ok := cloud.Role(mgmtAcct, name)
		if !ok || !strings.Contains(r.TrustPolicy, `"`+mgmtHost+`:sub":`+sub) || !strings.Contains(r.TrustPolicy, fakeaws.OIDCProviderARN(mgmtAcct, mgmtIssuer)) {
			t.Errorf("role %s in %s (exists %v): trust %s", name, mgmtAcct, ok, r.TrustPolicy)
		}
	}

	deployer := fakeaws.RoleARN(acct, "acme-argocd-deployer")
	e, ok := cloud.AccessEntry(acct, region, "prod-shared-1-35", deployer)
	if !ok || len(e.AccessPolicies) != 1 || e.AccessPolicies[0].PolicyARN != fakeaws.ClusterAdminPolicyARN || e.AccessPolicies[0].ScopeType != "cluster" {
		t.Errorf("access entry of %s on prod-shared-1-35: %+v (exists %v)", deployer, e, ok)
	}

	checkTenantAccess(t, cloud, clusters, issuer)

	// Deploying the same assembly again changes nothing.
	if err := d.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := clusters.calls(); len(again) != len(generations) {
		t.Errorf("a second deployment recreated clusters: %v", again)
	}
	if p, _ := cloud.Parameter(acct, region, "/acme/clusters/prod-shared-1-35/endpoint"); p.Version != 1 {
		t.Errorf("a second deployment rewrote parameters (version %d)", p.Version)
	}
}

// checkTenantAccess runs the deployed IAM through fakeaws's STS and
// Secrets Manager, as External Secrets would use it.
func checkTenantAccess(t *testing.T, cloud *fakeaws.Cloud, clusters *fakeClusters, issuer func(string) string) {
	t.Helper()
	// The tenants' owners put the secret values after the deployment.
	for _, tenant := range []string{"billing", "payments"} {
		if err := cloud.PutSecretValue(acct, region, "acme/prod/"+tenant, `{"DB_PASSWORD":"`+tenant+`-pw"}`); err != nil {
			t.Fatal(err)
		}
	}
	ca, err := pki.NewCA("cfn-test")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Serving("fakeaws")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pair.TLS()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(cloud.Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	cfg := aws.Config{Region: region, RetryMaxAttempts: 1, BaseEndpoint: aws.String(srv.URL),
		HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}}

	billing := fakeaws.RoleARN(acct, "acme-prod-billing-secrets")
	for _, tt := range []struct {
		name, cluster, sub, secret string
		wantCode                   string
	}{
		{"billing's service account reads billing's secret", "prod-shared-1-35", "system:serviceaccount:billing:secrets-reader", "acme/prod/billing", ""},
		{"billing's service account may not read payments' secret", "prod-shared-1-35", "system:serviceaccount:billing:secrets-reader", "acme/prod/payments", "AccessDeniedException"},
		{"another service account of the same cluster", "prod-shared-1-35", "system:serviceaccount:billing:default", "acme/prod/billing", "AccessDenied"},
		{"the same service account on another cluster", "prod-payments-1-35", "system:serviceaccount:billing:secrets-reader", "acme/prod/billing", "AccessDenied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			token := signJWT(t, clusters.key(tt.cluster), map[string]any{
				"iss": issuer(tt.cluster), "sub": tt.sub, "aud": []string{"sts.amazonaws.com"}, "exp": time.Now().Add(time.Hour).Unix()})
			out, err := sts.NewFromConfig(cfg).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(billing), RoleSessionName: aws.String("external-secrets-provider-aws"), WebIdentityToken: aws.String(token)})
			if err == nil {
				c := out.Credentials
				sc := cfg
				sc.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
				var v *secretsmanager.GetSecretValueOutput
				v, err = secretsmanager.NewFromConfig(sc).GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(tt.secret)})
				if err == nil && !strings.Contains(aws.ToString(v.SecretString), "billing-pw") {
					t.Errorf("secret value %q", aws.ToString(v.SecretString))
				}
			}
			var ae smithy.APIError
			code := ""
			if errors.As(err, &ae) {
				code = ae.ErrorCode()
			}
			if code != tt.wantCode || (tt.wantCode == "" && err != nil) {
				t.Errorf("error %v (code %q), want code %q\n%s", err, code, tt.wantCode, cloud.RefusalReport(3))
			}
		})
	}
}

// signJWT signs claims with ES256, as a kube-apiserver with an EC
// service-account key does.
func signJWT(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": "1"})
	c, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig)
}
