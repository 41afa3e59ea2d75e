package cfn

import (
	"fmt"
	"sort"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// DependencyProblem is something a stack uses that another stack of the
// assembly makes, while the manifest does not make the first depend on the
// second (so "cdk deploy" may deploy them in the wrong order, or at the
// same time), or something two stacks both make.
type DependencyProblem struct {
	Stack     string // the stack that uses (or also makes) it
	Other     string // the stack that makes it
	What      string
	Duplicate bool
}

func (p DependencyProblem) String() string {
	if p.Duplicate {
		return fmt.Sprintf("stacks %s and %s both create %s", p.Other, p.Stack, p.What)
	}
	return fmt.Sprintf("stack %s uses %s, which stack %s creates, but does not depend on %s in manifest.json", p.Stack, p.What, p.Other, p.Other)
}

// CheckDependencies finds the stacks that use, without depending on its
// maker, an SSM parameter (through an SSM-typed parameter), an export
// (Fn::ImportValue), an IAM role (an access entry's PrincipalArn) or an EKS
// cluster (a ClusterName) that another stack creates under a literal name.
// Things no stack creates are not problems here (the platform team makes
// them, and the deployment fails if they are missing).
func (a *Assembly) CheckDependencies() ([]DependencyProblem, error) {
	makers := map[string]string{}
	uses := map[string][]string{} // stack -> keys it uses
	var problems []DependencyProblem
	for _, name := range sortedKeys(a.Stacks) {
		s := a.Stacks[name]
		t, err := readTemplate(s.TemplateFile)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		made, used := staticRefs(s, t)
		for _, k := range made {
			if other, ok := makers[k]; ok && other != name {
				problems = append(problems, DependencyProblem{Stack: name, Other: other, What: k, Duplicate: true})
				continue
			}
			makers[k] = name
		}
		uses[name] = used
	}
	for _, name := range sortedKeys(uses) {
		for _, k := range uses[name] {
			if m, ok := makers[k]; ok && m != name && !a.dependsOn(name, m) {
				problems = append(problems, DependencyProblem{Stack: name, Other: m, What: k})
			}
		}
	}
	return problems, nil
}

// staticRefs returns what template t of stack s makes and uses under names
// known before deployment.
func staticRefs(s *Stack, t *template) (made, used []string) {
	ev := &evaluator{stack: s, tmpl: t, params: map[string]any{}, conditions: map[string]bool{}, resolving: map[string]bool{},
		resources:   map[string]*resourceState{},
		attr:        func(*resourceState, string) (string, error) { return "", fmt.Errorf("not static") },
		importValue: func(string) (string, error) { return "", fmt.Errorf("not static") }}
	static := func(v any) (string, bool) {
		r, err := ev.eval(v)
		str, ok := r.(string)
		return str, err == nil && ok && str != ""
	}
	env := s.Account + "/" + s.Region
	ssm := func(name string) string { return "SSM parameter " + name + " in " + env }
	cluster := func(name string) string { return "EKS cluster " + name + " in " + env }
	for _, p := range sortedKeys(t.Parameters) {
		if d, ok := t.Parameters[p].Default.(string); ok && isSSMType(t.Parameters[p].Type) {
			used = append(used, ssm(d))
		}
	}
	for _, o := range sortedKeys(t.Outputs) {
		if n, ok := static(t.Outputs[o].Export); ok {
			made = append(made, "export "+n+" in "+env)
		}
	}
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		p := r.Properties
		switch r.Type {
		case "AWS::SSM::Parameter":
			if n, ok := static(p["Name"]); ok {
				made = append(made, ssm(n))
			}
		case "AWS::IAM::Role":
			if n, ok := static(p["RoleName"]); ok {
				made = append(made, "IAM role "+fakeaws.RoleARN(s.Account, n))
			}
		case "AWS::EKS::Cluster":
			if n, ok := static(p["Name"]); ok {
				made = append(made, cluster(n))
			}
		}
		if n, ok := static(p["ClusterName"]); ok && r.Type != "AWS::EKS::Cluster" {
			used = append(used, cluster(n))
		}
		if arn, ok := static(p["PrincipalArn"]); ok {
			if _, _, isRole := roleOf(arn); isRole {
				used = append(used, "IAM role "+arn)
			}
		}
		walkImports(p, func(arg any) {
			if n, ok := static(arg); ok {
				used = append(used, "export "+n+" in "+env)
			}
		})
	}
	sort.Strings(used)
	return made, used
}

func isSSMType(typ string) bool {
	return len(typ) > len("AWS::SSM::Parameter::Value<") && typ[:len("AWS::SSM::Parameter::Value<")] == "AWS::SSM::Parameter::Value<"
}

// walkImports calls f with the argument of every Fn::ImportValue in v.
func walkImports(v any, f func(arg any)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkImports(e, f)
		}
	case map[string]any:
		if arg, ok := x["Fn::ImportValue"]; ok && len(x) == 1 {
			f(arg)
			return
		}
		for _, e := range x {
			walkImports(e, f)
		}
	}
}
