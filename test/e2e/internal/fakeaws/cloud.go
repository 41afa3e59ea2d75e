package fakeaws

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Cloud is the state of the fake AWS accounts and the handler of their
// APIs. It is safe for concurrent use.
type Cloud struct {
	now      func() time.Time
	stsHosts []string

	mu         sync.Mutex
	roles      map[string]*roleState // by role ARN
	providers  map[string]*OIDCProvider
	issuerKeys map[string][]crypto.PublicKey // by issuer URL without scheme
	params     map[string]*Parameter         // by parameter ARN
	secrets    map[string]*Secret            // by secret ARN
	clusters   map[string]*Cluster           // by cluster ARN
	entries    map[string]*AccessEntry       // by cluster ARN + " " + principal ARN
	sessions   map[string]*session           // by access key id
	log        callLog
}

// Option configures a Cloud.
type Option func(*Cloud)

// WithClock makes the Cloud read the time from now (for expiry tests).
func WithClock(now func() time.Time) Option { return func(c *Cloud) { c.now = now } }

// WithSTSHosts adds host names (host or host:port) that EKS tokens may name
// as their STS endpoint, besides sts.amazonaws.com, sts.<region>.amazonaws.com
// and the host the webhook itself was reached at.
func WithSTSHosts(hosts ...string) Option {
	return func(c *Cloud) { c.stsHosts = append(c.stsHosts, hosts...) }
}

// WithCallLogSize bounds the call log to the last n calls (default 10000).
func WithCallLogSize(n int) Option { return func(c *Cloud) { c.log.max = n } }

// New returns an empty cloud.
func New(opts ...Option) *Cloud {
	c := &Cloud{
		now:        time.Now,
		roles:      map[string]*roleState{},
		providers:  map[string]*OIDCProvider{},
		issuerKeys: map[string][]crypto.PublicKey{},
		params:     map[string]*Parameter{},
		secrets:    map[string]*Secret{},
		clusters:   map[string]*Cluster{},
		entries:    map[string]*AccessEntry{},
		sessions:   map[string]*session{},
		log:        callLog{max: 10000},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// stableID returns n upper-case letters and digits derived from parts.
func stableID(n int, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return idEncoding.EncodeToString(h[:])[:n]
}

// randomID returns n random upper-case letters and digits.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return idEncoding.EncodeToString(b)[:n]
}

// randomSecret returns a random string of n hex digits.
func randomSecret(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}
