package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// readerSession returns fresh session credentials (with a session token)
// of the role acme-cluster-registry-reader, got as ESO gets them.
func (w *world) readerSession(t *testing.T) aws.Credentials {
	t.Helper()
	tok := w.mgmt.token(t, "system:serviceaccount:argocd:cluster-registry", []string{"sts.amazonaws.com"}, time.Now().Add(time.Hour))
	base := w.webIdentity(RoleARN(mgmtAcct, "acme-cluster-registry"), tok)
	creds, err := w.chained(base, RoleARN(prodAcct, "acme-cluster-registry-reader")).Retrieve(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, w.cloud.RefusalReport(5))
	}
	return creds
}

func (w *world) getParameter(creds aws.Credentials) error {
	client := ssm.NewFromConfig(w.v2Config(credentials.StaticCredentialsProvider{Value: creds}))
	_, err := client.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/acme/clusters/prod-shared-1-34/endpoint")})
	return err
}

func TestSignedRequestRefusals(t *testing.T) {
	w := newWorld(t)
	good := w.readerSession(t)
	issuedKey, issuedSecret, err := w.cloud.IssueCredentials(RoleARN(prodAcct, "acme-cluster-registry-reader"))
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(*aws.Credentials)) func(*testing.T) aws.Credentials {
		return func(*testing.T) aws.Credentials { c := good; f(&c); return c }
	}
	tests := []struct {
		name     string
		creds    func(*testing.T) aws.Credentials
		setup    func(*testing.T) func()
		wantCode string
		want     string
	}{
		{name: "valid session", creds: with(func(*aws.Credentials) {})},
		{name: "issued credentials without session token", creds: func(*testing.T) aws.Credentials {
			return aws.Credentials{AccessKeyID: issuedKey, SecretAccessKey: issuedSecret}
		}},
		{name: "unknown access key", creds: with(func(c *aws.Credentials) { c.AccessKeyID = "ASIAUNKNOWNUNKNOWN1" }),
			wantCode: "UnrecognizedClientException", want: "does not exist"},
		{name: "wrong secret key", creds: with(func(c *aws.Credentials) { c.SecretAccessKey += "x" }),
			wantCode: "InvalidSignatureException", want: "does not match"},
		{name: "wrong session token", creds: with(func(c *aws.Credentials) { c.SessionToken += "x" }),
			wantCode: "UnrecognizedClientException", want: "not the session token"},
		{name: "missing session token", creds: with(func(c *aws.Credentials) { c.SessionToken = "" }),
			wantCode: "UnrecognizedClientException", want: "not the session token"},
		{name: "expired session", creds: with(func(*aws.Credentials) {}),
			setup: func(*testing.T) func() {
				w.clock.advance(61 * time.Minute)
				return func() { w.clock.advance(-61 * time.Minute) }
			},
			wantCode: "ExpiredTokenException", want: "expired"},
		{name: "request signed 20 minutes off", creds: func(t *testing.T) aws.Credentials {
			return aws.Credentials{AccessKeyID: issuedKey, SecretAccessKey: issuedSecret}
		},
			setup: func(*testing.T) func() {
				w.clock.advance(20 * time.Minute)
				return func() { w.clock.advance(-20 * time.Minute) }
			},
			wantCode: "InvalidSignatureException", want: "Signature expired"},
		{name: "role deleted after the session was made", creds: with(func(*aws.Credentials) {}),
			setup: func(t *testing.T) func() {
				r, _ := w.cloud.Role(prodAcct, "acme-cluster-registry-reader")
				if err := w.cloud.DeleteRole(prodAcct, r.Name); err != nil {
					t.Fatal(err)
				}
				return func() {
					if _, err := w.cloud.PutRole(r); err != nil {
						t.Fatal(err)
					}
				}
			},
			wantCode: "UnrecognizedClientException", want: "no longer exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := tt.creds(t)
			if tt.setup != nil {
				defer tt.setup(t)()
			}
			err := w.getParameter(creds)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("error code %q (%v), want %s", got, err, tt.wantCode)
			}
			if c := lastCall(t, w.cloud, "ssm:GetParameter"); c.Allowed || !strings.Contains(c.Reason, tt.want) {
				t.Errorf("logged %v; want a refusal saying %q", c, tt.want)
			}
		})
	}
}

// TestTamperedRequests signs requests with the SDK's signer and changes
// them afterwards, as a man in the middle would.
func TestTamperedRequests(t *testing.T) {
	w := newWorld(t)
	creds := w.readerSession(t)
	body := `{"Name":"/acme/clusters/prod-shared-1-34/endpoint"}`
	tests := []struct {
		name     string
		tamper   func(r *http.Request)
		unsigned bool
		status   int
		wantType string
	}{
		{name: "untouched", tamper: func(*http.Request) {}, status: 200},
		{name: "body changed", status: 400, wantType: "InvalidSignatureException", tamper: func(r *http.Request) {
			b := strings.Replace(body, "prod-shared", "prod-sharex", 1)
			r.Body = io.NopCloser(strings.NewReader(b))
		}},
		{name: "signed header changed", status: 400, wantType: "InvalidSignatureException", tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AmazonSSM.GetParameters")
		}},
		{name: "signature changed", status: 400, wantType: "InvalidSignatureException", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=0", 1))
		}},
		{name: "Host changed", status: 400, wantType: "InvalidSignatureException", tamper: func(r *http.Request) {
			r.Host = "ssm.ap-northeast-1.amazonaws.com"
		}},
		{name: "malformed credential scope", status: 400, wantType: "IncompleteSignatureException", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "", 1))
		}},
		{name: "unsigned", unsigned: true, status: 400, wantType: "MissingAuthenticationTokenException", tamper: func(*http.Request) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
			if !tt.unsigned {
				sum := sha256.Sum256([]byte(body))
				if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ssm", region, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			tt.tamper(req)
			resp, err := w.srv.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			if resp.StatusCode != tt.status || (tt.wantType != "" && out["__type"] != tt.wantType) {
				t.Errorf("answered %d %v; want %d %s", resp.StatusCode, out, tt.status, tt.wantType)
			}
			if tt.status == 200 && out["Parameter"] == nil {
				t.Errorf("answer %v has no Parameter", out)
			}
		})
	}
}

func TestGetCallerIdentity(t *testing.T) {
	w := newWorld(t)
	creds := w.readerSession(t)
	client := sts.NewFromConfig(w.v2Config(credentials.StaticCredentialsProvider{Value: creds}))
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != prodAcct || !strings.HasPrefix(aws.ToString(out.Arn), "arn:aws:sts::111111111111:assumed-role/acme-cluster-registry-reader/") ||
		!strings.HasPrefix(aws.ToString(out.UserId), "AROA") {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}

	// Presigned, as aws-iam-authenticator v2 tokens are: a GET anyone
	// holding the URL can send. The keys last a day, so only the 15
	// minutes STS grants a presigned GetCallerIdentity limit it.
	akid, secret, err := w.cloud.IssueCredentials(RoleARN(prodAcct, "acme-cluster-registry-reader"))
	if err != nil {
		t.Fatal(err)
	}
	issued := sts.NewFromConfig(w.v2Config(credentials.NewStaticCredentialsProvider(akid, secret, "")))
	presigned, err := sts.NewPresignClient(issued).PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		url     string
		advance time.Duration
		status  int
		code    string
	}{
		{name: "presigned", url: presigned.URL, status: 200},
		{name: "presigned, 16 minutes later", url: presigned.URL, advance: 16 * time.Minute, status: 403, code: "SignatureDoesNotMatch"},
		{name: "presigned URL claiming another signed header", url: strings.Replace(presigned.URL, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", 1), status: 403, code: "SignatureDoesNotMatch"},
		{name: "unsigned GetCallerIdentity", url: w.srv.URL + "/?Action=GetCallerIdentity&Version=2011-06-15", status: 403, code: "MissingAuthenticationToken"},
		{name: "unknown action", url: w.srv.URL + "/?Action=GetSessionToken&Version=2011-06-15", status: 400, code: "InvalidAction"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.clock.advance(tt.advance)
			defer w.clock.advance(-tt.advance)
			resp, err := w.srv.Client.Get(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Arn  string `xml:"GetCallerIdentityResult>Arn"`
				Code string `xml:"Error>Code"`
			}
			if err := xml.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || out.Code != tt.code || (tt.status == 200 && out.Arn == "") {
				t.Errorf("answered %d %+v, want %d %q", resp.StatusCode, out, tt.status, tt.code)
			}
		})
	}
}
