package gitpub

import (
	"net/url"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
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

// urlAuth is auth, or else the credentials written in the repository's
// HTTPS URL.
func urlAuth(repo string, auth transport.AuthMethod) transport.AuthMethod {
	u, err := url.Parse(repo)
	if auth != nil || err != nil || u.User == nil || (u.Scheme != "https" && u.Scheme != "http") {
		return auth
	}
	password, _ := u.User.Password()
	return &http.BasicAuth{Username: u.User.Username(), Password: password}
}
