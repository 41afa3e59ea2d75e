package cdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

func countIs(t assertions.Template, typ string, n int) {
	t.ResourceCountIs(jsii.String(typ), jsii.Number(float64(n)))
}

// TestResourceCounts checks each stack's resources against what the
// model asks of it.
func TestResourceCounts(t *testing.T) {
	p, stacks, out := sample(t)
	checkNetworkPolicies(t, p, out)
	for _, s := range stacksOf(stacks, "network") {
		assertTemplate(t, out, s.Name, func(a assertions.Template) {
			countIs(a, "AWS::EC2::VPC", 1)
			countIs(a, "AWS::EC2::Subnet", 2*cdk.AZs)
			countIs(a, "AWS::EC2::NatGateway", cdk.AZs)
			countIs(a, "AWS::EC2::EIP", cdk.AZs)
			countIs(a, "AWS::EC2::RouteTable", 2*cdk.AZs)
			countIs(a, "AWS::EC2::Route", 2*cdk.AZs)
			countIs(a, "AWS::EC2::InternetGateway", 1)
		})
		outputs, _ := out.templates[s.Name]["Outputs"].(obj)
		if len(outputs) != 1+2*cdk.AZs {
			t.Errorf("%s: %d outputs, want the VPC and %d subnets", s.Name, len(outputs), 2*cdk.AZs)
		}
		for id, o := range outputs {
			if name := get(o, "Export", "Name"); name != s.Name+"-"+id {
				t.Errorf("%s: output %s is exported as %v", s.Name, id, name)
			}
		}
	}
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			addons := len(p.Addons(g))
			nodegroups, profiles := 0, 0
			switch c.Capacity.Mode {
			case model.AutoMode:
				addons = 0
			case model.NodeGroup, model.Karpenter:
				nodegroups = 1
			case model.Fargate:
				profiles = len(p.FargateProfiles(c))
			}
			assertTemplate(t, out, cdk.GenerationStack(p, g), func(a assertions.Template) {
				countIs(a, "AWS::EKS::Cluster", 1)
				countIs(a, "AWS::EKS::AccessEntry", 1) // the deployer; tenants' in access stacks
				countIs(a, "AWS::EKS::Addon", addons)
				countIs(a, "AWS::EKS::Nodegroup", nodegroups)
				countIs(a, "AWS::EKS::FargateProfile", profiles)
				countIs(a, "AWS::IAM::OIDCProvider", 1)
				a.HasResourceProperties(jsii.String("AWS::EKS::Cluster"), map[string]any{
					"Name":          g.Name(),
					"Version":       g.Version,
					"AccessConfig":  map[string]any{"AuthenticationMode": "API"},
					"ComputeConfig": map[string]any{"Enabled": c.Capacity.Mode == model.AutoMode},
				})
				switch c.Capacity.Mode {
				case model.NodeGroup:
					a.HasResourceProperties(jsii.String("AWS::EKS::Nodegroup"), map[string]any{
						"AmiType":       assertions.Match_StringLikeRegexp(jsii.String("^AL2023_")),
						"InstanceTypes": c.Capacity.InstanceTypes,
						"ScalingConfig": map[string]any{"MinSize": c.Capacity.MinSize, "MaxSize": c.Capacity.MaxSize},
					})
				case model.Karpenter:
					a.HasResourceProperties(jsii.String("AWS::EKS::Nodegroup"), map[string]any{
						"AmiType":       assertions.Match_StringLikeRegexp(jsii.String("^AL2023_")),
						"ScalingConfig": map[string]any{"MinSize": cdk.KarpenterNodes, "MaxSize": cdk.KarpenterNodes},
						"Taints":        []any{map[string]any{"Effect": "NO_SCHEDULE", "Key": "CriticalAddonsOnly", "Value": "true"}},
					})
				}
				for _, key := range []string{cdk.ParamEndpoint, cdk.ParamCAData, cdk.ParamOIDCProviderARN, cdk.ParamOIDCIssuer} {
					a.ResourcePropertiesCountIs(jsii.String("AWS::SSM::Parameter"), map[string]any{"Name": naming.ClusterParameter(p, g, key)}, jsii.Number(1))
				}
			})
		}
	}
	for _, s := range stacksOf(stacks, "tenant") {
		// The secret, its role, and a role per workload with AWS access.
		roles := 1
		for _, tn := range p.Tenants {
			for _, w := range tn.Workloads() {
				if tn.Name == s.Origin.Tenant && len(w.AWS) > 0 {
					roles++
				}
			}
		}
		assertTemplate(t, out, s.Name, func(a assertions.Template) {
			countIs(a, "AWS::SecretsManager::Secret", 1)
			countIs(a, "AWS::IAM::Role", roles)
		})
		if n := len(out.templates[s.Name]["Resources"].(obj)); n != 1+roles {
			t.Errorf("%s: %d resources, want the secret, its role and %d workload roles", s.Name, n, roles-1)
		}
	}
	envs := map[string]bool{}
	for _, c := range p.Clusters {
		envs[c.Environment] = true
	}
	accounts := map[string]bool{}
	for _, env := range slices.Sorted(maps.Keys(envs)) {
		owners := map[string]int{} // stack -> owners roles in it
		for _, tn := range p.Tenants {
			if len(generationsOf(p, tn, env)) > 0 {
				owners[cdk.OwnersStack(p, tn, env)]++
			}
		}
		for name, n := range owners {
			assertTemplate(t, out, name, func(a assertions.Template) {
				countIs(a, "AWS::IAM::Role", n)
			})
		}
		if a := p.Config.Environments[env].Account; !accounts[a] {
			accounts[a] = true
			assertTemplate(t, out, cdk.IAMStack(p, env), func(a assertions.Template) {
				countIs(a, "AWS::IAM::Role", 2)
			})
		}
	}
}

// TestAccessEntries checks that the Argo CD deployer is cluster admin and
// that each tenant's owners may edit exactly the tenant's namespace.
func TestAccessEntries(t *testing.T) {
	p, _, out := sample(t)
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			name := cdk.GenerationStack(p, g)
			want := map[string]string{naming.ArgoCDDeployerRoleARN(p, c): ""}
			entries := resources(out.templates[name], "AWS::EKS::AccessEntry")
			for _, tn := range p.Tenants {
				if tn.PlacedOn(c.Name) {
					want[cdk.OwnersRoleARN(p, tn, c.Environment)] = tn.Namespace()
					access := cdk.AccessStack(p, tn, g)
					for id, e := range resources(out.templates[access], "AWS::EKS::AccessEntry") {
						if get(e, "Properties", "ClusterName") != g.Name() {
							t.Errorf("%s: %s is on cluster %v, want %s", access, id, get(e, "Properties", "ClusterName"), g.Name())
						}
						entries[access+"/"+id] = e
					}
				}
			}
			if len(entries) != len(want) {
				t.Errorf("%s: %d access entries, want %d", name, len(entries), len(want))
			}
			for id, e := range entries {
				principal, _ := get(e, "Properties", "PrincipalArn").(string)
				ns, ok := want[principal]
				if !ok {
					t.Errorf("%s: %s gives access to %s", name, id, principal)
					continue
				}
				policies, _ := get(e, "Properties", "AccessPolicies").([]any)
				if len(policies) != 1 {
					t.Errorf("%s: %s has %d policies", name, id, len(policies))
					continue
				}
				scope, _ := get(policies[0], "AccessScope").(obj)
				arn, _ := json.Marshal(get(policies[0], "PolicyArn"))
				if ns == "" {
					if scope["Type"] != "cluster" || !strings.Contains(string(arn), "AmazonEKSClusterAdminPolicy") {
						t.Errorf("%s: the deployer's entry is %v %s", name, scope, arn)
					}
					continue
				}
				if scope["Type"] != "namespace" || fmt.Sprint(scope["Namespaces"]) != fmt.Sprint([]any{ns}) || !strings.Contains(string(arn), "AmazonEKSEditPolicy") {
					t.Errorf("%s: owners of %s get %v %s, want AmazonEKSEditPolicy on namespace %s alone", name, ns, scope, arn, ns)
				}
			}
		}
	}
}

// TestDNSWeights checks a weighted record per ingress host and generation,
// with the generation's weight, pointing at the name external-dns gives
// the tenant's load balancer in that generation.
func TestDNSWeights(t *testing.T) {
	p, _, out := sample(t)
	checkDNS(t, p, out)
}

func checkDNS(t *testing.T, p *model.Platform, out *output) {
	t.Helper()
	for _, c := range p.Clusters {
		type key struct{ host, gen string }
		want := map[key]model.Generation{}
		targets := map[key]string{}
		for _, tn := range p.Tenants {
			for _, s := range tn.Services {
				if in := s.On(c.Name).Ingress; in != nil && tn.PlacedOn(c.Name) {
					for _, g := range c.Generations() {
						want[key{in.Host + ".", g.Name()}] = g
						targets[key{in.Host + ".", g.Name()}] = naming.LoadBalancerName(g, tn)
					}
				}
			}
		}
		name := c.Name + "'s DNS stacks"
		records := map[string]obj{}
		for _, tn := range p.Tenants {
			if tn.PlacedOn(c.Name) {
				stack := cdk.DNSStack(p, tn, c)
				for id, r := range resources(out.templates[stack], "AWS::Route53::RecordSet") {
					records[stack+"/"+id] = r
				}
			}
		}
		if len(records) != len(want) {
			t.Errorf("%s: %d records, want %d", name, len(records), len(want))
		}
		for id, r := range records {
			props := r["Properties"].(obj)
			k := key{props["Name"].(string), fmt.Sprint(props["SetIdentifier"])}
			g, ok := want[k]
			if !ok {
				t.Errorf("%s: unexpected record %s %v", name, id, k)
				continue
			}
			if props["Weight"] != float64(g.Weight) {
				t.Errorf("%s: %v has weight %v, want %d", name, k, props["Weight"], g.Weight)
			}
			if props["HostedZoneName"] != c.DNSZone+"." {
				t.Errorf("%s: %v is in zone %v", name, k, props["HostedZoneName"])
			}
			switch props["Type"] {
			case "CNAME":
				if fmt.Sprint(props["ResourceRecords"]) != fmt.Sprint([]any{targets[k]}) {
					t.Errorf("%s: %v points at %v, want %s", name, k, props["ResourceRecords"], targets[k])
				}
			case "A": // an alias, at the zone's apex only
				if k.host != c.DNSZone+"." || get(props, "AliasTarget", "DNSName") != targets[k]+"." {
					t.Errorf("%s: alias %v to %v", name, k, get(props, "AliasTarget", "DNSName"))
				}
			default:
				t.Errorf("%s: %v is a %v record", name, k, props["Type"])
			}
		}
		if len(c.Generations()) == 1 {
			for k := range want {
				if want[k].Weight != 100 {
					t.Errorf("%s: the only generation weighs %d", name, want[k].Weight)
				}
			}
		}
	}
}

// TestSecretsHaveNoValue checks that no template holds a secret value or
// asks CloudFormation to make one, and that secrets outlive their stack.
func TestSecretsHaveNoValue(t *testing.T) {
	_, _, out := sample(t)
	found := 0
	for name, tmpl := range out.templates {
		for id, s := range resources(tmpl, "AWS::SecretsManager::Secret") {
			found++
			props, _ := s["Properties"].(obj)
			for _, k := range []string{"SecretString", "GenerateSecretString"} {
				if _, ok := props[k]; ok {
					t.Errorf("%s: %s sets %s", name, id, k)
				}
			}
			if s["DeletionPolicy"] != "Retain" || s["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s: %s is not retained", name, id)
			}
		}
		if strings.Contains(out.raw[name], "SecretString") {
			t.Errorf("%s mentions SecretString", name)
		}
	}
	if found == 0 {
		t.Fatal("no secret found")
	}
}

// TestAssemblyIsSelfContained checks that the stacks need no context
// lookup, bundle no asset but their template, and report nothing.
func TestAssemblyIsSelfContained(t *testing.T) {
	_, stacks, out := sample(t)
	f, ok := out.tree.Get(path.Join(layout.CDK, cdk.ManifestFile))
	if !ok {
		t.Fatal("no manifest")
	}
	var m struct {
		Version   string         `json:"version"`
		Artifacts map[string]obj `json:"artifacts"`
		Missing   []any          `json:"missing"`
	}
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Missing) > 0 {
		t.Errorf("context lookups: %v", m.Missing)
	}
	for _, s := range stacks {
		art := m.Artifacts[s.Name]
		if art["type"] != "aws:cloudformation:stack" || art["environment"] != "aws://"+s.Account+"/"+s.Region {
			t.Errorf("%s: artifact %v", s.Name, art)
		}
		md, ok := out.tree.Get(path.Join(layout.CDK, s.Name+".metadata.json"))
		if !ok {
			continue
		}
		var entries map[string][]obj
		if err := json.Unmarshal(md.Data, &entries); err != nil {
			t.Fatal(err)
		}
		for p, es := range entries {
			for _, e := range es {
				if e["type"] != "aws:cdk:logicalId" {
					t.Errorf("%s: %s: %v %v", s.Name, p, e["type"], e["data"])
				}
			}
		}
	}
	for _, p := range out.tree.Paths() {
		f, _ := out.tree.Get(p)
		if strings.Contains(string(f.Data), "/tmp/") || strings.Contains(string(f.Data), "aws:cdk:path") {
			t.Errorf("%s names a local path", p)
		}
		if strings.HasSuffix(p, ".assets.json") && strings.Contains(string(f.Data), `"packaging": "zip"`) {
			t.Errorf("%s has a code asset", p)
		}
	}
}

// TestFargateProfiles runs a cluster of the sample on Fargate: "system"
// profiles for kube-system (CoreDNS, configured for Fargate and created
// after it) and the add-ons' namespaces, at most five selectors each,
// without labels, and one "tenants" profile selecting the tenants' pods
// in any namespace by the label they all carry, so that tenants coming
// and going replace no profile (and stop no pod).
func TestFargateProfiles(t *testing.T) {
	_, _, first := sample(t)
	p := loadSample(t)
	c := p.Clusters[len(p.Clusters)-1]
	c.Capacity = model.Capacity{Mode: model.Fargate}
	out := generate(t, p, first.tree, jsiisynth.Synthesizer{})
	checkNetworkPolicies(t, p, out)
	g := c.Generations()[0]
	name := cdk.GenerationStack(p, g)
	tmpl := out.templates[name]
	system := map[string]bool{"kube-system": true}
	for _, a := range p.AddonsOf(c) {
		system[a.Namespace] = true
	}
	profiles := resources(tmpl, "AWS::EKS::FargateProfile")
	if want := (len(system)+4)/5 + 1; len(profiles) != want {
		t.Errorf("%s: %d Fargate profiles, want %d", name, len(profiles), want)
	}
	kubeSystem, tenants := "", false
	for id, pr := range profiles {
		sel, _ := get(pr, "Properties", "Selectors").([]any)
		profile := fmt.Sprint(get(pr, "Properties", "FargateProfileName"))
		if len(sel) == 0 || len(sel) > model.FargateSelectorsPerProfile {
			t.Errorf("%s: profile %s has %d selectors", name, profile, len(sel))
		}
		for _, x := range sel {
			ns := fmt.Sprint(get(x, "Namespace"))
			labels, _ := get(x, "Labels").([]any)
			switch {
			case profile == "tenants":
				tenants = true
				if ns != "*" || fmt.Sprint(labels) != fmt.Sprintf("[map[Key:%s Value:%s]]", model.TenantPodLabel, model.TenantPodValue) {
					t.Errorf("%s: profile tenants selects %v", name, sel)
				}
			case strings.HasPrefix(profile, "system") && system[ns] && len(labels) == 0:
				delete(system, ns)
				if ns == "kube-system" {
					kubeSystem = id
				}
			default:
				t.Errorf("%s: profile %s selects %v", name, profile, x)
			}
		}
	}
	if len(system) > 0 || !tenants {
		t.Errorf("%s: no profile for %v (tenants: %t)", name, slices.Sorted(maps.Keys(system)), tenants)
	}
	for _, a := range resources(tmpl, "AWS::EKS::Addon") {
		if get(a, "Properties", "AddonName") != "coredns" {
			continue
		}
		deps, _ := json.Marshal(a["DependsOn"])
		if get(a, "Properties", "ConfigurationValues") != `{"computeType":"Fargate"}` || !strings.Contains(string(deps), kubeSystem) {
			t.Errorf("%s: CoreDNS is not set up for Fargate: %v, after %s", name, get(a, "Properties", "ConfigurationValues"), deps)
		}
	}
	lint(t, map[string]string{name: out.raw[name]})
}

// checkNetworkPolicies: every generation whose pods the VPC CNI add-on
// networks has its network policy agent on. (EKS Auto Mode runs its own,
// which a ConfigMap turns on: TestNetworkPoliciesEnforced in compiler.)
func checkNetworkPolicies(t *testing.T, p *model.Platform, out *output) {
	t.Helper()
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			name := cdk.GenerationStack(p, g)
			var cni []obj
			for _, a := range resources(out.templates[name], "AWS::EKS::Addon") {
				if get(a, "Properties", "AddonName") == "vpc-cni" {
					cni = append(cni, a)
				}
			}
			if c.Capacity.Mode == model.AutoMode {
				if len(cni) != 0 {
					t.Errorf("%s: Auto Mode with the vpc-cni add-on", name)
				}
				continue
			}
			var conf map[string]any
			if len(cni) != 1 || json.Unmarshal([]byte(fmt.Sprint(get(cni[0], "Properties", "ConfigurationValues"))), &conf) != nil || conf["enableNetworkPolicy"] != "true" {
				t.Errorf("%s (%s): NetworkPolicies not enforced: vpc-cni add-ons %v", name, c.Capacity.Mode, cni)
			}
		}
	}
}
