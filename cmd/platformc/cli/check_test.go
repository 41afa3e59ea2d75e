package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckTrustsNothing forges a stack of out/ as a pull request could:
// its template, and its sums in the CDK generator's index and in out/'s
// manifest. build would reuse the forged stack, as its input is unchanged;
// build --check, the CI gate, synthesises every stack and reads no cache,
// so it finds the forgery and leaves the cache folder alone.
func TestCheckTrustsNothing(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"platform.cue": `platform: {
	name: "acme"
	repo: url: "https://git.example.com/acme/manifests.git"
	argocd: {account: "444444444444", region: "eu-west-1"}
	environments: prod: {account: "111111111111", region: "eu-west-1"}
}
`,
		"clusters/prod.cue": `clusters: prod: {
	environment: "prod"
	account:     "111111111111"
	region:      "eu-west-1"
	kubernetes: version: "1.34"
	dns: zone: "example.com"
}
`,
		"tenants/billing.cue": `tenants: billing: {
	owners: ["team-billing"]
	clusters: ["prod"]
	secrets: db: keys: ["DB_PASSWORD"]
}
`,
	} {
		file := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(t.TempDir(), "cache")
	t.Setenv(envCache, cache)
	t.Setenv(envToday, "2026-05-01")
	if code, out := platformc(t, root, "build"); code != ExitOK {
		t.Fatalf("build: exit %d\n%s", code, out)
	}
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}

	template := filepath.Join(root, "out/cdk/acme-prod-billing.template.json")
	old, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	forged := []byte(strings.Replace(string(old), `"secretsmanager:GetSecretValue"`, `"secretsmanager:*"`, 1))
	if string(forged) == string(old) {
		t.Fatal("the template grants no secretsmanager:GetSecretValue to forge")
	}
	if err := os.WriteFile(template, forged, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	resum := func(file, old, new string) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s lacks %s", file, old)
		}
		if err := os.WriteFile(file, []byte(strings.ReplaceAll(string(data), old, new)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	index := filepath.Join(root, "out/cdk/platformc-stacks.json")
	oldIndex, _ := os.ReadFile(index)
	resum(index, sum(old), sum(forged))
	newIndex, _ := os.ReadFile(index)
	manifest := filepath.Join(root, "out/platformc.json")
	resum(manifest, sum(old), sum(forged))
	resum(manifest, sum(oldIndex), sum(newIndex))

	code, out := platformc(t, root, "build", "--check")
	if code != ExitInvalid || !strings.Contains(out, "differs  out/cdk/acme-prod-billing.template.json") {
		t.Errorf("build --check: exit %d, want %d naming the forged template:\n%s", code, ExitInvalid, out)
	}
	if _, err := os.Stat(cache); err == nil {
		t.Errorf("build --check used the cache folder %s", cache)
	}
}
