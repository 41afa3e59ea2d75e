package cfn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestIntrinsics(t *testing.T) {
	cases := []struct{ id, expr, want string }{
		{"ref-account", `{"Ref":"AWS::AccountId"}`, acct},
		{"ref-region", `{"Ref":"AWS::Region"}`, region},
		{"ref-partition", `{"Ref":"AWS::Partition"}`, "aws"},
		{"ref-urlsuffix", `{"Ref":"AWS::URLSuffix"}`, "amazonaws.com"},
		{"ref-stackname", `{"Ref":"AWS::StackName"}`, "intr"},
		{"ref-stackid", `{"Fn::Select":[0,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}`, "arn:aws:cloudformation:ap-northeast-1:111111111111:stack"},
		{"ref-param", `{"Ref":"Env"}`, "prod"},
		{"ref-ssm-param", `{"Ref":"FromSSM"}`, "value-in-ssm"},
		{"ref-resource", `{"Ref":"R"}`, "r-name"},
		{"join", `{"Fn::Join":["-",["a",{"Ref":"Env"},"b"]]}`, "a-prod-b"},
		{"join-novalue", `{"Fn::Join":["-",["a",{"Ref":"AWS::NoValue"},"b"]]}`, "a-b"},
		{"sub-string", `{"Fn::Sub":"${AWS::Region}/${Env}/${!Literal}"}`, "ap-northeast-1/prod/${Literal}"},
		{"sub-list", `{"Fn::Sub":["${A}:${R.Arn}",{"A":{"Ref":"Env"}}]}`, "prod:arn:aws:iam::111111111111:role/r-name"},
		{"sub-var-shadows-ref", `{"Fn::Sub":["${Env}",{"Env":"shadow"}]}`, "shadow"},
		{"getatt-list", `{"Fn::GetAtt":["R","Arn"]}`, "arn:aws:iam::111111111111:role/r-name"},
		{"getatt-string", `{"Fn::GetAtt":"R.Arn"}`, "arn:aws:iam::111111111111:role/r-name"},
		{"select-split", `{"Fn::Select":[1,{"Fn::Split":[",","x,y,z"]}]}`, "y"},
		{"select-string-index", `{"Fn::Select":["2",{"Ref":"Letters"}]}`, "c"},
		{"getazs", `{"Fn::Select":[1,{"Fn::GetAZs":""}]}`, "ap-northeast-1c"},
		{"getazs-region", `{"Fn::Select":[0,{"Fn::GetAZs":"us-east-1"}]}`, "us-east-1a"},
		{"if-equals", `{"Fn::If":["IsProd","yes","no"]}`, "yes"},
		{"if-not", `{"Fn::If":["NotProd","yes","no"]}`, "no"},
		{"if-and", `{"Fn::If":["Both","yes","no"]}`, "yes"},
		{"if-or", `{"Fn::If":["Either","yes","no"]}`, "no"},
		{"base64", `{"Fn::Base64":"hi"}`, "aGk="},
		{"findinmap", `{"Fn::FindInMap":["Sizes",{"Ref":"Env"},"node"]}`, "m6i.large"},
		{"oidc-issuer-from-provider-arn", `{"Fn::Select":[1,{"Fn::Split":[":oidc-provider/","arn:aws:iam::1:oidc-provider/oidc.example/id/X"]}]}`, "oidc.example/id/X"},
	}
	var res []string
	for _, c := range cases {
		res = append(res, param(strings.ReplaceAll(c.id, "-", ""), "/t/"+c.id, c.expr))
	}
	res = append(res, `"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"r-name","AssumeRolePolicyDocument":`+trustAccount+`}}`,
		`"Skipped":{"Type":"AWS::SSM::Parameter","Condition":"NotProd","Properties":{"Type":"String","Name":"/t/skipped","Value":"x"}}`)
	tmpl := `{
		"Parameters":{
			"Env":{"Type":"String","Default":"prod"},
			"Letters":{"Type":"CommaDelimitedList","Default":"a,b,c"},
			"FromSSM":{"Type":"AWS::SSM::Parameter::Value<String>","Default":"/in/value"}},
		"Mappings":{"Sizes":{"prod":{"node":"m6i.large"}}},
		"Conditions":{
			"IsProd":{"Fn::Equals":[{"Ref":"Env"},"prod"]},
			"NotProd":{"Fn::Not":[{"Condition":"IsProd"}]},
			"Both":{"Fn::And":[{"Condition":"IsProd"},{"Fn::Equals":["a","a"]}]},
			"Either":{"Fn::Or":[{"Condition":"NotProd"},{"Fn::Equals":["x","y"]}]}},
		"Resources":{` + strings.Join(res, ",") + `}}`
	d, cloud, _, _ := newTestDeployer(t, testStack{name: "intr", template: tmpl})
	if err := cloud.PutParameter(acct, region, "/in/value", "value-in-ssm"); err != nil {
		t.Fatal(err)
	}
	if err := d.Deploy(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := paramValue(t, cloud, "/t/"+c.id); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.id, c.expr, got, c.want)
		}
	}
	if _, ok := cloud.Parameter(acct, region, "/t/skipped"); ok {
		t.Error("a resource whose condition is false was created")
	}
}

func TestIntrinsicErrors(t *testing.T) {
	role := `"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"r","AssumeRolePolicyDocument":` + trustAccount + `}}`
	for _, tt := range []struct{ name, res, want string }{
		{"unknown Ref", param("P", "/p", `{"Ref":"Nope"}`), "Ref Nope: no such parameter, resource or pseudo parameter"},
		{"attribute a handler does not give", role + "," + param("P", "/p", `{"Fn::GetAtt":["R","Nope"]}`), "has no attribute Nope"},
		{"GetAtt of a missing resource", param("P", "/p", `{"Fn::GetAtt":["Ghost","Arn"]}`), "no such resource"},
		{"Select out of range", param("P", "/p", `{"Fn::Select":[3,["a"]]}`), "out of the list"},
		{"function not emulated", param("P", "/p", `{"Fn::Select":[0,{"Fn::Cidr":["10.0.0.0/16",2,8]}]}`), "Fn::Cidr is not emulated"},
		{"unterminated Sub", param("P", "/p", `{"Fn::Sub":"${Env"}`), "unterminated"},
		{"import of an export nobody makes", param("P", "/p", `{"Fn::ImportValue":"nobody-exports-this"}`), "No export named nobody-exports-this"},
		{"Ref to a resource whose condition is false", `"Off":{"Type":"AWS::SQS::Queue","Condition":"Never","Properties":{}},` + param("P", "/p", `{"Ref":"Off"}`), "not deployed"},
		{"list where a string is needed", param("P", "/p", `["a"]`), "not a string"},
		{"circular dependency", `"A":{"Type":"AWS::SQS::Queue","DependsOn":"B","Properties":{}},"B":{"Type":"AWS::SQS::Queue","DependsOn":"A","Properties":{}}`, "circular dependency"},
		{"DependsOn a missing resource", `"A":{"Type":"AWS::SQS::Queue","DependsOn":"Ghost","Properties":{}}`, `DependsOn "Ghost"`},
		{"undefined condition in Fn::If", param("P", "/p", `{"Fn::If":["Ghost","a","b"]}`), `condition "Ghost" is not defined`},
		{"property a handler does not emulate", `"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":` + trustAccount + `,"PermissionsBoundary":"arn:aws:iam::aws:policy/x"}}`, "[PermissionsBoundary] are not emulated"},
		{"SecureString parameter", `"P":{"Type":"AWS::SSM::Parameter","Properties":{"Type":"SecureString","Value":"v"}}`, "String only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := `{"Conditions":{"Never":{"Fn::Equals":["a","b"]}},"Resources":{` + tt.res + `}}`
			d, _, _, _ := newTestDeployer(t, testStack{name: "bad", template: tmpl})
			err := d.Deploy(context.Background())
			wantErr(t, err, tt.want)
			if !strings.Contains(err.Error(), "stack bad") {
				t.Errorf("error %v does not name the stack", err)
			}
		})
	}
}

func TestTemplateRefusals(t *testing.T) {
	for _, tt := range []struct{ tmpl, want string }{
		{`{"Resources":{}}`, "no resources"},
		{`{"Transform":"AWS::Serverless-2016-10-31","Resources":{"A":{"Type":"AWS::SQS::Queue"}}}`, "transforms"},
		{`{"Resources":{"A":{"Type":"AWS::SQS::Queue","Properties":{},"Bogus":1}}}`, "not a resource attribute"},
		{`{"Resources":{"A":{"Type":"Queue"}}}`, "not a resource type"},
		{`{"Resources":{"A":{"Type":"AWS::SQS::Queue","DeletionPolicy":"Keep"}}}`, "Keep"},
	} {
		var v any
		if err := json.Unmarshal([]byte(tt.tmpl), &v); err != nil {
			t.Fatal(err)
		}
		_, err := parseTemplate([]byte(tt.tmpl))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseTemplate(%s) = %v, want an error saying %q", tt.tmpl, err, tt.want)
		}
	}
}
