package docgen

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite docs/reference.md")

const referenceFile = "../../docs/reference.md"

// TestReferenceUpToDate fails when docs/reference.md is not what the
// schema gives: run go test ./internal/docgen -update and commit the result.
func TestReferenceUpToDate(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(referenceFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/reference.md is stale: run 'go test ./internal/docgen -update' and commit it\n%s", diff.Diff("docs/reference.md", want, "generated", got))
	}
}

// TestReferenceCoversTheSchema checks a sample of what every reader needs:
// each top-level file's fields, the workloads, defaults, required fields,
// constraint messages and the versions table.
func TestReferenceCoversTheSchema(t *testing.T) {
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"## platform.cue",
		"| <a id=\"platform-name\"></a>`name` |",
		"`repo.url`",
		"## clusters/&lt;name&gt;.cue",
		"| <a id=\"cluster-environment\"></a>`environment` | [`#Environment`](#environment) | **required** |",
		"`kubernetes.version`",
		"`capacity.mode` | `\"auto\"` \\| `\"nodegroup\"`",
		"`network.vpcId?`",
		"## tenants/&lt;name&gt;.cue",
		"`services.<name>` | [`#Service`](#service) |",
		"`jobs.<name>` | [`#Job`](#job) |",
		"### #Service",
		"`replicas` | `int & >=1 & <=100` | `2` |",
		"*Checked:* replicas must be a number from 1 to 100",
		"`overrides.<name>.replicas?`",
		"| <a id=\"service-image\"></a>`image` | [`#Image`](#image) | **required** |",
		"| <a id=\"service-name\"></a>`name` | [`#WorkloadName`](#workloadname) | the entry's label |",
		"### #Job",
		"`schedule` | [`#Cron`](#cron) | **required** |",
		"### #Secret",
		"| <a id=\"image\"></a>`#Image` |",
		"## Kubernetes versions",
		"| 1.34 | 2026-12-02 |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the reference lacks %q", want)
		}
	}
}
