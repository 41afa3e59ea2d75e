package fakeaws

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/platformc/platformc/test/e2e/internal/pki"
)

// testClock is the real time plus an offset the test moves.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// server serves cloud over TLS with a certificate of a fresh pki CA.
type server struct {
	URL    string
	Host   string // 127.0.0.1:port
	Client *http.Client
	CA     *pki.CA
}

func serve(t *testing.T, cloud *Cloud) *server {
	t.Helper()
	ca, err := pki.NewCA("fakeaws-test")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Serving("fakeaws", "sts.amazonaws.com", "*.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pair.TLS()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(cloud.Handler())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}, Timeout: 10 * time.Second}
	return &server{URL: ts.URL, Host: strings.TrimPrefix(ts.URL, "https://"), Client: client, CA: ca}
}

// issuer is a service-account token issuer of a test cluster.
type issuer struct {
	URL string
	key crypto.Signer
	alg string
}

func newRSAIssuer(t *testing.T, url string) *issuer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{URL: url, key: k, alg: "RS256"}
}

func newECIssuer(t *testing.T, url string) *issuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{URL: url, key: k, alg: "ES256"}
}

// token mints a service-account token as kube-apiserver does.
func (i *issuer) token(t *testing.T, sub string, aud []string, exp time.Time) string {
	t.Helper()
	return i.sign(t, i.alg, map[string]any{
		"iss": i.URL, "sub": sub, "aud": aud,
		"exp": exp.Unix(), "iat": time.Now().Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
	})
}

func (i *issuer) sign(t *testing.T, alg string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "kid": "k1"})
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch k := i.key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		r, s, e := ecdsa.Sign(rand.Reader, k, digest[:])
		err = e
		if e == nil {
			sig = make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// errorCode returns the AWS error code of an SDK error, or "" if none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// lastCall returns the last logged call whose action is action.
func lastCall(t *testing.T, c *Cloud, action string) Call {
	t.Helper()
	calls := c.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Action == action {
			return calls[i]
		}
	}
	t.Fatalf("no %s call logged; calls: %v", action, calls)
	return Call{}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func trustWebIdentity(providerARN, issuerURL, sub string) string {
	h := issuerHost(issuerURL)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Principal":{"Federated":"` + providerARN + `"},` +
		`"Condition":{"StringEquals":{"` + h + `:sub":"` + sub + `","` + h + `:aud":"sts.amazonaws.com"}}}]}`
}

func allowPolicy(actions []string, resources ...string) string {
	a, _ := json.Marshal(actions)
	r, _ := json.Marshal(resources)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + string(a) + `,"Resource":` + string(r) + `}]}`
}
