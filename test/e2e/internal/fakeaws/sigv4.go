package fakeaws

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateForm  = "20060102T150405Z"
	// maxSkew is how far a signed request's time may be from the server's.
	maxSkew = 15 * time.Minute
)

// sigInfo is the SigV4 signature of a request, header or query form.
type sigInfo struct {
	Presigned     bool
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	AmzDate       time.Time
	Expires       time.Duration // presigned only
	SecurityToken string
}

// authFailure is why a signed request was refused; protocols map kinds to
// their own error codes.
type authFailure struct {
	Kind    authKind
	Message string
}

type authKind int

const (
	authMissing      authKind = iota // no signature
	authMalformed                    // a signature that cannot be parsed
	authUnknownKey                   // no such access key, or wrong session token
	authExpired                      // the session expired
	authBadSignature                 // the signature does not match, or its time is off
)

func (f *authFailure) Error() string { return f.Message }

func failf(k authKind, format string, args ...any) *authFailure {
	return &authFailure{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// parseSig reads the signature of r. It returns nil, nil for an unsigned
// request.
func parseSig(r *http.Request) (*sigInfo, *authFailure) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseAuthHeader(r, h)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Signature") == "" {
		return nil, nil
	}
	si := &sigInfo{Presigned: true, Signature: q.Get("X-Amz-Signature"), SecurityToken: q.Get("X-Amz-Security-Token")}
	if q.Get("X-Amz-Algorithm") != sigAlgorithm {
		return nil, failf(authMalformed, "X-Amz-Algorithm must be %s", sigAlgorithm)
	}
	if f := si.setCredential(q.Get("X-Amz-Credential")); f != nil {
		return nil, f
	}
	si.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if f := si.setDate(q.Get("X-Amz-Date")); f != nil {
		return nil, f
	}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		// 0 is what argocd-k8s-auth and aws-iam-authenticator send
		// (Presign(60) is 60ns): STS ignores it for GetCallerIdentity.
		if err != nil || n < 0 || n > 604800 {
			return nil, failf(authMalformed, "X-Amz-Expires %q must be between 0 and 604800 seconds", e)
		}
		si.Expires = time.Duration(n) * time.Second
	}
	return si, nil
}

func parseAuthHeader(r *http.Request, h string) (*sigInfo, *authFailure) {
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return nil, failf(authMalformed, "the Authorization header is not %s", sigAlgorithm)
	}
	si := &sigInfo{SecurityToken: r.Header.Get("X-Amz-Security-Token")}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			if f := si.setCredential(v); f != nil {
				return nil, f
			}
		case "SignedHeaders":
			si.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			si.Signature = v
		}
	}
	if si.AccessKeyID == "" || len(si.SignedHeaders) == 0 || si.Signature == "" {
		return nil, failf(authMalformed, "the Authorization header lacks Credential, SignedHeaders or Signature")
	}
	if f := si.setDate(r.Header.Get("X-Amz-Date")); f != nil {
		return nil, f
	}
	return si, nil
}

func (si *sigInfo) setCredential(v string) *authFailure {
	f := strings.Split(v, "/")
	if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" {
		return failf(authMalformed, "credential %q is not <key>/<date>/<region>/<service>/aws4_request", v)
	}
	si.AccessKeyID, si.Date, si.Region, si.Service = f[0], f[1], f[2], f[3]
	return nil
}

func (si *sigInfo) setDate(v string) *authFailure {
	t, err := time.Parse(amzDateForm, v)
	if err != nil {
		return failf(authMalformed, "X-Amz-Date %q is not yyyymmddThhmmssZ", v)
	}
	if t.Format("20060102") != si.Date {
		return failf(authBadSignature, "the credential scope's date %s is not the date of X-Amz-Date %s", si.Date, v)
	}
	si.AmzDate = t
	return nil
}

// authenticate finds the session that signed r and verifies the signature
// with its secret key, recomputing it with the SDK's signer. validity, if
// not zero, replaces X-Amz-Expires for presigned requests (STS honours 15
// minutes for presigned GetCallerIdentity whatever it says).
func (c *Cloud) authenticate(r *http.Request, body []byte, si *sigInfo, validity time.Duration) (*session, *authFailure) {
	now := c.now()
	c.mu.Lock()
	sp := c.sessions[si.AccessKeyID]
	var s session
	if sp != nil {
		s = *sp
	}
	roleExists := sp != nil && c.roles[sp.RoleARN] != nil
	c.mu.Unlock()
	switch {
	case sp == nil:
		return nil, failf(authUnknownKey, "the security token included in the request is invalid: access key %s does not exist", si.AccessKeyID)
	case s.SessionToken != si.SecurityToken:
		return nil, failf(authUnknownKey, "the security token included in the request is invalid: it is not the session token of access key %s", si.AccessKeyID)
	case !now.Before(s.Expires):
		return nil, failf(authExpired, "the security token included in the request is expired: session %s expired at %s", s.ARN(), s.Expires.UTC().Format(time.RFC3339))
	case !roleExists:
		return nil, failf(authUnknownKey, "the security token included in the request is invalid: role %s no longer exists", s.RoleARN)
	}
	if si.Presigned {
		d := si.Expires
		if validity != 0 {
			d = validity
		}
		if d == 0 {
			return nil, failf(authMalformed, "a presigned request needs an X-Amz-Expires of at least 1 second")
		}
		if now.After(si.AmzDate.Add(d)) {
			return nil, failf(authBadSignature, "the presigned request expired at %s", si.AmzDate.Add(d).UTC().Format(time.RFC3339))
		}
		if si.AmzDate.After(now.Add(maxSkew)) {
			return nil, failf(authBadSignature, "the request is signed at %s, in the future", si.AmzDate.UTC().Format(time.RFC3339))
		}
	} else if d := now.Sub(si.AmzDate); d > maxSkew || d < -maxSkew {
		return nil, failf(authBadSignature, "Signature expired: signed at %s, now %s (more than 15 minutes apart)", si.AmzDate.UTC().Format(amzDateForm), now.UTC().Format(amzDateForm))
	}
	want, err := recomputeSignature(r, body, si, s.SecretAccessKey)
	if err != nil {
		return nil, failf(authMalformed, "cannot recompute the signature: %v", err)
	}
	if !hmac.Equal([]byte(want), []byte(si.Signature)) {
		return nil, failf(authBadSignature, "the request signature we calculated does not match the signature you provided (access key %s, signed headers %s)", si.AccessKeyID, strings.Join(si.SignedHeaders, ";"))
	}
	return &s, nil
}

// recomputeSignature signs a copy of r made of only what the client signed
// with the secret key and returns the signature.
func recomputeSignature(r *http.Request, body []byte, si *sigInfo, secret string) (string, error) {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	u := &url.URL{Scheme: "https", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if si.Presigned {
		q := r.URL.Query()
		q.Del("X-Amz-Signature")
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Host = host
	signsToken := false
	for _, h := range si.SignedHeaders {
		switch h = strings.ToLower(h); h {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			if h == "x-amz-security-token" {
				signsToken = true
			}
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	creds := aws.Credentials{AccessKeyID: si.AccessKeyID, SecretAccessKey: secret}
	if si.Presigned || signsToken {
		creds.SessionToken = si.SecurityToken
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if si.Presigned && r.URL.Query().Get("X-Amz-Content-Sha256") != "" {
		payloadHash = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	if payloadHash == "" {
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}
	signer := v4.NewSigner()
	if si.Presigned {
		signed, _, err := signer.PresignHTTP(context.Background(), creds, req, payloadHash, si.Service, si.Region, si.AmzDate)
		if err != nil {
			return "", err
		}
		su, err := url.Parse(signed)
		if err != nil {
			return "", err
		}
		return su.Query().Get("X-Amz-Signature"), nil
	}
	if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, si.Service, si.Region, si.AmzDate); err != nil {
		return "", err
	}
	_, sig, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	return sig, nil
}
