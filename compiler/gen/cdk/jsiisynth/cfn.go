package jsiisynth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

// Small helpers for building CloudFormation properties through jsii.

type obj = map[string]any

func str(s string) *string { return jsii.String(s) }

func num(n int) *float64 { return jsii.Number(float64(n)) }

func strs(ss []string) *[]*string { return jsii.Strings(ss...) }

func tags(kv ...string) *[]*awscdk.CfnTag {
	var out []*awscdk.CfnTag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &awscdk.CfnTag{Key: str(kv[i]), Value: str(kv[i+1])})
	}
	return &out
}

// toAny lists strings as the values of a template's list.
func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// allow is an Allow statement of actions on resources.
func allow(actions []string, resources ...any) obj {
	return obj{"Effect": "Allow", "Action": actions, "Resource": resources}
}

// trustedByRoleIn is a trust policy that lets exactly one role of another
// account assume the role. The principal is that account's root, narrowed
// by aws:PrincipalArn: unlike a role ARN as principal, it does not need
// the role to exist when the policy is written, and it keeps working when
// the role is deleted and created again (IAM would otherwise have replaced
// the ARN by the old role's unique id).
func trustedByRoleIn(root, roleARN string) obj {
	return cdk.PolicyDocument(obj{
		"Effect":    "Allow",
		"Principal": obj{"AWS": root},
		"Action":    "sts:AssumeRole",
		"Condition": obj{"ArnEquals": obj{"aws:PrincipalArn": roleARN}},
	})
}

// trustedByAccount lets principals of the account that IAM allows to
// assume the role do so.
func trustedByAccount(root string) obj {
	return cdk.PolicyDocument(obj{
		"Effect":    "Allow",
		"Principal": obj{"AWS": root},
		"Action":    "sts:AssumeRole",
	})
}
