package diff_test

import (
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/diff"
	"github.com/platformc/platformc/compiler/fstree"
)

func templateTree(t *testing.T, templates map[string]string) *fstree.Tree {
	t.Helper()
	tr := &fstree.Tree{}
	for stack, body := range templates {
		if err := tr.Add(fstree.File{Path: "cdk/" + stack + ".template.json", Data: []byte(body), Origin: fstree.Origin{Cluster: "prod"}}); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

// TestCloudFormation compares templates resource by logical ID: a
// reordering is no change; weights, trust and deletions are flagged.
func TestCloudFormation(t *testing.T) {
	base := templateTree(t, map[string]string{
		"acme-prod-dns": `{"Resources": {
			"a": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com.", "Weight": 100}},
			"b": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "b.example.com.", "Weight": 100}}}}`,
		"acme-prod-1-34": `{"Resources": {
			"Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Version": "1.34"}},
			"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Principal": {"AWS": "arn:aws:iam::1:root"}}]}}}}}`,
		"acme-prod-billing": `{"Resources": {
			"Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "acme/prod/billing"}, "DeletionPolicy": "Retain"}}}`,
	})
	head := templateTree(t, map[string]string{
		"acme-prod-dns": `{"Resources": {
			"b": {"Type": "AWS::Route53::RecordSet", "Properties": {"Weight": 100, "Name": "b.example.com."}},
			"a": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com.", "Weight": 90}}}}`,
		"acme-prod-1-34": `{"Resources": {
			"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Principal": {"AWS": "*"}}]}}}}}`,
	})
	r, err := diff.Trees(base, head)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Changes {
		got = append(got, string(c.Action)+" "+c.Object.String()+": "+c.Risk)
	}
	want := []string{
		"removed AWS::EKS::Cluster acme-prod-1-34/Cluster: deletes EKS cluster Cluster in stack acme-prod-1-34",
		"modified AWS::IAM::Role acme-prod-1-34/Role: changes who may assume IAM role Role",
		"removed AWS::SecretsManager::Secret acme-prod-billing/Secret: leaves secret Secret of stack acme-prod-billing in AWS, with its values (DeletionPolicy Retain): delete it by hand, with a recovery window, once no one needs them",
		"modified AWS::Route53::RecordSet acme-prod-dns/a: moves traffic: weight of a from 100 to 90",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Changes[0].Cluster != "prod" {
		t.Errorf("changes are not attributed to their cluster: %+v", r.Changes[0])
	}
}
