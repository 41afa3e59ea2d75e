package fakeaws

import (
	"fmt"
	"time"
)

// session is a set of credentials of a role session.
type session struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	RoleARN, Account, RoleName, Name           string
	Expires                                    time.Time
}

func (s *session) ARN() string { return sessionARN(s.Account, s.RoleName, s.Name) }

// caller returns the session as trust policies see it.
func (s *session) caller() *caller {
	return &caller{Account: s.Account, RoleARN: s.RoleARN, SessionARN: s.ARN()}
}

// issuedCredentialsLifetime is how long IssueCredentials' keys last.
const issuedCredentialsLifetime = 24 * time.Hour

// IssueCredentials returns an access key for a session of role roleARN
// that comes from outside the fake (for example the IRSA role of Argo CD on
// the management cluster, whose credentials the harness passes in
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Such keys need no session
// token and last 24 hours. The role must exist.
func (c *Cloud) IssueCredentials(roleARN string) (accessKeyID, secretAccessKey string, err error) {
	account, name, err := parseRoleARN(roleARN)
	if err != nil {
		return "", "", fmt.Errorf("issue credentials: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.roles[roleARN] == nil {
		return "", "", fmt.Errorf("issue credentials: role %s does not exist", roleARN)
	}
	s := c.newSessionLocked(account, name, "fakeaws-issued", issuedCredentialsLifetime)
	s.SessionToken = ""
	return s.AccessKeyID, s.SecretAccessKey, nil
}

// newSessionLocked makes and records a session with a session token.
// c.mu is held.
func (c *Cloud) newSessionLocked(account, roleName, sessionName string, d time.Duration) *session {
	s := &session{
		AccessKeyID:     "ASIA" + randomID(16),
		SecretAccessKey: randomSecret(40),
		SessionToken:    "FwoGZXIvYXdzE" + randomSecret(100),
		RoleARN:         RoleARN(account, roleName),
		Account:         account,
		RoleName:        roleName,
		Name:            sessionName,
		Expires:         c.now().Add(d).Truncate(time.Second),
	}
	c.sessions[s.AccessKeyID] = s
	c.pruneSessionsLocked()
	return s
}

// pruneSessionsLocked forgets sessions that expired more than an hour ago.
func (c *Cloud) pruneSessionsLocked() {
	cutoff := c.now().Add(-time.Hour)
	for k, s := range c.sessions {
		if s.Expires.Before(cutoff) {
			delete(c.sessions, k)
		}
	}
}
