package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/test/e2e/internal/cfn"
)

// notSelected is a key that every tenant secret holds in AWS and no
// ExternalSecret selects: it must never reach a cluster.
const notSelected = "E2E_NOT_SELECTED"

// secretValue is the value the test puts in AWS for a key of a tenant's
// secret.
func secretValue(tenant, key string) string { return "e2e-" + tenant + "-" + key }

// putSecretValues puts in each tenant's AWS secret a value for every key
// the tenant declares, and one more that nothing selects: what the
// tenant's owners do in AWS before they list a key in their file.
func (w *world) putSecretValues(m *model.Platform) error {
	for _, t := range m.Tenants {
		values := map[string]string{notSelected: "must not be read"}
		for _, sec := range t.Secrets {
			for _, k := range sec.Keys {
				values[k] = secretValue(t.Name, k)
			}
		}
		b, err := json.Marshal(values)
		if err != nil {
			return err
		}
		for _, env := range tenantEnvironments(m, t) {
			ts := naming.Secret(m, t, env)
			if err := w.aws.PutSecretValue(ts.Account, ts.Region, ts.Name, string(b)); err != nil {
				return fmt.Errorf("tenant %s: %w", t.Name, err)
			}
		}
	}
	return nil
}

// tenantEnvironments returns the environments of the tenant's clusters.
func tenantEnvironments(m *model.Platform, t *model.Tenant) []string {
	envs := map[string]bool{}
	for _, c := range t.Clusters {
		if cl := m.Cluster(c.Name); cl != nil {
			envs[cl.Environment] = true
		}
	}
	return slices.Sorted(maps.Keys(envs))
}

// checkTenants waits until, on every generation of every tenant's
// clusters, the tenant's SecretStore is Ready, each of its ExternalSecrets
// has synced, and each target Secret holds exactly the keys the
// ExternalSecret selects, with the values in AWS.
func (w *world) checkTenants(ctx context.Context, m *model.Platform) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		var waiting []string
		for _, t := range m.Tenants {
			for _, ref := range t.Clusters {
				c := m.Cluster(ref.Name)
				for _, g := range c.Serving() {
					if why := w.checkTenantOn(ctx, t, g.Name()); why != "" {
						waiting = append(waiting, fmt.Sprintf("%s on %s: %s", t.Name, g.Name(), why))
					}
				}
			}
		}
		sort.Strings(waiting)
		return len(waiting) == 0, strings.Join(waiting, "\n  "), nil
	})
}

func (w *world) checkTenantOn(ctx context.Context, t *model.Tenant, gen string) string {
	cp := w.cluster(gen)
	if cp == nil {
		return "no such cluster"
	}
	ns := t.Namespace()
	store, err := cp.Dynamic.Resource(secretStoreResource).Namespace(ns).Get(ctx, "aws-secrets-manager", metav1.GetOptions{})
	if err != nil {
		return err.Error()
	}
	if condition(store, "Ready") != "True" {
		return "SecretStore not ready: " + conditionMessage(store, "Ready")
	}
	list, err := cp.Dynamic.Resource(externalSecretResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	if len(list.Items) != len(t.Secrets) {
		return fmt.Sprintf("%d ExternalSecrets, want %d", len(list.Items), len(t.Secrets))
	}
	for i := range list.Items {
		es := &list.Items[i]
		if condition(es, "Ready") != "True" {
			return fmt.Sprintf("ExternalSecret %s not synced: %s", es.GetName(), conditionMessage(es, "Ready"))
		}
		target, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
		sec, err := cp.Client.CoreV1().Secrets(ns).Get(ctx, target, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		data, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
		want := map[string]string{}
		for _, d := range data {
			key, _, _ := unstructured.NestedString(d.(map[string]any), "secretKey")
			prop, _, _ := unstructured.NestedString(d.(map[string]any), "remoteRef", "property")
			want[key] = secretValue(t.Name, prop)
		}
		got := map[string]string{}
		for k, v := range sec.Data {
			got[k] = string(v)
		}
		if !maps.Equal(got, want) {
			return fmt.Sprintf("Secret %s holds %v, want %v", target, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	}
	return ""
}

func conditionMessage(u *unstructured.Unstructured, typ string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ {
			return fmt.Sprintf("%v: %v", m["reason"], m["message"])
		}
	}
	return "no condition " + typ
}

// deployStacks deploys the named stacks of the CDK app and those they
// depend on (every stack when none is named, as "cdk deploy --all"), into
// accounts and regions that "cdk bootstrap" prepared.
func (w *world) deployStacks(ctx context.Context, names ...string) error {
	assembly := w.platform.path("out/cdk")
	if w.stacks == nil {
		a, err := cfn.ReadAssembly(assembly)
		if err != nil {
			return err
		}
		for _, s := range a.Stacks {
			if err := cfn.Bootstrap(w.aws, s.Account, s.Region); err != nil {
				return err
			}
			if err := w.hostedZones(s); err != nil {
				return err
			}
		}
		if w.stacks, err = cfn.NewDeployer(w.aws, assembly, w); err != nil {
			return err
		}
	}
	return w.stacks.Deploy(ctx, names...)
}

// deployed reports whether a stack is deployed.
func (w *world) deployed(name string) bool {
	return slices.ContainsFunc(w.stacks.Stacks(), func(s cfn.StackInfo) bool { return s.Name == name })
}

// checkDeployments waits until every generation of the tenant's clusters
// runs each of its services' Deployments with the replicas and image the
// platform gives it there.
func (w *world) checkDeployments(ctx context.Context, m *model.Platform, tenant string) error {
	var t *model.Tenant
	for _, x := range m.Tenants {
		if x.Name == tenant {
			t = x
		}
	}
	if t == nil {
		return fmt.Errorf("no tenant %s", tenant)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		for _, ref := range t.Clusters {
			for _, g := range m.Cluster(ref.Name).Serving() {
				cp := w.cluster(g.Name())
				if cp == nil {
					return false, "no cluster " + g.Name(), nil
				}
				for _, svc := range t.Services {
					want := svc.On(ref.Name)
					d, err := cp.Client.AppsV1().Deployments(t.Namespace()).Get(ctx, svc.Name, metav1.GetOptions{})
					if err != nil {
						return false, fmt.Sprintf("%s: %v", g.Name(), err), nil
					}
					got := int(*d.Spec.Replicas)
					image := d.Spec.Template.Spec.Containers[0].Image
					// An autoscaler brings the Deployment to its minimum,
					// and Argo CD leaves it there.
					replicas := want.Replicas
					if want.Autoscaling != nil {
						replicas = want.Autoscaling.Min
					}
					if got != replicas || image != want.Image {
						return false, fmt.Sprintf("%s: Deployment %s/%s has %d replicas of %s, want %d of %s",
							g.Name(), t.Name, svc.Name, got, image, replicas, want.Image), nil
					}
				}
			}
		}
		return true, "", nil
	})
}

// checkJobs waits until the tenants' CronJobs on the cluster's
// generations run (are not suspended) on active only.
func (w *world) checkJobs(ctx context.Context, m *model.Platform, cluster, active string) error {
	c := m.Cluster(cluster)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	return poll(ctx, 2*time.Second, func() (bool, string, error) {
		for _, t := range m.Tenants {
			if !t.PlacedOn(cluster) {
				continue
			}
			for _, g := range c.Serving() {
				cp := w.cluster(g.Name())
				if cp == nil {
					return false, "no cluster " + g.Name(), nil
				}
				for _, j := range t.Jobs {
					cj, err := cp.Client.BatchV1().CronJobs(t.Namespace()).Get(ctx, j.Name, metav1.GetOptions{})
					if err != nil {
						return false, fmt.Sprintf("%s: %v", g.Name(), err), nil
					}
					suspended := cj.Spec.Suspend != nil && *cj.Spec.Suspend
					if want := g.Name() != active || j.Suspend; suspended != want {
						return false, fmt.Sprintf("%s: CronJob %s/%s suspended=%t, want %t", g.Name(), t.Name, j.Name, suspended, want), nil
					}
				}
			}
		}
		return true, "", nil
	})
}

// hostedZones puts the SSM parameters that name the platform's Route53
// hosted zones (/<platform>/dns/<zone>/hosted-zone-id), which the DNS
// stacks read: the platform team writes them with the zones (README.md).
func (w *world) hostedZones(s *cfn.Stack) error {
	b, err := os.ReadFile(s.TemplateFile)
	if err != nil {
		return err
	}
	var t struct {
		Parameters map[string]struct{ Type, Default string }
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("%s: %w", s.TemplateFile, err)
	}
	for _, p := range t.Parameters {
		if p.Type != "AWS::SSM::Parameter::Value<String>" || !strings.Contains(p.Default, "/dns/") || !strings.HasSuffix(p.Default, "/hosted-zone-id") {
			continue
		}
		if _, ok := w.aws.Parameter(s.Account, s.Region, p.Default); ok {
			continue
		}
		sum := sha256.Sum256([]byte(p.Default))
		if err := w.aws.PutParameter(s.Account, s.Region, p.Default, "Z"+strings.ToUpper(hex.EncodeToString(sum[:8]))); err != nil {
			return err
		}
	}
	return nil
}
