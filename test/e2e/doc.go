// Package e2e runs platformc's output through the real controllers that
// consume it: Argo CD, External Secrets and Kubernetes API servers, started
// on 127.0.0.1 from pinned sources, with a local git server that
// "platformc publish" fills and a local fake of the AWS APIs the controllers
// call. See README.md for what it proves and what it substitutes.
package e2e
