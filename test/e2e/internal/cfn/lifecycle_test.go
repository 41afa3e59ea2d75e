package cfn

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// appTemplate is a stack with every real handler; rev changes it.
func appTemplate(rev int) string {
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`
	logging, version, desc := `["audit"]`, "1.34", "v1"
	if rev >= 2 {
		policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}]}`
		logging, desc = `["audit","authenticator"]`, "v2"
	}
	if rev >= 3 {
		version = "1.35"
	}
	res := []string{
		`"Role":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"app-role","AssumeRolePolicyDocument":` + trustAccount + `,
			"Policies":[{"PolicyName":"p","PolicyDocument":` + policy + `}],"ManagedPolicyArns":[{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonEKSClusterPolicy"]]}]}}`,
		`"Cluster":{"Type":"AWS::EKS::Cluster","Properties":{"Name":"app-1-34","Version":"` + version + `","RoleArn":{"Fn::GetAtt":["Role","Arn"]},
			"ResourcesVpcConfig":{"SubnetIds":["subnet-1"]},"Logging":{"ClusterLogging":{"EnabledTypes":` + logging + `}},"AccessConfig":{"AuthenticationMode":"API"}}}`,
		`"Oidc":{"Type":"AWS::IAM::OIDCProvider","Properties":{"ClientIdList":["sts.amazonaws.com"],"Url":{"Fn::GetAtt":["Cluster","OpenIdConnectIssuerUrl"]}}}`,
		`"Admin":{"Type":"AWS::EKS::AccessEntry","Properties":{"ClusterName":{"Ref":"Cluster"},"PrincipalArn":{"Fn::GetAtt":["Role","Arn"]},
			"AccessPolicies":[{"AccessScope":{"Type":"cluster"},"PolicyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}]}}`,
		param("Endpoint", "/app/endpoint", `{"Fn::GetAtt":["Cluster","Endpoint"]}`),
		param("Ca", "/app/ca", `{"Fn::GetAtt":["Cluster","CertificateAuthorityData"]}`),
		param("OidcArn", "/app/oidc-arn", `{"Ref":"Oidc"}`),
		param("ClusterArn", "/app/cluster-arn", `{"Fn::GetAtt":["Cluster","Arn"]}`),
		param("Sg", "/app/sg", `{"Fn::GetAtt":["Cluster","ClusterSecurityGroupId"]}`),
		param("QueueArn", "/app/queue-arn", `{"Fn::GetAtt":["Queue","Arn"]}`),
		`"Queue":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"q"}}`,
		`"Secret":{"Type":"AWS::SecretsManager::Secret","Properties":{"Name":"app/secret","Description":"` + desc + `"},"DeletionPolicy":"Retain","UpdateReplacePolicy":"Retain"}`,
		param("SecretArn", "/app/secret-arn", `{"Ref":"Secret"}`),
	}
	if rev == 1 {
		res = append(res,
			`"Generated":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":`+trustAccount+`}}`,
			`"Viewer":{"Type":"AWS::EKS::AccessEntry","Properties":{"ClusterName":{"Ref":"Cluster"},"PrincipalArn":{"Fn::GetAtt":["Generated","Arn"]},
				"KubernetesGroups":["viewers"],"AccessPolicies":[{"AccessScope":{"Type":"namespace","Namespaces":["a"]},"PolicyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"}]}}`,
			param("GeneratedName", "/app/generated-role", `{"Ref":"Generated"}`),
			param("Gone", "/app/gone", `"bye"`),
			`"Kept":{"Type":"AWS::SecretsManager::Secret","Properties":{"Name":"app/kept"},"DeletionPolicy":"Retain"}`)
	} else {
		res = append(res, param("New", "/app/new", `"hello"`))
	}
	return resources(strings.Join(res, ","))
}

func TestStackLifecycle(t *testing.T) {
	ctx := context.Background()
	d, cloud, clusters, dir := newTestDeployer(t, testStack{name: "app", template: appTemplate(1)})
	redeploy := func(rev int) {
		t.Helper()
		writeAssembly(t, dir, testStack{name: "app", template: appTemplate(rev)})
		if err := d.Deploy(ctx); err != nil {
			t.Fatalf("deploy revision %d: %v", rev, err)
		}
	}
	if err := d.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	roleARN := fakeaws.RoleARN(acct, "app-role")

	// Revision 1: everything exists as the template says.
	role, ok := cloud.Role(acct, "app-role")
	if !ok || !strings.Contains(role.Policies["p"], `"ssm:GetParameter"`) || !strings.Contains(role.TrustPolicy, "111111111111:root") ||
		!slices.Equal(role.ManagedPolicyARNs, []string{"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}) {
		t.Fatalf("role: %+v, %v", role, ok)
	}
	generated := paramValue(t, cloud, "/app/generated-role")
	if _, ok := cloud.Role(acct, generated); !ok || !strings.HasPrefix(generated, "app-Generated-") {
		t.Errorf("generated role %q: exists %v", generated, ok)
	}
	issuer := "https://oidc.eks.ap-northeast-1.amazonaws.com/id/APP134"
	if got := paramValue(t, cloud, "/app/oidc-arn"); got != fakeaws.OIDCProviderARN(acct, issuer) {
		t.Errorf("OIDC provider ARN %s", got)
	}
	if p, ok := cloud.OIDCProvider(fakeaws.OIDCProviderARN(acct, issuer)); !ok || p.URL != issuer || !slices.Equal(p.ClientIDs, []string{"sts.amazonaws.com"}) {
		t.Errorf("OIDC provider %+v, %v", p, ok)
	}
	if len(cloud.IssuerKeys(issuer)) != 1 {
		t.Error("the cluster's issuer keys were not registered")
	}
	for name, want := range map[string]string{
		"/app/endpoint":    "https://app-1-34.test:6443",
		"/app/cluster-arn": "arn:aws:eks:ap-northeast-1:111111111111:cluster/app-1-34",
		"/app/secret-arn":  fakeaws.SecretARN(acct, region, "app/secret"),
		"/app/queue-arn":   "arn:aws:sqs:ap-northeast-1:111111111111:queue/" + placeholderID(&Stack{Name: "app", Account: acct, Region: region}, "Queue", "AWS::SQS::Queue"),
	} {
		if got := paramValue(t, cloud, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(paramValue(t, cloud, "/app/sg"), "sg-") {
		t.Errorf("security group %q", paramValue(t, cloud, "/app/sg"))
	}
	if e, ok := cloud.AccessEntry(acct, region, "app-1-34", roleARN); !ok || len(e.AccessPolicies) != 1 || e.AccessPolicies[0].ScopeType != "cluster" {
		t.Errorf("admin access entry %+v, %v", e, ok)
	}
	if e, ok := cloud.AccessEntry(acct, region, "app-1-34", fakeaws.RoleARN(acct, generated)); !ok || !slices.Equal(e.KubernetesGroups, []string{"viewers"}) {
		t.Errorf("viewer access entry %+v, %v", e, ok)
	}
	if s, ok := cloud.Secret(acct, region, "app/secret"); !ok || s.SecretString != "{}" || s.Description != "v1" {
		t.Errorf("secret %+v, %v", s, ok)
	}
	if r := d.Report(); len(r.Placeholders) != 1 || r.Placeholders[0] != (ResourceRef{"app", "Queue", "AWS::SQS::Queue"}) || !strings.Contains(r.String(), "1 AWS::SQS::Queue") {
		t.Errorf("report %+v", r)
	}
	if st := d.Stacks(); len(st) != 1 || st[0].Status != "CREATE_COMPLETE" {
		t.Errorf("stacks %+v", st)
	}

	// The same template again changes nothing.
	redeploy(1)
	if p, _ := cloud.Parameter(acct, region, "/app/endpoint"); p.Version != 1 {
		t.Errorf("an unchanged parameter was written again (version %d)", p.Version)
	}
	if created, _ := clusters.calls(); len(created) != 1 {
		t.Errorf("an unchanged cluster was created again: %v", created)
	}

	// The harness puts the secret's value; revision 2 must not lose it.
	if err := cloud.PutSecretValue(acct, region, "app/secret", `{"k":"v"}`); err != nil {
		t.Fatal(err)
	}
	redeploy(2)
	if role, _ := cloud.Role(acct, "app-role"); !strings.Contains(role.Policies["p"], "ssm:GetParameters") {
		t.Errorf("role policy not updated: %v", role.Policies)
	}
	if _, ok := cloud.Role(acct, generated); ok {
		t.Error("a role removed from the template still exists")
	}
	if _, ok := cloud.AccessEntry(acct, region, "app-1-34", fakeaws.RoleARN(acct, generated)); ok {
		t.Error("an access entry removed from the template still exists")
	}
	if _, ok := cloud.Parameter(acct, region, "/app/gone"); ok {
		t.Error("a parameter removed from the template still exists")
	}
	if paramValue(t, cloud, "/app/new") != "hello" {
		t.Error("new parameter missing")
	}
	if _, ok := cloud.Secret(acct, region, "app/kept"); !ok {
		t.Error("a secret with DeletionPolicy Retain was deleted")
	}
	if s, _ := cloud.Secret(acct, region, "app/secret"); s.SecretString != `{"k":"v"}` || s.Description != "v2" {
		t.Errorf("secret after update: %+v", s)
	}
	if created, deleted := clusters.calls(); len(created) != 1 || len(deleted) != 0 {
		t.Errorf("a cluster whose name and version did not change was recreated: created %v, deleted %v", created, deleted)
	}

	// Revision 3 upgrades the cluster: the harness recreates it, access
	// entries stay.
	redeploy(3)
	created, deleted := clusters.calls()
	if !slices.Equal(created, []string{acct + "/" + region + "/app-1-34@1.34", acct + "/" + region + "/app-1-34@1.35"}) ||
		!slices.Equal(deleted, []string{acct + "/" + region + "/app-1-34"}) {
		t.Errorf("upgrade: created %v, deleted %v", created, deleted)
	}
	if _, ok := cloud.AccessEntry(acct, region, "app-1-34", roleARN); !ok {
		t.Error("the upgrade lost the access entry")
	}
	if c, _ := cloud.Cluster(acct, region, "app-1-34"); c.Version != "1.35" {
		t.Errorf("cluster version %q", c.Version)
	}

	// Destroy deletes all but what is retained.
	if err := d.Destroy(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if _, ok := cloud.Role(acct, "app-role"); ok {
		t.Error("role survived the stack")
	}
	if _, ok := cloud.Cluster(acct, region, "app-1-34"); ok {
		t.Error("cluster survived the stack")
	}
	if _, ok := cloud.AccessEntry(acct, region, "app-1-34", roleARN); ok {
		t.Error("access entry survived the stack")
	}
	if _, ok := cloud.Parameter(acct, region, "/app/endpoint"); ok {
		t.Error("parameter survived the stack")
	}
	if len(cloud.IssuerKeys(issuer)) != 0 {
		t.Error("issuer keys survived the cluster")
	}
	if s, ok := cloud.Secret(acct, region, "app/secret"); !ok || s.SecretString != `{"k":"v"}` {
		t.Error("a retained secret was deleted with the stack")
	}
	if _, deleted := clusters.calls(); len(deleted) != 2 {
		t.Errorf("cluster deletions %v", deleted)
	}
	if len(d.Stacks()) != 0 {
		t.Errorf("destroyed stack still listed: %+v", d.Stacks())
	}
	wantErr(t, d.Destroy(ctx, "app"), "not deployed")
}

func TestReplacements(t *testing.T) {
	ctx := context.Background()
	tmpl := func(name string) string {
		return resources(`"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"` + name + `","AssumeRolePolicyDocument":` + trustAccount + `}},` +
			param("P", "/p/"+name, `{"Fn::GetAtt":["R","Arn"]}`))
	}
	d, cloud, _, dir := newTestDeployer(t, testStack{name: "s", template: tmpl("old")})
	if err := d.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	writeAssembly(t, dir, testStack{name: "s", template: tmpl("new")})
	if err := d.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := cloud.Role(acct, "new"); !ok {
		t.Error("replacement role not created")
	}
	if _, ok := cloud.Role(acct, "old"); ok {
		t.Error("replaced role not deleted")
	}
	if _, ok := cloud.Parameter(acct, region, "/p/old"); ok {
		t.Error("replaced parameter not deleted")
	}
	if paramValue(t, cloud, "/p/new") != fakeaws.RoleARN(acct, "new") {
		t.Error("dependent parameter not updated")
	}
}

func TestMissingSSMParameter(t *testing.T) {
	tmpl := `{"Parameters":{"Issuer":{"Type":"AWS::SSM::Parameter::Value<String>","Default":"/acme/clusters/x/oidc-issuer"},
		"BootstrapVersion":{"Type":"AWS::SSM::Parameter::Value<String>","Default":"/cdk-bootstrap/hnb659fds/version"}},
		"Resources":{` + param("P", "/p", `{"Ref":"Issuer"}`) + `}}`
	d, cloud, _, _ := newTestDeployer(t, testStack{name: "tenant", template: tmpl})
	err := d.Deploy(context.Background())
	wantErr(t, err, "Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version,/acme/clusters/x/oidc-issuer] from parameter store for this account (111111111111, ap-northeast-1)")
	if _, ok := cloud.Parameter(acct, region, "/p"); ok {
		t.Error("a resource was created although a parameter is missing")
	}
	if st := d.Stacks(); len(st) != 1 || st[0].Status != "CREATE_FAILED" {
		t.Errorf("stacks %+v", st)
	}
	if err := Bootstrap(cloud, acct, region); err != nil {
		t.Fatal(err)
	}
	if err := cloud.PutParameter(acct, region, "/acme/clusters/x/oidc-issuer", "oidc.example/id/X"); err != nil {
		t.Fatal(err)
	}
	if err := d.Deploy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if paramValue(t, cloud, "/p") != "oidc.example/id/X" {
		t.Error("SSM-typed parameter not resolved")
	}
}

func TestCrossStackExports(t *testing.T) {
	ctx := context.Background()
	net := func(export bool) string {
		out := ""
		if export {
			out = `,"Outputs":{"VpcId":{"Value":{"Ref":"Vpc"},"Export":{"Name":{"Fn::Sub":"${AWS::StackName}-VpcId"}}}}`
		}
		return `{"Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16"}}}` + out + `}`
	}
	app := resources(param("P", "/vpc", `{"Fn::ImportValue":"net-VpcId"}`))
	d, cloud, _, dir := newTestDeployer(t, testStack{name: "net", template: net(true)}, testStack{name: "app", deps: []string{"net"}, template: app})
	if err := d.Deploy(ctx, "app"); err != nil { // deploys net first
		t.Fatal(err)
	}
	if v := paramValue(t, cloud, "/vpc"); !strings.HasPrefix(v, "vpc-") {
		t.Errorf("imported %q", v)
	}
	if st := d.Stacks(); len(st) != 2 || st[1].Exports["net-VpcId"] == "" {
		t.Errorf("stacks %+v", st)
	}
	wantErr(t, d.Destroy(ctx, "net"), "export net-VpcId cannot be deleted as it is in use by app")
	writeAssembly(t, dir, testStack{name: "net", template: net(false)}, testStack{name: "app", deps: []string{"net"}, template: app})
	wantErr(t, d.Deploy(ctx, "net"), "export net-VpcId cannot be updated or deleted as it is in use by app")
	if err := d.Destroy(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if err := d.Deploy(ctx, "net"); err != nil {
		t.Fatal(err)
	}
	if err := d.Destroy(ctx, "net"); err != nil {
		t.Fatal(err)
	}
}

func TestManifestDependencies(t *testing.T) {
	maker := testStack{name: "cluster", template: resources(param("P", "/acme/clusters/c/oidc-issuer", `"oidc.example/id/C"`) + "," +
		`"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"owners","AssumeRolePolicyDocument":` + trustAccount + `}}`)}
	user := func(deps ...string) testStack {
		return testStack{name: "tenant", deps: deps, template: `{"Parameters":{"I":{"Type":"AWS::SSM::Parameter::Value<String>","Default":"/acme/clusters/c/oidc-issuer"}},` +
			`"Resources":{` + param("P", "/t", `{"Ref":"I"}`) + `}}`}
	}
	d, _, _, dir := newTestDeployer(t, maker, user())
	wantErr(t, d.Deploy(context.Background()), "stack tenant uses SSM parameter /acme/clusters/c/oidc-issuer in 111111111111/ap-northeast-1, which stack cluster creates, but does not depend on cluster")

	writeAssembly(t, dir, maker, user("cluster"))
	if err := d.Deploy(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Two stacks making the same role.
	twin := testStack{name: "twin", template: resources(`"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"owners","AssumeRolePolicyDocument":` + trustAccount + `}}`)}
	writeAssembly(t, dir, maker, user("cluster"), twin)
	wantErr(t, d.Deploy(context.Background()), "stacks cluster and twin both create IAM role arn:aws:iam::111111111111:role/owners")

	a, err := ReadAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Order("ghost"); err == nil || !strings.Contains(err.Error(), `no stack "ghost"`) {
		t.Errorf("Order(ghost): %v", err)
	}
}

func TestCreateConflictsAndFailures(t *testing.T) {
	ctx := context.Background()
	tmpl := resources(`"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"taken","AssumeRolePolicyDocument":` + trustAccount + `}}`)
	d, cloud, _, _ := newTestDeployer(t, testStack{name: "s", template: tmpl})
	if _, err := cloud.PutRole(fakeaws.Role{Account: acct, Name: "taken", TrustPolicy: trustAccount}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, d.Deploy(ctx), "Resource of type 'AWS::IAM::Role' with identifier 'taken' already exists")

	secret := resources(`"S":{"Type":"AWS::SecretsManager::Secret","Properties":{"Name":"pre/existing"}}`)
	d, cloud, _, _ = newTestDeployer(t, testStack{name: "s", template: secret})
	if _, err := cloud.CreateSecret(acct, region, "pre/existing", "", "x"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, d.Deploy(ctx), "ResourceExistsException")

	// A failed cluster leaves the role made before it, for Destroy.
	failing := resources(`"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"cluster-role","AssumeRolePolicyDocument":` + trustAccount + `}},` +
		`"C":{"Type":"AWS::EKS::Cluster","Properties":{"Name":"full","RoleArn":{"Fn::GetAtt":["R","Arn"]},"ResourcesVpcConfig":{}}}`)
	d, cloud, clusters, _ := newTestDeployer(t, testStack{name: "s", template: failing})
	clusters.failOn = "full"
	wantErr(t, d.Deploy(ctx), "resource C (AWS::EKS::Cluster): AWS::EKS::Cluster full: the harness could not create it: no room for full")
	st := d.Stacks()
	if len(st) != 1 || st[0].Status != "CREATE_FAILED" || len(st[0].Resources) != 1 || st[0].Resources[0].LogicalID != "R" {
		t.Errorf("stacks after the failure: %+v", st)
	}
	if err := d.Destroy(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if _, ok := cloud.Role(acct, "cluster-role"); ok {
		t.Error("Destroy left the role of a failed stack")
	}
}

func TestNewDeployerNeedsAnAssembly(t *testing.T) {
	_, err := NewDeployer(fakeaws.New(), t.TempDir(), &fakeClusters{})
	wantErr(t, err, "manifest.json")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"artifacts":{"s":{"type":"aws:cloudformation:stack","environment":"aws://unknown-account/unknown-region","properties":{"templateFile":"s.json"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = NewDeployer(fakeaws.New(), dir, &fakeClusters{})
	wantErr(t, err, "environment-agnostic")
}
