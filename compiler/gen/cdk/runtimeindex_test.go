package cdk_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/internal/jsiitest"
)

// indexFiles are the files of jsii's runtime index of a package.
var indexFiles = []string{".jsii.runtime-defs.v1.jsonl", ".jsii.runtime-index.v1", ".jsii.runtime.v1.json"}

// TestRuntimeIndex: a synthesis leaves aws-cdk-lib's folder in jsii's
// package cache with a runtime index (the one jsiitest's first synthesis
// started), and Index writes what jsii's own index builder (the worker
// script of the jsii runtime the CDK's Go bindings embed) writes, byte for
// byte.
func TestRuntimeIndex(t *testing.T) {
	entries, _ := filepath.Glob(filepath.Join(os.Getenv(jsiitest.CacheEnv), "aws-cdk-lib", "*", "*", ".jsii"))
	if len(entries) != 1 {
		t.Fatalf("aws-cdk-lib in jsii's package cache: %v, want one folder", entries)
	}
	pkg := filepath.Dir(entries[0])
	for _, f := range indexFiles {
		if _, err := os.Stat(filepath.Join(pkg, f)); err != nil {
			t.Errorf("after a synthesis: %v", err)
		}
	}

	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	worker := filepath.Join(strings.TrimSpace(string(out)), "internal", "embedded", "resources", "lib", "runtime-index-worker.js")
	ours, theirs := assemblyCopy(t, pkg), assemblyCopy(t, pkg)
	if err := jsiisynth.Index(ours); err != nil {
		t.Fatal(err)
	}
	// The features are the kernel's (ASSEMBLY_SUPPORTED_FEATURES).
	const build = `const {Worker} = require("worker_threads");
new Worker(process.argv[1], {workerData: {packageDir: process.argv[2], supportedFeatures: ["intersection-types", "class-covariant-overrides"]}})
	.on("message", m => { console.error(m.error); process.exitCode = 1; })
	.on("error", e => { console.error(e); process.exitCode = 1; });`
	if out, err := exec.Command("node", "-e", build, worker, theirs).CombinedOutput(); err != nil {
		t.Fatalf("jsii's index builder: %v\n%s", err, out)
	}
	for _, f := range indexFiles {
		a, errA := os.ReadFile(filepath.Join(ours, f))
		b, errB := os.ReadFile(filepath.Join(theirs, f))
		if errA != nil || errB != nil {
			t.Fatalf("%s: ours: %v, jsii's: %v", f, errA, errB)
		}
		if !bytes.Equal(a, b) {
			i := 0
			for i < min(len(a), len(b)) && a[i] == b[i] {
				i++
			}
			t.Errorf("%s: %d bytes, jsii's %d; first difference at byte %d: %.80q, jsii's %.80q", f, len(a), len(b), i, a[i:], b[i:])
		}
	}

	// An assembly cut short is an error, and leaves no index.
	broken := t.TempDir()
	data, err := os.ReadFile(filepath.Join(theirs, ".jsii.runtime-defs.v1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, ".jsii"), append([]byte(`{"name":"x","types":{"x.A":`), data[:1000]...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := jsiisynth.Index(broken); err == nil {
		t.Error("Index of a truncated assembly: no error")
	}
	if left, _ := os.ReadDir(broken); len(left) != 1 {
		t.Errorf("Index of a truncated assembly left %d files, want the assembly alone", len(left))
	}
}

// assemblyCopy copies a package's assembly files (.jsii and what it
// redirects to) to a new folder.
func assemblyCopy(t *testing.T, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{".jsii", ".jsii.gz"} {
		data, err := os.ReadFile(filepath.Join(pkg, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
