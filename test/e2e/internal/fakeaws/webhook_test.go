package fakeaws

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/credentials/stscreds"
	sessionv1 "github.com/aws/aws-sdk-go/aws/session"
	stsv1 "github.com/aws/aws-sdk-go/service/sts"
)

// eksToken mints a token exactly as Argo CD v3's
// "argocd-k8s-auth aws --cluster-name cluster --role-arn roleARN" does,
// with aws-sdk-go v1 whose STS endpoint is endpoint ("" for the default,
// sts.amazonaws.com, reached through client).
func eksToken(t *testing.T, client *http.Client, endpoint, akid, secret, roleARN, cluster string, signHeader bool) string {
	t.Helper()
	cfg := awsv1.Config{
		Region:      awsv1.String(region),
		HTTPClient:  client,
		Credentials: credentials.NewStaticCredentials(akid, secret, ""),
		MaxRetries:  awsv1.Int(0),
	}
	if endpoint != "" {
		cfg.Endpoint = awsv1.String(endpoint)
	}
	sess, err := sessionv1.NewSessionWithOptions(sessionv1.Options{Config: cfg, SharedConfigState: sessionv1.SharedConfigDisable})
	if err != nil {
		t.Fatal(err)
	}
	stsAPI := stsv1.New(sess)
	if roleARN != "" {
		creds := stscreds.NewCredentials(sess, roleARN)
		stsAPI = stsv1.New(sess, &awsv1.Config{Credentials: creds})
	}
	request, _ := stsAPI.GetCallerIdentityRequest(&stsv1.GetCallerIdentityInput{})
	if signHeader {
		request.HTTPRequest.Header.Add("x-k8s-aws-id", cluster)
	}
	signed, err := request.Presign(60)
	if err != nil {
		t.Fatalf("presign: %v", err)
	}
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(signed))
}

// review posts a TokenReview for cluster to the webhook, as kube-apiserver
// does.
func (w *world) review(t *testing.T, cluster, token string) tokenReviewStatus {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": map[string]any{"token": token}})
	resp, err := w.srv.Client.Post(w.srv.URL+WebhookPath(prodAcct, region, cluster), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Status     tokenReviewStatus `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Kind != "TokenReview" || out.APIVersion != "authentication.k8s.io/v1" {
		t.Fatalf("webhook answered %d %+v (%v)", resp.StatusCode, out, err)
	}
	return out.Status
}

// rewrite changes the presigned URL inside a token.
func rewrite(t *testing.T, token string, f func(u *url.URL)) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "k8s-aws-v1."))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	f(u)
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(u.String()))
}

func TestWebhookArgoCDTokens(t *testing.T) {
	// aws-sdk-go v1 would load this bundle into the test's HTTP client.
	t.Setenv("AWS_CA_BUNDLE", "")
	w := newWorld(t)
	akid, secret, err := w.cloud.IssueCredentials(RoleARN(mgmtAcct, "acme-argocd"))
	if err != nil {
		t.Fatal(err)
	}
	deployer := RoleARN(prodAcct, "acme-argocd-deployer")
	mint := func(cluster string) string {
		return eksToken(t, w.srv.Client, w.srv.URL, akid, secret, deployer, cluster, true)
	}
	// Through the harness's proxy: the SDK talks to sts.amazonaws.com, and
	// the connection lands on the fake.
	proxied := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: w.srv.CA.Pool()},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, w.srv.Host)
		},
	}}
	sharedToken := mint("prod-shared-1-34")
	sessionPrefix := "arn:aws:sts::111111111111:assumed-role/acme-argocd-deployer/"

	tests := []struct {
		name       string
		cluster    string
		token      func() string
		advance    time.Duration
		wantGroups []string // nil: refused
		wantReason string
	}{
		{name: "deployer on its cluster is cluster admin", cluster: "prod-shared-1-34",
			token: func() string { return sharedToken }, wantGroups: []string{"system:masters"}},
		{name: "token minted through the proxy for sts.amazonaws.com", cluster: "prod-shared-1-34",
			token: func() string {
				return eksToken(t, proxied, "", akid, secret, deployer, "prod-shared-1-34", true)
			}, wantGroups: []string{"system:masters"}},
		{name: "namespace-scoped admin policy maps to its groups only", cluster: "prod-payments-1-34",
			token: func() string { return mint("prod-payments-1-34") }, wantGroups: []string{"viewers"}},
		{name: "token minted for cluster A presented to cluster B", cluster: "prod-payments-1-34",
			token: func() string { return sharedToken }, wantReason: "x-k8s-aws-id: prod-payments-1-34"},
		{name: "no access entry", cluster: "stg-nobody-1-35",
			token: func() string { return mint("stg-nobody-1-35") }, wantReason: "has no access entry for " + deployer},
		{name: "caller's own role has no access entry", cluster: "prod-shared-1-34",
			token: func() string {
				return eksToken(t, w.srv.Client, w.srv.URL, akid, secret, "", "prod-shared-1-34", true)
			}, wantReason: "no access entry for arn:aws:iam::444444444444:role/acme-argocd"},
		{name: "cluster unknown to the cloud", cluster: "prod-ghost-1-34",
			token: func() string { return mint("prod-ghost-1-34") }, wantReason: "does not exist"},
		{name: "expired token", cluster: "prod-shared-1-34", advance: 16 * time.Minute,
			token: func() string { return sharedToken }, wantReason: "expired"},
		{name: "tampered signature", cluster: "prod-shared-1-34",
			token: func() string {
				return rewrite(t, sharedToken, func(u *url.URL) {
					q := u.Query()
					sig := []byte(q.Get("X-Amz-Signature"))
					sig[0] ^= 1
					q.Set("X-Amz-Signature", string(sig))
					u.RawQuery = q.Encode()
				})
			}, wantReason: "does not match"},
		{name: "host that is not STS", cluster: "prod-shared-1-34",
			token:      func() string { return rewrite(t, sharedToken, func(u *url.URL) { u.Host = "sts.evil.example.com" }) },
			wantReason: "not an STS endpoint"},
		{name: "STS host the signature does not cover", cluster: "prod-shared-1-34",
			token: func() string {
				return rewrite(t, sharedToken, func(u *url.URL) { u.Host = "sts.ap-northeast-1.amazonaws.com" })
			}, wantReason: "does not match"},
		{name: "other action", cluster: "prod-shared-1-34",
			token: func() string {
				return rewrite(t, sharedToken, func(u *url.URL) {
					q := u.Query()
					q.Set("Action", "AssumeRole")
					u.RawQuery = q.Encode()
				})
			}, wantReason: "not GetCallerIdentity"},
		{name: "extra query parameter", cluster: "prod-shared-1-34",
			token: func() string {
				return rewrite(t, sharedToken, func(u *url.URL) { u.RawQuery += "&RoleArn=x" })
			}, wantReason: `"RoleArn" that is not allowed`},
		{name: "cluster header not signed", cluster: "prod-shared-1-34",
			token: func() string {
				return eksToken(t, w.srv.Client, w.srv.URL, akid, secret, deployer, "prod-shared-1-34", false)
			}, wantReason: "do not include x-k8s-aws-id"},
		{name: "not an EKS token", cluster: "prod-shared-1-34",
			token: func() string { return "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }, wantReason: "no k8s-aws-v1. prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := tt.token()
			w.clock.advance(tt.advance)
			defer w.clock.advance(-tt.advance)
			st := w.review(t, tt.cluster, token)
			call := lastCall(t, w.cloud, "eks:AuthenticateToken")
			if tt.wantGroups == nil {
				if st.Authenticated || st.User != nil {
					t.Fatalf("authenticated %+v; want a refusal", st.User)
				}
				if !strings.Contains(st.Error, tt.wantReason) || call.Allowed || !strings.Contains(call.Reason, tt.wantReason) {
					t.Errorf("refused with %q, logged %v; want the reason to say %q", st.Error, call, tt.wantReason)
				}
				return
			}
			if !st.Authenticated || st.User == nil {
				t.Fatalf("not authenticated: %s\n%s", st.Error, w.cloud.RefusalReport(5))
			}
			if !strings.HasPrefix(st.User.Username, sessionPrefix) {
				t.Errorf("username %q, want the session ARN %s...", st.User.Username, sessionPrefix)
			}
			if strings.Join(st.User.Groups, ",") != strings.Join(tt.wantGroups, ",") {
				t.Errorf("groups %v, want %v", st.User.Groups, tt.wantGroups)
			}
			if got := st.User.Extra["canonicalArn"]; len(got) != 1 || got[0] != deployer {
				t.Errorf("extra canonicalArn %v, want %s", got, deployer)
			}
			if !call.Allowed || call.Role != deployer {
				t.Errorf("logged %v", call)
			}
		})
	}
	// The harness's Argo CD role assumed the deployer through STS; that
	// is logged with both principals.
	c := lastCall(t, w.cloud, "sts:AssumeRole")
	if !c.Allowed || c.Role != RoleARN(mgmtAcct, "acme-argocd") || c.Resource != deployer {
		t.Errorf("AssumeRole logged as %v", c)
	}
}

func TestWebhookConfig(t *testing.T) {
	b, err := WebhookConfig("https://127.0.0.1:8443/", []byte("PEM"), prodAcct, region, "prod-shared-1-34")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Clusters []struct {
			Cluster struct {
				Server string `json:"server"`
				CA     string `json:"certificate-authority-data"`
			} `json:"cluster"`
		} `json:"clusters"`
		CurrentContext string `json:"current-context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	want := "https://127.0.0.1:8443/eks/authenticate/111111111111/ap-northeast-1/prod-shared-1-34"
	if len(cfg.Clusters) != 1 || cfg.Clusters[0].Cluster.Server != want || cfg.Clusters[0].Cluster.CA != "UEVN" || cfg.CurrentContext != "webhook" {
		t.Errorf("config %s; want server %s", b, want)
	}
}

func TestWebhookRejectsBadRequests(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/eks/authenticate/111111111111/ap-northeast-1", "{}", 404},
		{"POST", "/eks/authenticate/1111/ap-northeast-1/c", "{}", 404},
		{"GET", WebhookPath(prodAcct, region, "c"), "", 405},
		{"POST", WebhookPath(prodAcct, region, "c"), "not json", 400},
	} {
		req, _ := http.NewRequest(tt.method, w.srv.URL+tt.path, strings.NewReader(tt.body))
		resp, err := w.srv.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}
