package diff

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/layout"
)

// CloudFormation templates are compared as "cdk diff" does: resource by
// logical ID. A resource's ID here is its type (Kind), its stack
// (Namespace) and its logical ID (Name).
const cloudFormation = "cloudformation"

const templateSuffix = ".template.json"

// templates compares the CloudFormation templates of two trees.
func templates(base, head *fstree.Tree) ([]Change, error) {
	// A template with the same bytes on both sides changes nothing: only
	// the others are read (a side may not have read the bytes of the
	// others: fstree.File.Sum).
	changed := func(p string) bool {
		_, inBase := base.Get(p)
		_, inHead := head.Get(p)
		return inBase != inHead || base.Sum(p) != head.Sum(p)
	}
	b, err := resources(base, changed)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	h, err := resources(head, changed)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, id := range ids(b.docs, h.docs) {
		c := Change{Unit: layout.CDK + "/" + id.Namespace, Object: id, Before: b.docs[id], After: h.docs[id]}
		origin := h.origin[id.Namespace]
		if c.After == "" {
			origin = b.origin[id.Namespace]
		}
		c.Tenant, c.Cluster = origin.Tenant, origin.Cluster
		if c.classify() {
			c.Risk = awsRisk(c)
			out = append(out, c)
		}
	}
	return out, nil
}

type stackResources struct {
	docs   map[ID]string
	origin map[string]fstree.Origin // stack -> origin
}

// resources reads the templates of t that read selects into canonical
// JSON per resource.
func resources(t *fstree.Tree, read func(path string) bool) (stackResources, error) {
	r := stackResources{docs: map[ID]string{}, origin: map[string]fstree.Origin{}}
	for _, p := range t.Paths() {
		if !strings.HasSuffix(p, templateSuffix) || !read(p) {
			continue
		}
		f, _ := t.Get(p)
		var tmpl struct {
			Resources map[string]struct {
				Type string
			}
		}
		var raw struct{ Resources map[string]any }
		if err := json.Unmarshal(f.Data, &tmpl); err != nil {
			return r, fmt.Errorf("%s: %w", p, err)
		}
		if err := json.Unmarshal(f.Data, &raw); err != nil {
			return r, fmt.Errorf("%s: %w", p, err)
		}
		stack := strings.TrimSuffix(path.Base(p), templateSuffix)
		r.origin[stack] = f.Origin
		for logical, res := range tmpl.Resources {
			data, err := encode.JSON(raw.Resources[logical])
			if err != nil {
				return r, err
			}
			r.docs[ID{APIVersion: cloudFormation, Kind: res.Type, Namespace: stack, Name: logical}] = string(data)
		}
	}
	return r, nil
}

// awsRisk flags changes of who may do what, of where traffic goes, and
// deletions of what holds state.
func awsRisk(c Change) string {
	id := c.Object
	switch {
	case c.Action == Removed && id.Kind == "AWS::EKS::Cluster":
		return fmt.Sprintf("deletes EKS cluster %s in stack %s", id.Name, id.Namespace)
	case c.Action == Removed && id.Kind == "AWS::SecretsManager::Secret" && field(c.Before, "DeletionPolicy") == "Retain":
		return fmt.Sprintf("leaves secret %s of stack %s in AWS, with its values (DeletionPolicy Retain): delete it by hand, with a recovery window, once no one needs them", id.Name, id.Namespace)
	case c.Action == Removed && id.Kind == "AWS::SecretsManager::Secret":
		return fmt.Sprintf("removes secret %s from stack %s", id.Name, id.Namespace)
	case c.Action == Removed && id.Kind == "AWS::EC2::VPC":
		return fmt.Sprintf("deletes VPC %s", id.Name)
	case c.Action == Modified && id.Kind == "AWS::IAM::Role" && field(c.Before, "Properties", "AssumeRolePolicyDocument") != field(c.After, "Properties", "AssumeRolePolicyDocument"):
		return fmt.Sprintf("changes who may assume IAM role %s", id.Name)
	case c.Action == Modified && strings.HasPrefix(id.Kind, "AWS::IAM::"):
		return fmt.Sprintf("changes the permissions of %s %s", strings.TrimPrefix(id.Kind, "AWS::IAM::"), id.Name)
	case c.Action == Added && (id.Kind == "AWS::IAM::Policy" || id.Kind == "AWS::EKS::AccessEntry"):
		return fmt.Sprintf("grants new access: %s %s", strings.TrimPrefix(id.Kind, "AWS::"), id.Name)
	case c.Action == Modified && id.Kind == "AWS::EKS::AccessEntry":
		return fmt.Sprintf("changes cluster access entry %s", id.Name)
	case c.Action == Modified && id.Kind == "AWS::Route53::RecordSet":
		if b, a := field(c.Before, "Properties", "Weight"), field(c.After, "Properties", "Weight"); b != a {
			return fmt.Sprintf("moves traffic: weight of %s from %s to %s", id.Name, b, a)
		}
	}
	return ""
}
