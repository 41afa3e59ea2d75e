package policy

import (
	"strings"

	"github.com/distribution/reference"
)

// dockerHub is Docker Hub's registry, as image references name it.
const dockerHub = "docker.io"

// imageRepo reads an image reference as a registry does: the registry's
// host and the repository in it, normalised so that every spelling of one
// repository compares equal. "nginx:1", "docker.io/nginx:1",
// "index.docker.io/library/nginx:1", "registry.hub.docker.com/library/nginx:1"
// and "docker.io:443/nginx:1" are all docker.io's "library/nginx".
func imageRepo(image string) (host, repo string, ok bool) {
	n, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return "", "", false
	}
	host, repo = registryHost(reference.Domain(n)), reference.Path(n)
	if host == dockerHub && !strings.Contains(repo, "/") {
		repo = "library/" + repo
	}
	return host, repo, true
}

// registryHost is a registry's host without the default HTTPS port and
// with Docker Hub's aliases (index.docker.io, registry-1.docker.io,
// registry.hub.docker.com, ...) read as dockerHub.
func registryHost(host string) string {
	host = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(host), ":443"), ".")
	switch host {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com", "registry.docker.io":
		return dockerHub
	}
	return host
}

// inRegistry reports whether the repository lies in the registry of the
// platform's policy: a host, or a host and a path prefix
// ("111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform").
func inRegistry(host, repo, registry string) bool {
	rh, rp, _ := strings.Cut(strings.Trim(registry, "/"), "/")
	return registryHost(rh) == host && (rp == "" || strings.HasPrefix(repo, rp+"/"))
}
