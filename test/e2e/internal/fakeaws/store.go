package fakeaws

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

var (
	paramNameRE  = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)
	secretNameRE = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]{1,512}$`)
)

// Parameter is an SSM String parameter.
type Parameter struct {
	Account, Region, Name, Value string
	Version                      int64
	LastModified                 time.Time
}

// ARN returns the parameter's ARN.
func (p Parameter) ARN() string { return ParameterARN(p.Account, p.Region, p.Name) }

func checkParamName(name string) error {
	if len(name) > 2048 || !paramNameRE.MatchString(name) || (strings.Contains(name, "/") && !strings.HasPrefix(name, "/")) {
		return fmt.Errorf("parameter name %q is not valid (letters, digits, _.-/; a hierarchy starts with /)", name)
	}
	return nil
}

// PutParameter creates a String parameter or overwrites its value (its
// version then goes up by one).
func (c *Cloud) PutParameter(account, region, name, value string) error {
	if err := checkAccountRegion(account, region); err != nil {
		return fmt.Errorf("put parameter %q: %w", name, err)
	}
	if err := checkParamName(name); err != nil {
		return fmt.Errorf("put parameter: %w", err)
	}
	if value == "" {
		return fmt.Errorf("put parameter %q: SSM refuses an empty value", name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	arn := ParameterARN(account, region, name)
	p := c.params[arn]
	if p == nil {
		p = &Parameter{Account: account, Region: region, Name: name}
		c.params[arn] = p
	}
	p.Value = value
	p.Version++
	p.LastModified = c.now()
	return nil
}

// DeleteParameter deletes a parameter.
func (c *Cloud) DeleteParameter(account, region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	arn := ParameterARN(account, region, name)
	if c.params[arn] == nil {
		return fmt.Errorf("delete parameter %s: ParameterNotFound", arn)
	}
	delete(c.params, arn)
	return nil
}

// Parameter returns a parameter.
func (c *Cloud) Parameter(account, region, name string) (Parameter, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.params[ParameterARN(account, region, name)]
	if p == nil {
		return Parameter{}, false
	}
	return *p, true
}

// Secret is a Secrets Manager secret. VersionID is empty while it has no
// value.
type Secret struct {
	Account, Region, Name, ARN string
	Description                string
	SecretString               string
	VersionID                  string
	Created                    time.Time
}

const base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// SecretARN returns the ARN the fake gives secret name: Secrets Manager's
// form with a six-character suffix, here derived from the name so that it
// is the same in every run.
func SecretARN(account, region, name string) string {
	h := sha256.Sum256([]byte(account + "/" + region + "/" + name))
	suffix := make([]byte, 6)
	for i := range suffix {
		suffix[i] = base62[int(h[i])%len(base62)]
	}
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-" + string(suffix)
}

// CreateSecret creates a secret; value "" creates it without a value. A
// secret of that name that already exists is refused, as Secrets Manager
// does.
func (c *Cloud) CreateSecret(account, region, name, description, value string) (arn string, err error) {
	if err := checkAccountRegion(account, region); err != nil {
		return "", fmt.Errorf("create secret %q: %w", name, err)
	}
	if !secretNameRE.MatchString(name) {
		return "", fmt.Errorf("create secret %q: the name is not valid", name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	arn = SecretARN(account, region, name)
	if c.secrets[arn] != nil {
		return "", fmt.Errorf("create secret %s: ResourceExistsException: the secret already exists", arn)
	}
	s := &Secret{Account: account, Region: region, Name: name, ARN: arn, Description: description, Created: c.now()}
	if value != "" {
		s.SecretString, s.VersionID = value, newVersionID()
	}
	c.secrets[arn] = s
	return arn, nil
}

// PutSecretValue sets the value of an existing secret, found by name or
// ARN.
func (c *Cloud) PutSecretValue(account, region, secretID, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.findSecret(account, region, secretID)
	if s == nil {
		return fmt.Errorf("put secret value %q in %s/%s: ResourceNotFoundException: no such secret", secretID, account, region)
	}
	s.SecretString, s.VersionID = value, newVersionID()
	return nil
}

// UpdateSecretDescription sets the description of an existing secret.
func (c *Cloud) UpdateSecretDescription(account, region, secretID, description string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.findSecret(account, region, secretID)
	if s == nil {
		return fmt.Errorf("update secret %q in %s/%s: ResourceNotFoundException: no such secret", secretID, account, region)
	}
	s.Description = description
	return nil
}

// DeleteSecret deletes a secret at once (no recovery window).
func (c *Cloud) DeleteSecret(account, region, secretID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.findSecret(account, region, secretID)
	if s == nil {
		return fmt.Errorf("delete secret %q in %s/%s: ResourceNotFoundException: no such secret", secretID, account, region)
	}
	delete(c.secrets, s.ARN)
	return nil
}

// Secret returns a secret by name or ARN.
func (c *Cloud) Secret(account, region, secretID string) (Secret, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.findSecret(account, region, secretID)
	if s == nil {
		return Secret{}, false
	}
	return *s, true
}

// findSecret finds a secret by name, full ARN or partial ARN (without the
// six-character suffix), as Secrets Manager does. c.mu is held.
func (c *Cloud) findSecret(account, region, id string) *Secret {
	if s := c.secrets[id]; s != nil {
		return s
	}
	name := id
	if strings.HasPrefix(id, "arn:") {
		a, err := parseARN(id)
		if err != nil || a.Service != "secretsmanager" || !strings.HasPrefix(a.Resource, "secret:") {
			return nil
		}
		account, region, name = a.Account, a.Region, strings.TrimPrefix(a.Resource, "secret:")
	}
	return c.secrets[SecretARN(account, region, name)]
}

func newVersionID() string {
	id := strings.ToLower(randomSecret(32))
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
