package cdk_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/layout"
)

// TestCDKAppAsTheCDKCLIRunsIt runs the app of the repository's cdk.json
// the way the cdk CLI does: through a shell, in the repository's root,
// with CDK_OUTDIR set to a fresh folder and context in CDK_CONTEXT_JSON
// (the CLI's defaults, and a flag that would change every template's
// bytes). The folder must then hold a cloud assembly whose manifest
// lists every stack, with the same bytes as a build makes.
func TestCDKAppAsTheCDKCLIRunsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds platformc")
	}
	_, stacks, out := sample(t)
	data, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct{ App string }
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.App == "" {
		t.Fatalf("cdk.json names no app: %v", err)
	}
	outdir := t.TempDir()
	cmd := exec.Command("sh", "-c", cfg.App)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"CDK_OUTDIR="+outdir,
		`CDK_CONTEXT_JSON={"@aws-cdk/core:suppressTemplateIndentation":true,"aws:cdk:enable-path-metadata":true,"aws:cdk:enable-asset-metadata":true,"aws:cdk:version-reporting":true,"aws:cdk:bundling-stacks":["**"]}`,
		"CDK_CLI_ASM_VERSION=54.0.0",
		"CDK_DEFAULT_REGION=us-east-1",
		"PLATFORMC_CACHE="+t.TempDir(), // not the user's cache folder
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", cfg.App, err, stderr.String())
	}
	var m struct {
		Version   string                    `json:"version"`
		Artifacts map[string]map[string]any `json:"artifacts"`
	}
	manifest, err := os.ReadFile(filepath.Join(outdir, cdk.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(manifest, &m); err != nil || m.Version == "" {
		t.Fatalf("manifest.json: %v (version %q)", err, m.Version)
	}
	for _, s := range stacks {
		art := m.Artifacts[s.Name]
		if art["type"] != "aws:cloudformation:stack" {
			t.Errorf("the manifest does not list stack %s", s.Name)
			continue
		}
		file, _ := art["properties"].(map[string]any)["templateFile"].(string)
		if _, err := os.Stat(filepath.Join(outdir, file)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	for _, p := range out.tree.Paths() {
		f, _ := out.tree.Get(p)
		got, err := os.ReadFile(filepath.Join(outdir, strings.TrimPrefix(p, layout.CDK+"/")))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s: not what a build writes (%v)", p, err)
		}
	}
}

// TestTemplatesPassCfnLint runs cfn-lint, when it is installed, on every
// template; errors and warnings fail.
func TestTemplatesPassCfnLint(t *testing.T) {
	_, _, out := sample(t)
	lint(t, out.raw)
}

// lint runs cfn-lint on templates, by stack name; it skips the test when
// cfn-lint is not on PATH.
func lint(t *testing.T, templates map[string]string) {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH")
	}
	dir := t.TempDir()
	var files []string
	for name, data := range templates {
		dst := filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(dst, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, dst)
	}
	cmd := exec.Command(bin, append([]string{"--format", "parseable", "--"}, files...)...)
	if report, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, report)
	}
}

// TestGeneratorVersionNamesTheCDK keeps GeneratorVersion, part of every
// stack's hash, in step with the CDK that go.mod requires: a CDK upgrade
// must synthesise every stack again. (Test binaries carry no module
// versions, so go.mod is read.)
func TestGeneratorVersionNamesTheCDK(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == "github.com/aws/aws-cdk-go/awscdk/v2" {
			if want := "aws-cdk-lib/" + strings.TrimPrefix(f[1], "v"); !strings.Contains(cdk.GeneratorVersion, want) {
				t.Errorf("GeneratorVersion %q does not name %s", cdk.GeneratorVersion, want)
			}
			return
		}
	}
	t.Error("go.mod does not require the CDK")
}
