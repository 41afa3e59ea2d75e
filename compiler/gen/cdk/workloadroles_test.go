package cdk

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestWorkloadRolesIsolated asserts, for the sample and a synthetic
// platform of 300 tenants, that no workload's IAM role reaches an AWS
// resource another tenant may name: every resource of every statement is
// one its tenant owns (by name) or is granted, in the account (and, but
// for S3, the region) of the stack's environment; only the workload's own
// service account may assume the role; and each workload with AWS access
// has exactly one role per environment, with exactly what its access
// levels need.
func TestWorkloadRolesIsolated(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"sample":    os.DirFS(filepath.Join("..", "..", "..")),
		"synthetic": synth.New(synth.Config{Tenants: 300, Clusters: 3, Seed: 1}).FS(),
	} {
		t.Run(name, func(t *testing.T) {
			p, err := load.Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			stacks, err := Plan(p)
			if err != nil {
				t.Fatal(err)
			}
			tenants := map[string]*model.Tenant{}
			for _, tn := range p.Tenants {
				tenants[tn.Name] = tn
			}
			roles, granted := 0, 0
			for _, s := range stacks {
				spec, ok := s.spec.(TenantSpec)
				if !ok {
					continue
				}
				tn := tenants[spec.Tenant]
				env := strings.TrimPrefix(strings.TrimSuffix(s.Name, "-"+tn.Name), p.Config.Name+"-")
				var want []string
				for _, w := range tn.Workloads() {
					if len(w.AWS) > 0 {
						want = append(want, w.Name)
					}
				}
				var got []string
				for _, r := range spec.Workloads {
					got = append(got, r.Workload)
					w := workloadNamed(tn, r.Workload)
					if name, _ := naming.WorkloadRole(p, tn, w, env); r.Name != name || r.Subject != "system:serviceaccount:"+tn.Namespace()+":"+w.ServiceAccount() {
						t.Errorf("%s: role %s assumed by %s, want %s by the workload's service account", s.Name, r.Name, r.Subject, name)
					}
					var need []Statement
					for _, a := range w.AWS {
						need = append(need, accessStatements(a, s.Account, s.Region)...)
						if p.ResourceOwners().Of(a.Name) != tn.Name {
							granted++
						}
					}
					if !slices.EqualFunc(r.Statements, need, func(a, b Statement) bool {
						return slices.Equal(a.Actions, b.Actions) && slices.Equal(a.Resources, b.Resources) && a.Account == b.Account
					}) {
						t.Errorf("%s: role %s allows %v, want %v", s.Name, r.Name, r.Statements, need)
					}
					for _, st := range r.Statements {
						for _, res := range st.Resources {
							service, resource := resourceOf(t, res, s.Account, s.Region, st.Account)
							if !mayName(p, tn, service, resource) {
								t.Errorf("%s: role %s reaches %s %s, which tenant %s may not name", s.Name, r.Name, service, resource, tn.Name)
							}
						}
					}
					roles++
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: roles for %v, want %v", s.Name, got, want)
				}
			}
			if roles == 0 || granted == 0 {
				t.Errorf("%d workload roles, %d granted resources: the property is not exercised", roles, granted)
			}
		})
	}
}

// mayName is the rule, written again here: a tenant may name a resource
// that begins with its name and "-", unless a tenant of a longer such name
// exists, or one that platform.cue grants it.
func mayName(p *model.Platform, tn *model.Tenant, service, resource string) bool {
	if slices.Contains(p.Config.Grants[service][resource], tn.Name) {
		return true
	}
	if !strings.HasPrefix(resource, tn.Name+"-") {
		return false
	}
	return !slices.ContainsFunc(p.Tenants, func(u *model.Tenant) bool {
		return len(u.Name) > len(tn.Name) && strings.HasPrefix(resource, u.Name+"-")
	})
}

func workloadNamed(tn *model.Tenant, name string) *model.Workload {
	for _, w := range tn.Workloads() {
		if w.Name == name {
			return w
		}
	}
	return nil
}

// resourceOf reads the service and the resource's name from an ARN,
// failing the test for an ARN outside the account (and region) of the
// stack, or an S3 statement not bound to the account.
func resourceOf(t *testing.T, arn, account, region, s3Account string) (service, name string) {
	t.Helper()
	part := naming.Partition(region)
	switch {
	case strings.HasPrefix(arn, "arn:"+part+":s3:::"):
		if s3Account != account {
			t.Errorf("%s: not bound to account %s (s3:ResourceAccount %q)", arn, account, s3Account)
		}
		name, _, _ = strings.Cut(strings.TrimPrefix(arn, "arn:"+part+":s3:::"), "/")
		return model.S3, name
	case strings.HasPrefix(arn, "arn:"+part+":sqs:"+region+":"+account+":"):
		return model.SQS, strings.TrimPrefix(arn, "arn:"+part+":sqs:"+region+":"+account+":")
	case strings.HasPrefix(arn, "arn:"+part+":dynamodb:"+region+":"+account+":table/"):
		name, _, _ = strings.Cut(strings.TrimPrefix(arn, "arn:"+part+":dynamodb:"+region+":"+account+":table/"), "/")
		return model.DynamoDB, name
	}
	t.Errorf("%s: outside account %s in %s", arn, account, region)
	return "", ""
}
