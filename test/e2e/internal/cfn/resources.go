package cfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// resourceState is a deployed resource.
type resourceState struct {
	LogicalID, Type     string
	Props               map[string]any // resolved properties
	PhysicalID          string
	Attrs               map[string]string
	Deps                []string // resources of the stack it depends on
	DeletionPolicy      string
	UpdateReplacePolicy string
	Placeholder         bool
}

// resourceEnv is what a handler works with.
type resourceEnv struct {
	ctx       context.Context
	cloud     *fakeaws.Cloud
	clusters  Clusters
	stack     *Stack
	logicalID string
}

// result is what a handler made: Ref's value and the attributes.
type result struct {
	PhysicalID string
	Attrs      map[string]string
}

// handler creates, updates and deletes one resource type.
type handler interface {
	create(env resourceEnv, p props) (result, error)
	// update changes old to props in place, or makes a replacement
	// (replaced: the deployer deletes old afterwards).
	update(env resourceEnv, old *resourceState, p props) (res result, replaced bool, err error)
	delete(env resourceEnv, old *resourceState) error
}

// handlerFor returns the handler of the resource types the deployer
// really creates; every other type (nil) is a placeholder.
func handlerFor(typ string) handler {
	switch typ {
	case "AWS::IAM::Role":
		return roleHandler{}
	case "AWS::IAM::OIDCProvider":
		return oidcProviderHandler{}
	case "AWS::SSM::Parameter":
		return parameterHandler{}
	case "AWS::SecretsManager::Secret":
		return secretHandler{}
	case "AWS::EKS::Cluster":
		return clusterHandler{}
	case "AWS::EKS::AccessEntry":
		return accessEntryHandler{}
	}
	return nil
}

// props reads resolved properties, checking their types.
type props struct {
	typ string
	m   map[string]any
}

func (p props) str(key string, required bool) (string, error) {
	v, ok := p.m[key]
	if !ok {
		if required {
			return "", fmt.Errorf("%s: property %s is required", p.typ, key)
		}
		return "", nil
	}
	switch s := v.(type) {
	case string:
		return s, nil
	case json.Number:
		return s.String(), nil
	}
	return "", fmt.Errorf("%s: property %s is %v, not a string", p.typ, key, v)
}

func (p props) strList(key string) ([]string, error) {
	v, ok := p.m[key]
	if !ok {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: property %s is %v, not a list", p.typ, key, v)
	}
	return strs(p.typ+" "+key, l)
}

// document returns a JSON-typed property (an object, or a JSON string as
// CloudFormation also takes) as JSON text.
func (p props) document(key string, required bool) (string, error) {
	v, ok := p.m[key]
	switch d := v.(type) {
	case nil:
		if required || ok {
			return "", fmt.Errorf("%s: property %s is required", p.typ, key)
		}
		return "", nil
	case string:
		return d, nil
	case map[string]any:
		b, err := json.Marshal(d)
		return string(b), err
	}
	return "", fmt.Errorf("%s: property %s is %v, not a JSON document", p.typ, key, v)
}

// only refuses properties the handler does not know: the fake would
// silently ignore what they mean.
func (p props) only(keys ...string) error {
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
	}
	var unknown []string
	for k := range p.m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%s: properties %v are not emulated", p.typ, unknown)
	}
	return nil
}

// changed reports whether any of keys differs between old and new
// properties.
func changed(old map[string]any, p props, keys ...string) bool {
	for _, k := range keys {
		a, _ := json.Marshal(old[k])
		b, _ := json.Marshal(p.m[k])
		if string(a) != string(b) {
			return true
		}
	}
	return false
}

// stableHash returns n hex digits derived from parts.
func stableHash(n int, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])[:n]
}

// generatedName is the name CloudFormation makes up for a resource whose
// template gives none: <stack>-<logical id>-<suffix>, at most max long.
func generatedName(env resourceEnv, max int) string {
	suffix := strings.ToUpper(stableHash(12, env.stack.Account, env.stack.Region, env.stack.Name, env.logicalID))
	prefix := env.stack.Name + "-" + env.logicalID
	if len(prefix) > max-13 {
		prefix = prefix[:max-13]
	}
	return prefix + "-" + suffix
}

// placeholderPrefix is the id prefix of the EC2 types in the sample.
func placeholderPrefix(typ string) (string, bool) {
	switch typ {
	case "AWS::EC2::VPC":
		return "vpc-", true
	case "AWS::EC2::Subnet":
		return "subnet-", true
	case "AWS::EC2::RouteTable":
		return "rtb-", true
	case "AWS::EC2::InternetGateway":
		return "igw-", true
	case "AWS::EC2::NatGateway":
		return "nat-", true
	case "AWS::EC2::SecurityGroup":
		return "sg-", true
	case "AWS::EC2::SubnetRouteTableAssociation":
		return "rtbassoc-", true
	}
	return "", false
}

// placeholderID is the stable physical id of a placeholder resource.
func placeholderID(s *Stack, id, typ string) string {
	h := stableHash(17, s.Account, s.Region, s.Name, id)
	switch typ {
	case "AWS::EC2::EIP":
		return fmt.Sprintf("198.51.100.%d", 1+int(h[0])%200)
	case "AWS::SQS::Queue":
		return "https://sqs." + s.Region + ".amazonaws.com/" + s.Account + "/" + s.Name + "-" + id + "-" + h[:8]
	}
	if p, ok := placeholderPrefix(typ); ok {
		return p + h
	}
	return s.Name + "-" + id + "-" + strings.ToUpper(h[:12])
}

// placeholderAttr is the stable value of attribute attr of a placeholder.
func placeholderAttr(s *Stack, r *resourceState, attr string) string {
	h := stableHash(17, s.Account, s.Region, s.Name, r.LogicalID, attr)
	switch {
	case attr == "Arn":
		parts := strings.Split(strings.ToLower(r.Type), "::")
		svc, kind := parts[1], parts[len(parts)-1]
		return "arn:aws:" + svc + ":" + s.Region + ":" + s.Account + ":" + kind + "/" + r.PhysicalID
	case attr == "GroupId" && r.Type == "AWS::EC2::SecurityGroup":
		return r.PhysicalID
	case attr == "AllocationId":
		return "eipalloc-" + h
	}
	return "fake-" + strings.ToLower(attr) + "-" + h
}
