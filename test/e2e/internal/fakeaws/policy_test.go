package fakeaws

import (
	"strings"
	"testing"
)

func TestWildcardMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"acme/prod/billing", "acme/prod/billing", true},
		{"acme/prod/billing", "acme/prod/billingx", false},
		{"acme/prod/*", "acme/prod/billing", true},
		{"acme/prod/*", "acme/stg/billing", false},
		{"acme/prod/billing-??????", "acme/prod/billing-AbC123", true},
		{"acme/prod/billing-??????", "acme/prod/billing-AbC12", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*-secrets", "acme-prod-billing-secrets", true},
		{"?", "", false},
	} {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestArnLike(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:iam::444444444444:role/acme-argocd", "arn:aws:iam::444444444444:role/acme-argocd", true},
		{"arn:aws:iam::444444444444:role/acme-argocd", "arn:aws:iam::444444444444:role/acme-argocd2", false},
		{"arn:aws:iam::*:role/acme-*", "arn:aws:iam::111111111111:role/acme-x", true},
		{"arn:aws:iam::*:role/acme-*", "arn:aws:sts::111111111111:assumed-role/acme-x/s", false},
		// A wildcard does not reach across fields.
		{"arn:aws:iam::4*", "arn:aws:iam::444444444444:role/r", false},
		{"not-an-arn", "not-an-arn", false},
	} {
		if got := arnLike(tt.pattern, tt.s); got != tt.want {
			t.Errorf("arnLike(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParsePolicyRefusesMalformed(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`not json`, "malformed"},
		{`{"Version":"2012-10-17"}`, "Statement is missing"},
		{`{"Statement":[]}`, "no statements"},
		{`{"Statement":{"Effect":"Maybe","Action":"s3:*","Resource":"*"}}`, "Effect must be"},
		{`{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Action"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"c:d","Resource":"*"}}`, "exactly one"},
		{`{"Statement":{"Effect":"Allow","Action":1,"Resource":"*"}}`, ""},
		{`{"Statement":{"Effect":"Allow","Action":{"x":1},"Resource":"*"}}`, "is not a string"},
		{`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"someone"}}`, "Principal"},
		{`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"CanonicalUser":"x"}}}`, "not emulated"},
		{`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":"x"}}`, "Condition"},
	} {
		_, err := parsePolicy(tt.doc)
		if tt.want == "" {
			if err != nil {
				t.Errorf("parsePolicy(%s): %v", tt.doc, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePolicy(%s) = %v, want an error about %q", tt.doc, err, tt.want)
		}
	}
}

func TestEvaluateIdentityPolicies(t *testing.T) {
	secret := "arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme/prod/billing-AbCdEf"
	ctx := map[string]string{"aws:principalarn": "arn:aws:iam::111111111111:role/r", "aws:requestedregion": "ap-northeast-1"}
	for _, tt := range []struct {
		name     string
		docs     []string
		action   string
		resource string
		want     decision
		note     string
	}{
		{name: "allow exact", docs: []string{allowPolicy([]string{"secretsmanager:GetSecretValue"}, secret)},
			action: "secretsmanager:GetSecretValue", resource: secret, want: allowed},
		{name: "actions are case-insensitive", docs: []string{allowPolicy([]string{"SecretsManager:getsecretvalue"}, secret)},
			action: "secretsmanager:GetSecretValue", resource: secret, want: allowed},
		{name: "action wildcard", docs: []string{allowPolicy([]string{"secretsmanager:Get*"}, secret)},
			action: "secretsmanager:GetSecretValue", resource: secret, want: allowed},
		{name: "other action", docs: []string{allowPolicy([]string{"secretsmanager:DescribeSecret"}, secret)},
			action: "secretsmanager:GetSecretValue", resource: secret, want: implicitDeny},
		{name: "resources are case-sensitive", docs: []string{allowPolicy([]string{"secretsmanager:*"}, strings.ToUpper(secret))},
			action: "secretsmanager:GetSecretValue", resource: secret, want: implicitDeny},
		{name: "nothing allows", docs: nil, action: "ssm:GetParameter", resource: "arn:aws:ssm:r:1:parameter/x", want: implicitDeny},
		{name: "deny wins", docs: []string{
			allowPolicy([]string{"*"}, "*"),
			`{"Statement":{"Effect":"Deny","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:*:*:secret:acme/prod/*"}}`},
			action: "secretsmanager:GetSecretValue", resource: secret, want: explicitDeny},
		{name: "NotAction", docs: []string{`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			action: "ssm:GetParameter", resource: "arn:aws:ssm:r:1:parameter/x", want: allowed},
		{name: "NotAction excludes", docs: []string{`{"Statement":{"Effect":"Allow","NotAction":"ssm:*","Resource":"*"}}`},
			action: "ssm:GetParameter", resource: "arn:aws:ssm:r:1:parameter/x", want: implicitDeny},
		{name: "NotResource", docs: []string{`{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:ssm:*:*:parameter/secret/*"}}`},
			action: "ssm:GetParameter", resource: "arn:aws:ssm:r:1:parameter/secret/x", want: implicitDeny},
		{name: "condition holds", docs: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","ap-northeast-1"]}}}}`},
			action: "ssm:GetParameter", resource: "x", want: allowed},
		{name: "condition fails", docs: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`},
			action: "ssm:GetParameter", resource: "x", want: implicitDeny},
		{name: "all condition keys must hold", docs: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:RequestedRegion":"ap-*","aws:PrincipalArn":"*:role/other"}}}}`},
			action: "ssm:GetParameter", resource: "x", want: implicitDeny},
		{name: "condition key absent from the request", docs: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}}`},
			action: "ssm:GetParameter", resource: "x", want: implicitDeny},
		{name: "unsupported operator: an Allow does not apply", docs: []string{`{"Statement":{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}}`},
			action: "ssm:GetParameter", resource: "x", want: implicitDeny, note: "NumericLessThan is not emulated"},
		{name: "unsupported operator: a Deny applies", docs: []string{allowPolicy([]string{"*"}, "*"), `{"Statement":{"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`},
			action: "ssm:GetParameter", resource: "x", want: explicitDeny, note: "Bool is not emulated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ps []*policy
			for _, d := range tt.docs {
				p, err := parsePolicy(d)
				if err != nil {
					t.Fatal(err)
				}
				ps = append(ps, p)
			}
			got, notes := evaluate(ps, evalRequest{Action: tt.action, Resource: tt.resource, Context: ctx})
			if got != tt.want {
				t.Errorf("decision %d, want %d", got, tt.want)
			}
			if tt.note != "" && !strings.Contains(strings.Join(notes, ";"), tt.note) {
				t.Errorf("notes %v, want one saying %q", notes, tt.note)
			}
		})
	}
}

func TestTrustPrincipals(t *testing.T) {
	argocd := &caller{Account: "444444444444", RoleARN: "arn:aws:iam::444444444444:role/acme-argocd",
		SessionARN: "arn:aws:sts::444444444444:assumed-role/acme-argocd/s1"}
	federated := &caller{Federated: "arn:aws:iam::111111111111:oidc-provider/oidc.example/id/A"}
	trust := func(principal string) string {
		return `{"Statement":{"Effect":"Allow","Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"],"Principal":` + principal + `}}`
	}
	for _, tt := range []struct {
		principal string
		caller    *caller
		action    string
		want      decision
		specific  bool
	}{
		{`{"AWS":"arn:aws:iam::444444444444:root"}`, argocd, "sts:AssumeRole", allowed, false},
		{`{"AWS":"444444444444"}`, argocd, "sts:AssumeRole", allowed, false},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, argocd, "sts:AssumeRole", implicitDeny, false},
		{`{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::444444444444:role/acme-argocd"]}`, argocd, "sts:AssumeRole", allowed, true},
		{`{"AWS":"arn:aws:sts::444444444444:assumed-role/acme-argocd/s1"}`, argocd, "sts:AssumeRole", allowed, true},
		{`{"AWS":"arn:aws:iam::444444444444:role/other"}`, argocd, "sts:AssumeRole", implicitDeny, false},
		{`"*"`, argocd, "sts:AssumeRole", allowed, false},
		{`{"Service":"eks.amazonaws.com"}`, argocd, "sts:AssumeRole", implicitDeny, false},
		{`{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.example/id/A"}`, federated, "sts:AssumeRoleWithWebIdentity", allowed, false},
		{`{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.example/id/B"}`, federated, "sts:AssumeRoleWithWebIdentity", implicitDeny, false},
		{`{"AWS":"*"}`, federated, "sts:AssumeRoleWithWebIdentity", implicitDeny, false},
		{`{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.example/id/A"}`, argocd, "sts:AssumeRole", implicitDeny, false},
	} {
		p, err := parsePolicy(trust(tt.principal))
		if err != nil {
			t.Fatal(err)
		}
		req := evalRequest{Action: tt.action, Caller: tt.caller}
		if got, _ := evaluate([]*policy{p}, req); got != tt.want {
			t.Errorf("principal %s, caller %+v: decision %d, want %d", tt.principal, tt.caller, got, tt.want)
		}
		if got := specificAllow(p, req); got != tt.specific {
			t.Errorf("principal %s: names the caller specifically = %v, want %v", tt.principal, got, tt.specific)
		}
	}
}
