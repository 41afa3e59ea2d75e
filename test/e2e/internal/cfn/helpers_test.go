package cfn

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// fakeClusters stands in for the harness: it makes up endpoints and keeps
// one issuer key per cluster.
type fakeClusters struct {
	mu      sync.Mutex
	created []string // "account/region/name@version", in order
	deleted []string
	keys    map[string]*ecdsa.PrivateKey
	failOn  string // a cluster name whose creation fails
}

func (f *fakeClusters) Create(_ context.Context, s ClusterSpec) (ClusterInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.Name == f.failOn {
		return ClusterInfo{}, fmt.Errorf("no room for %s", s.Name)
	}
	f.created = append(f.created, s.Account+"/"+s.Region+"/"+s.Name+"@"+s.Version)
	if f.keys == nil {
		f.keys = map[string]*ecdsa.PrivateKey{}
	}
	k, ok := f.keys[s.Name]
	if !ok {
		k, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		f.keys[s.Name] = k
	}
	return ClusterInfo{
		Endpoint:                 "https://" + s.Name + ".test:6443",
		CertificateAuthorityData: base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\n" + s.Name + "\n")),
		OpenIdConnectIssuerUrl:   "https://oidc.eks." + s.Region + ".amazonaws.com/id/" + strings.ToUpper(strings.ReplaceAll(s.Name, "-", "")),
		IssuerKeys:               []crypto.PublicKey{k.Public()},
	}, nil
}

func (f *fakeClusters) Delete(_ context.Context, account, region, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, account+"/"+region+"/"+name)
	return nil
}

func (f *fakeClusters) calls() (created, deleted []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.created...), append([]string(nil), f.deleted...)
}

func (f *fakeClusters) key(name string) *ecdsa.PrivateKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[name]
}

// testStack is a stack of a hand-written assembly.
type testStack struct {
	name, env string // env: "aws://ACCOUNT/REGION"; "" is 111111111111/ap-northeast-1
	deps      []string
	template  string
}

const (
	acct   = "111111111111"
	region = "ap-northeast-1"
)

// writeAssembly writes a cloud assembly of stacks into dir, as cdk synth
// does (with the asset manifests that are not stacks).
func writeAssembly(t *testing.T, dir string, stacks ...testStack) {
	t.Helper()
	arts := map[string]any{}
	for _, s := range stacks {
		env := s.env
		if env == "" {
			env = "aws://" + acct + "/" + region
		}
		file := s.name + ".template.json"
		var tmpl any
		if err := json.Unmarshal([]byte(s.template), &tmpl); err != nil {
			t.Fatalf("template of %s: %v", s.name, err)
		}
		b, _ := json.MarshalIndent(tmpl, "", " ")
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o600); err != nil {
			t.Fatal(err)
		}
		arts[s.name] = map[string]any{
			"type": "aws:cloudformation:stack", "environment": env,
			"dependencies": append([]string{s.name + ".assets"}, s.deps...),
			"properties":   map[string]any{"templateFile": file},
		}
		arts[s.name+".assets"] = map[string]any{"type": "cdk:asset-manifest", "properties": map[string]any{"file": s.name + ".assets.json"}}
	}
	b, _ := json.Marshal(map[string]any{"version": "54.0.0", "artifacts": arts})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// newTestDeployer returns a deployer of a fresh assembly dir.
func newTestDeployer(t *testing.T, stacks ...testStack) (*Deployer, *fakeaws.Cloud, *fakeClusters, string) {
	t.Helper()
	dir := t.TempDir()
	writeAssembly(t, dir, stacks...)
	cloud := fakeaws.New()
	clusters := &fakeClusters{}
	d, err := NewDeployer(cloud, dir, clusters)
	if err != nil {
		t.Fatal(err)
	}
	return d, cloud, clusters, dir
}

// resources wraps resource definitions into a template.
func resources(res string) string { return `{"Resources":{` + res + `}}` }

const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::111111111111:root"}}]}`

func param(id, name string, value string) string {
	return `"` + id + `":{"Type":"AWS::SSM::Parameter","Properties":{"Type":"String","Name":"` + name + `","Value":` + value + `}}`
}

func paramValue(t *testing.T, c *fakeaws.Cloud, name string) string {
	t.Helper()
	p, ok := c.Parameter(acct, region, name)
	if !ok {
		t.Fatalf("parameter %s does not exist", name)
	}
	return p.Value
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one saying %q", err, want)
	}
}
