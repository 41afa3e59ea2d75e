package gitpub

import (
	"cmp"
	"fmt"
	"net/url"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// PlainURL is the repository's URL without the user and password that an
// HTTPS URL may carry ("https://ci:TOKEN@git.example.com/m.git"): what
// platformc prints, and what go-git, which names the URL in its errors,
// is given.
func PlainURL(repo string) string {
	u, err := url.Parse(repo)
	if err != nil || u.User == nil || (u.Scheme != "https" && u.Scheme != "http") {
		return repo
	}
	u.User = nil
	return u.String()
}

// Credentials are what a push authenticates with: an SSH private key
// (for an ssh URL) or a token (HTTP basic authentication, for an HTTPS
// URL). With neither, the user and password an HTTPS URL carries are
// used, if it carries them.
type Credentials struct {
	SSHKeyFile       string // a private key file
	SSHKeyPassphrase string // its passphrase, if it has one
	Token            string
	Username         string // the token's user; default "x-access-token"
}

// auth is the go-git authentication of the credentials, for repo.
func (c Credentials) auth(repo string) (transport.AuthMethod, error) {
	switch {
	case c.SSHKeyFile != "":
		auth, err := ssh.NewPublicKeysFromFile("git", c.SSHKeyFile, c.SSHKeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("ssh key %s: %w", c.SSHKeyFile, err)
		}
		return auth, nil
	case c.Token != "":
		return &http.BasicAuth{Username: cmp.Or(c.Username, "x-access-token"), Password: c.Token}, nil
	}
	u, err := url.Parse(repo)
	if err != nil || u.User == nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, nil
	}
	password, _ := u.User.Password()
	return &http.BasicAuth{Username: u.User.Username(), Password: password}, nil
}
