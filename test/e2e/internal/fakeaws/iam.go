package fakeaws

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"sort"
	"strings"
)

// Role is an IAM role. Its inline policies are evaluated; its managed
// policies are kept but not evaluated (they grant nothing here).
type Role struct {
	Account     string
	Name        string
	Description string
	// TrustPolicy is the assume-role policy document, JSON.
	TrustPolicy string
	// Policies are the inline identity policies, name to JSON document.
	Policies          map[string]string
	ManagedPolicyARNs []string
}

// ARN returns the role's ARN.
func (r Role) ARN() string { return RoleARN(r.Account, r.Name) }

// ID returns the role's unique id (AROA...), stable for a given ARN.
func (r Role) ID() string { return "AROA" + stableID(17, r.ARN()) }

type roleState struct {
	Role
	trust    *policy
	policies []*policy
}

// PutRole creates or replaces a role. Its documents are checked as IAM
// checks them: malformed JSON or statements are refused, and so is an AWS
// principal that names a role that does not exist.
func (c *Cloud) PutRole(r Role) (arn string, err error) {
	if err := checkAccount(r.Account); err != nil {
		return "", fmt.Errorf("put role %q: %w", r.Name, err)
	}
	if !roleNameRE.MatchString(r.Name) {
		return "", fmt.Errorf("put role %q: the name is not a valid IAM role name", r.Name)
	}
	st := &roleState{Role: r}
	st.Policies = map[string]string{}
	if st.trust, err = parsePolicy(r.TrustPolicy); err != nil {
		return "", fmt.Errorf("put role %s: trust policy: %w", r.ARN(), err)
	}
	names := make([]string, 0, len(r.Policies))
	for name := range r.Policies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, err := parsePolicy(r.Policies[name])
		if err != nil {
			return "", fmt.Errorf("put role %s: policy %q: %w", r.ARN(), name, err)
		}
		st.Policies[name] = r.Policies[name]
		st.policies = append(st.policies, p)
	}
	st.ManagedPolicyARNs = clone(r.ManagedPolicyARNs)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range st.trust.Statements {
		if s.Principal == nil {
			continue
		}
		for _, a := range s.Principal.AWS {
			if strings.Contains(a, ":role/") && a != r.ARN() && c.roles[a] == nil {
				return "", fmt.Errorf("put role %s: MalformedPolicyDocument: invalid principal in trust policy: %q does not exist", r.ARN(), a)
			}
		}
	}
	c.roles[r.ARN()] = st
	return r.ARN(), nil
}

// DeleteRole deletes a role. Sessions of the role fail from then on.
func (c *Cloud) DeleteRole(account, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	arn := RoleARN(account, name)
	if c.roles[arn] == nil {
		return fmt.Errorf("delete role %s: NoSuchEntity: the role does not exist", arn)
	}
	delete(c.roles, arn)
	return nil
}

// Role returns a role.
func (c *Cloud) Role(account, name string) (Role, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.roles[RoleARN(account, name)]
	if st == nil {
		return Role{}, false
	}
	r := st.Role
	r.Policies = map[string]string{}
	for k, v := range st.Policies {
		r.Policies[k] = v
	}
	r.ManagedPolicyARNs = clone(st.ManagedPolicyARNs)
	return r, true
}

// Roles returns the names of the roles of account, sorted.
func (c *Cloud) Roles(account string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, st := range c.roles {
		if st.Account == account {
			out = append(out, st.Name)
		}
	}
	sort.Strings(out)
	return out
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	Account string
	// URL is the issuer URL, https://...
	URL       string
	ClientIDs []string
}

// ARN returns the provider's ARN.
func (p OIDCProvider) ARN() string { return OIDCProviderARN(p.Account, p.URL) }

// PutOIDCProvider creates or replaces an OIDC provider.
func (c *Cloud) PutOIDCProvider(p OIDCProvider) (arn string, err error) {
	if err := checkAccount(p.Account); err != nil {
		return "", fmt.Errorf("put OIDC provider %q: %w", p.URL, err)
	}
	if !strings.HasPrefix(p.URL, "https://") || len(p.URL) <= len("https://") {
		return "", fmt.Errorf("put OIDC provider %q: the URL must start with https://", p.URL)
	}
	if len(p.ClientIDs) == 0 {
		return "", fmt.Errorf("put OIDC provider %q: no client IDs (audiences)", p.URL)
	}
	p.ClientIDs = clone(p.ClientIDs)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.providers[p.ARN()] = &p
	return p.ARN(), nil
}

// DeleteOIDCProvider deletes an OIDC provider.
func (c *Cloud) DeleteOIDCProvider(arn string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.providers[arn] == nil {
		return fmt.Errorf("delete OIDC provider %s: NoSuchEntity: it does not exist", arn)
	}
	delete(c.providers, arn)
	return nil
}

// OIDCProvider returns an OIDC provider by ARN.
func (c *Cloud) OIDCProvider(arn string) (OIDCProvider, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.providers[arn]
	if p == nil {
		return OIDCProvider{}, false
	}
	q := *p
	q.ClientIDs = clone(p.ClientIDs)
	return q, true
}

// SetIssuerKeys sets the public keys (the JWKS) of the service-account
// token issuer issuerURL, with which STS verifies web identity tokens. Real
// STS fetches them from the issuer's public discovery document. No keys
// removes the issuer. Keys are *rsa.PublicKey or *ecdsa.PublicKey.
func (c *Cloud) SetIssuerKeys(issuerURL string, keys ...crypto.PublicKey) error {
	for i, k := range keys {
		switch k.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			return fmt.Errorf("issuer %s: key %d is a %T, not an *rsa.PublicKey or *ecdsa.PublicKey", issuerURL, i, k)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(keys) == 0 {
		delete(c.issuerKeys, issuerHost(issuerURL))
		return nil
	}
	c.issuerKeys[issuerHost(issuerURL)] = clone(keys)
	return nil
}

// IssuerKeys returns the keys set for issuer issuerURL.
func (c *Cloud) IssuerKeys(issuerURL string) []crypto.PublicKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clone(c.issuerKeys[issuerHost(issuerURL)])
}

// Allows reports whether the inline identity policies of a role allow
// action on resource, given the request's condition keys (lower case),
// as the services the fake emulates decide; why says what decided when
// they do not. It answers for the services the fake does not serve (S3,
// SQS, DynamoDB) what IAM would decide for a session of the role.
func (c *Cloud) Allows(roleARN, action, resource string, keys map[string]string) (ok bool, why string) {
	c.mu.Lock()
	role := c.roles[roleARN]
	c.mu.Unlock()
	if role == nil {
		return false, "no role " + roleARN
	}
	ctx := map[string]string{"aws:principalarn": roleARN, "aws:principaltype": "AssumedRole"}
	for k, v := range keys {
		ctx[k] = v
	}
	d, notes := evaluate(role.policies, evalRequest{Action: action, Resource: resource, Context: ctx})
	return d == allowed, noteText(notes)
}
