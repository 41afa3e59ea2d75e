package fakeaws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// v2Config is an SDK configuration that reaches the fake the way External
// Secrets does with AWS_*_ENDPOINT set: every service at the fake's URL.
func (w *world) v2Config(creds aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      creds,
		HTTPClient:       w.srv.Client,
		RetryMaxAttempts: 1,
		BaseEndpoint:     aws.String(w.srv.URL),
	}
}

type tokenFunc func() ([]byte, error)

func (f tokenFunc) GetIdentityToken() ([]byte, error) { return f() }

// webIdentity returns credentials as External Secrets gets them for a
// SecretStore with auth.jwt.serviceAccountRef: AssumeRoleWithWebIdentity
// with the service account's token, session name as ESO names it.
func (w *world) webIdentity(roleARN, token string) aws.CredentialsProvider {
	stsClient := sts.NewFromConfig(w.v2Config(nil))
	return aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(stsClient, roleARN,
		tokenFunc(func() ([]byte, error) { return []byte(token), nil }),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "external-secrets-provider-aws" }))
}

// chained returns credentials as ESO gets them when the store also has
// spec.provider.aws.role: the web identity session assumes that role.
func (w *world) chained(base aws.CredentialsProvider, roleARN string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(w.v2Config(base)), roleARN))
}

func TestExternalSecretsSecretsManager(t *testing.T) {
	w := newWorld(t)
	billingRole := RoleARN(prodAcct, "acme-prod-billing-secrets")
	stranger := newRSAIssuer(t, "https://oidc.eks.ap-northeast-1.amazonaws.com/id/STRANGER")
	if err := w.cloud.SetIssuerKeys(stranger.URL, stranger.key.Public()); err != nil {
		t.Fatal(err)
	}
	noKeys := newRSAIssuer(t, "https://oidc.eks.ap-northeast-1.amazonaws.com/id/NOKEYS")
	if _, err := w.cloud.PutOIDCProvider(OIDCProvider{Account: prodAcct, URL: noKeys.URL, ClientIDs: []string{"sts.amazonaws.com"}}); err != nil {
		t.Fatal(err)
	}
	impostor := newRSAIssuer(t, w.shared.URL) // right issuer URL, wrong key
	aud := []string{"sts.amazonaws.com"}
	hour := time.Now().Add(time.Hour)
	billingSA := "system:serviceaccount:billing:secrets-reader"

	tests := []struct {
		name       string
		token      string
		role       string
		secretID   string
		describe   bool
		wantValue  string
		wantCode   string
		wantAction string // the refused call
		wantReason string
	}{
		{name: "tenant reads its secret by name", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/billing", wantValue: "billing-pw"},
		{name: "tenant reads its secret by ARN", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: w.billingARN, wantValue: "billing-pw"},
		{name: "tenant reads its secret by partial ARN", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme/prod/billing", wantValue: "billing-pw"},
		{name: "tenant describes its secret", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/billing", describe: true},
		{name: "secret of another tenant", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/payments", wantCode: "AccessDeniedException",
			wantAction: "secretsmanager:GetSecretValue", wantReason: "no identity-based policy allows the secretsmanager:GetSecretValue action"},
		{name: "describe secret of another tenant", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: w.paymentsARN, describe: true, wantCode: "AccessDeniedException",
			wantAction: "secretsmanager:DescribeSecret", wantReason: "no identity-based policy allows"},
		{name: "missing secret is denied, not reported missing", token: w.shared.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/nothing", wantCode: "AccessDeniedException",
			wantAction: "secretsmanager:GetSecretValue", wantReason: "secret:acme/prod/nothing"},
		{name: "wrong service account subject", token: w.shared.token(t, "system:serviceaccount:payments:secrets-reader", aud, hour), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "AccessDenied",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: `sub "system:serviceaccount:payments:secrets-reader"`},
		{name: "wrong audience", token: w.shared.token(t, billingSA, []string{"https://kubernetes.default.svc"}, hour), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "InvalidIdentityToken",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "Incorrect token audience"},
		{name: "issuer not registered in the account", token: stranger.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "InvalidIdentityToken",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "No OpenIDConnect provider found"},
		{name: "issuer without keys", token: noKeys.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "InvalidIdentityToken",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "Couldn't retrieve verification key"},
		{name: "token signed with another key", token: impostor.token(t, billingSA, aud, hour), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "InvalidIdentityToken",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "does not verify"},
		{name: "expired token", token: w.shared.token(t, billingSA, aud, time.Now().Add(-time.Minute)), role: billingRole,
			secretID: "acme/prod/billing", wantCode: "ExpiredTokenException",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "Token expired"},
		{name: "unsigned token", token: w.shared.sign(t, "none", map[string]any{"iss": w.shared.URL, "sub": billingSA, "aud": aud, "exp": hour.Unix()}),
			role: billingRole, secretID: "acme/prod/billing", wantCode: "InvalidIdentityToken",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: `"none" is not accepted`},
		{name: "role trusting another cluster's issuer", token: w.shared.token(t, "system:serviceaccount:catalog:secrets-reader", aud, hour),
			role: RoleARN(prodAcct, "acme-prod-catalog-secrets"), secretID: "acme/prod/billing", wantCode: "AccessDenied",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "does not allow " + w.sharedProv},
		{name: "role that does not exist", token: w.shared.token(t, billingSA, aud, hour), role: RoleARN(prodAcct, "acme-prod-nobody"),
			secretID: "acme/prod/billing", wantCode: "AccessDenied",
			wantAction: "sts:AssumeRoleWithWebIdentity", wantReason: "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := secretsmanager.NewFromConfig(w.v2Config(w.webIdentity(tt.role, tt.token)))
			var value string
			var err error
			if tt.describe {
				var out *secretsmanager.DescribeSecretOutput
				out, err = sm.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(tt.secretID)})
				if err == nil && aws.ToString(out.ARN) != w.billingARN {
					t.Errorf("DescribeSecret ARN = %q, want %q", aws.ToString(out.ARN), w.billingARN)
				}
			} else {
				var out *secretsmanager.GetSecretValueOutput
				out, err = sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{
					SecretId: aws.String(tt.secretID), VersionStage: aws.String("AWSCURRENT")})
				if err == nil {
					value = aws.ToString(out.SecretString)
				}
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v\n%s", err, w.cloud.RefusalReport(5))
				}
				if !strings.Contains(value, tt.wantValue) {
					t.Errorf("value = %q, want it to contain %q", value, tt.wantValue)
				}
				return
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q (%v), want %s", got, err, tt.wantCode)
			}
			call := lastCall(t, w.cloud, tt.wantAction)
			if call.Allowed || !strings.Contains(call.Reason, tt.wantReason) {
				t.Errorf("logged %v; want a refusal saying %q", call, tt.wantReason)
			}
		})
	}
	if got := lastCall(t, w.cloud, "sts:AssumeRoleWithWebIdentity"); got.Principal == "" {
		t.Errorf("web identity calls are logged without principal: %v", got)
	}
}

func TestExternalSecretsParameterStoreChained(t *testing.T) {
	w := newWorld(t)
	// A reader that trusts every acme-* role of the management account:
	// the caller's own identity policy then decides (cross-account).
	loose := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::444444444444:root"},` +
		`"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::444444444444:role/acme-*"}}}]}`
	if _, err := w.cloud.PutRole(Role{Account: prodAcct, Name: "acme-loose-reader", TrustPolicy: loose,
		Policies: map[string]string{"p": allowPolicy([]string{"ssm:GetParameter"}, "*")}}); err != nil {
		t.Fatal(err)
	}
	reader := RoleARN(prodAcct, "acme-cluster-registry-reader")
	mgmtToken := func(sa string) string {
		return w.mgmt.token(t, "system:serviceaccount:argocd:"+sa, []string{"sts.amazonaws.com"}, time.Now().Add(time.Hour))
	}
	tests := []struct {
		name, sa, irsaRole, role, param string
		getParameters                   bool
		wantValue, wantCode             string
		wantAction, wantReason          string
	}{
		{name: "registry reads a cluster parameter", sa: "cluster-registry", irsaRole: "acme-cluster-registry", role: reader,
			param: "/acme/clusters/prod-shared-1-34/endpoint", wantValue: "https://127.0.0.1:6443"},
		{name: "parameter outside the allowed path", sa: "cluster-registry", irsaRole: "acme-cluster-registry", role: reader,
			param: "/acme/other/secret", wantCode: "AccessDeniedException", wantAction: "ssm:GetParameter",
			wantReason: "parameter/acme/other/secret because no identity-based policy allows"},
		{name: "GetParameters is another action", sa: "cluster-registry", irsaRole: "acme-cluster-registry", role: reader, getParameters: true,
			param: "/acme/clusters/prod-shared-1-34/endpoint", wantCode: "AccessDeniedException", wantAction: "ssm:GetParameters",
			wantReason: "ssm:GetParameters"},
		{name: "missing parameter inside the path", sa: "cluster-registry", irsaRole: "acme-cluster-registry", role: reader,
			param: "/acme/clusters/nope/endpoint", wantCode: "ParameterNotFound", wantAction: "ssm:GetParameter", wantReason: "does not exist"},
		{name: "trust condition names another principal", sa: "intruder", irsaRole: "acme-intruder", role: reader,
			param: "/acme/clusters/prod-shared-1-34/endpoint", wantCode: "AccessDenied", wantAction: "sts:AssumeRole",
			wantReason: "trust policy does not allow"},
		{name: "cross-account caller without sts:AssumeRole permission", sa: "no-permission", irsaRole: "acme-no-permission",
			role: RoleARN(prodAcct, "acme-loose-reader"), param: "/acme/clusters/prod-shared-1-34/endpoint", wantCode: "AccessDenied",
			wantAction: "sts:AssumeRole", wantReason: "no identity-based policy of arn:aws:iam::444444444444:role/acme-no-permission allows"},
		{name: "cross-account caller with permission", sa: "intruder", irsaRole: "acme-intruder",
			role: RoleARN(prodAcct, "acme-loose-reader"), param: "/acme/clusters/prod-shared-1-34/endpoint", wantValue: "https://127.0.0.1:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := w.webIdentity(RoleARN(mgmtAcct, tt.irsaRole), mgmtToken(tt.sa))
			client := ssm.NewFromConfig(w.v2Config(w.chained(base, tt.role)))
			var value string
			var err error
			if tt.getParameters {
				var out *ssm.GetParametersOutput
				out, err = client.GetParameters(context.Background(), &ssm.GetParametersInput{Names: []string{tt.param}, WithDecryption: aws.Bool(true)})
				if err == nil && len(out.Parameters) == 1 {
					value = aws.ToString(out.Parameters[0].Value)
				}
			} else {
				var out *ssm.GetParameterOutput
				out, err = client.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(tt.param), WithDecryption: aws.Bool(true)})
				if err == nil {
					value = aws.ToString(out.Parameter.Value)
				}
			}
			if tt.wantCode == "" {
				if err != nil || value != tt.wantValue {
					t.Fatalf("value %q, error %v; want %q\n%s", value, err, tt.wantValue, w.cloud.RefusalReport(5))
				}
				call := lastCall(t, w.cloud, "ssm:GetParameter")
				if want := "arn:aws:sts::111111111111:assumed-role/" + tt.role[strings.LastIndex(tt.role, "/")+1:] + "/"; !strings.HasPrefix(call.Principal, want) {
					t.Errorf("logged principal %q, want a session of %s", call.Principal, tt.role)
				}
				return
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q (%v), want %s", got, err, tt.wantCode)
			}
			call := lastCall(t, w.cloud, tt.wantAction)
			if call.Allowed || !strings.Contains(call.Reason, tt.wantReason) {
				t.Errorf("logged %v; want a refusal saying %q", call, tt.wantReason)
			}
		})
	}
}

func TestListTagsForResource(t *testing.T) {
	w := newWorld(t)
	if _, err := w.cloud.PutRole(Role{Account: prodAcct, Name: "tagger",
		TrustPolicy: trustWebIdentity(w.sharedProv, w.shared.URL, "system:serviceaccount:a:b"),
		Policies:    map[string]string{"p": allowPolicy([]string{"ssm:ListTagsForResource"}, "arn:aws:ssm:*:*:parameter/acme/clusters/*")}}); err != nil {
		t.Fatal(err)
	}
	tok := w.shared.token(t, "system:serviceaccount:a:b", []string{"sts.amazonaws.com"}, time.Now().Add(time.Hour))
	client := ssm.NewFromConfig(w.v2Config(w.webIdentity(RoleARN(prodAcct, "tagger"), tok)))
	for _, tt := range []struct{ id, wantCode string }{
		{"/acme/clusters/prod-shared-1-34/endpoint", ""},
		{"/acme/clusters/none", "InvalidResourceId"},
		{"/acme/other/secret", "AccessDeniedException"},
	} {
		_, err := client.ListTagsForResource(context.Background(), &ssm.ListTagsForResourceInput{ResourceType: "Parameter", ResourceId: aws.String(tt.id)})
		if got := errorCode(err); got != tt.wantCode {
			t.Errorf("ListTagsForResource(%s): code %q (%v), want %q", tt.id, got, err, tt.wantCode)
		}
	}
}
