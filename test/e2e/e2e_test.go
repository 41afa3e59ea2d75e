package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/plan"
)

var (
	platformFlag = flag.String("platform", "", "the platform repository to run (default: the sample of this repository); also $PLATFORM")
	keepFlag     = flag.Bool("keep", false, "keep the run's folder (logs, etcd, git) after the test")
	holdFlag     = flag.Bool("hold", false, "on a failure, keep every program running until interrupted, to look into the clusters (kubeconfigs in the run's folder)")
)

// TestPlatform runs the scenario of README.md on one platform: bootstrap,
// a tenant's change, a new tenant, a tenant leaving a cluster, a refused
// escape from a tenant's project, and a blue/green upgrade of the first
// cluster, each published with platformc publish and checked on the API
// servers.
func TestPlatform(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	src := *platformFlag
	if src == "" {
		src = os.Getenv("PLATFORM")
	}
	if src == "" {
		src = repo
	}
	if src, err = filepath.Abs(src); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "platformc-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	ctx := t.Context()
	m, err := load.Load(os.DirFS(src))
	if err != nil {
		t.Fatalf("the platform at %s: %v", src, err)
	}
	w, err := start(ctx, config{repo: repo, dir: dir, cache: filepath.Join(repo, "test", "e2e", ".bin"), log: os.Stderr,
		name: m.Config.Name, argo: m.Config.ArgoCD})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			fmt.Fprintf(os.Stderr, "e2e: the controllers' last lines:\n%s\ne2e: AWS refusals:\n%s\n", w.procs.tails(15), w.aws.RefusalReport(20))
			if *holdFlag {
				fmt.Fprintf(os.Stderr, "e2e: holding: %s/bin/kubectl --kubeconfig %s/<cluster>/admin.kubeconfig; interrupt to end\n", dir, dir)
				sig := make(chan os.Signal, 1)
				signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
				<-sig
			}
		}
		w.stop()
		if t.Failed() || *keepFlag {
			fmt.Fprintf(os.Stderr, "e2e: the run's folder is kept: %s\n", dir)
		} else {
			os.RemoveAll(dir)
		}
	})
	s := &scenario{w: w, t: t}
	if s.p, err = newPlatform(ctx, repo, src, filepath.Join(dir, "platform"), filepath.Join(dir, "bin"), append(w.procs.env,
		"PLATFORMC_CACHE="+filepath.Join(dir, "platformc-cache"),
		"PLATFORMC_GIT_TOKEN="+w.git.Token,
		"GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com",
	)); err != nil {
		t.Fatal(err)
	}
	w.platform = s.p
	fmt.Fprintf(os.Stderr, "e2e: ready in %s\n", time.Since(began).Round(time.Second))

	for _, step := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"bootstrap", s.bootstrap},
		{"change a tenant", s.changeTenant},
		{"add a tenant", s.addTenant},
		{"remove a tenant from a cluster", s.leaveCluster},
		{"remove a tenant", s.removeTenant},
		{"refuse escapes from a tenant's project", s.refuseEscapes},
		{"upgrade a cluster blue/green", s.upgrade},
	} {
		stepBegan := time.Now()
		fmt.Fprintf(os.Stderr, "e2e: step %q\n", step.name)
		var skip errSkip
		if err := step.run(ctx); errors.As(err, &skip) {
			fmt.Fprintf(os.Stderr, "e2e: step %q %v\n", step.name, err)
			continue
		} else if err != nil {
			t.Fatalf("step %q: %v", step.name, err)
		}
		fmt.Fprintf(os.Stderr, "e2e: step %q done in %s\n", step.name, time.Since(stepBegan).Round(time.Second))
	}
	fmt.Fprintf(os.Stderr, "e2e: %d control planes started, %d applications synced, %d objects checked, in %s\n",
		s.controlPlanes, s.appsSynced, s.objectsChecked, time.Since(began).Round(time.Second))
}

// scenario is the state of TestPlatform's steps.
type scenario struct {
	w    *world
	t    *testing.T
	p    *platform
	live string // the commit delivered last: the base of the next plan

	controlPlanes, appsSynced, objectsChecked int
}

// model loads the platform of the working copy.
func (s *scenario) model() (*model.Platform, error) {
	return load.Load(os.DirFS(s.p.dir))
}

// deliver does what CI does after a merge (docs/ci/platformc-ci.sh):
// build, then each step of platformc plan against the revision delivered
// last, in its order: deploy the stacks it names; publish the manifests
// and wait until Argo CD has applied that revision everywhere, checking
// every object of out/ on its cluster; drain, which that wait already
// did (an Application whose ApplicationSet lets it go is deleted only
// once what it applied is gone: its finalizer); destroy the stacks it
// names. It returns the plan.
func (s *scenario) deliver(ctx context.Context, change string) (plan.Plan, error) {
	var p plan.Plan
	if _, err := s.p.run(ctx, "build"); err != nil {
		return p, err
	}
	if err := s.p.commit(change); err != nil {
		return p, err
	}
	out, err := s.p.run(ctx, "plan", "--base", s.live, "--format", "json")
	if err != nil {
		return p, err
	}
	if i := strings.Index(out, "{"); i >= 0 {
		out = out[i:]
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		return p, fmt.Errorf("platformc plan --format json: %w", err)
	}
	converged := false
	for _, st := range p.Steps {
		fmt.Fprintf(os.Stderr, "e2e: plan: %s %s\n", st.Action, strings.Join(append(st.Stacks, shorten(st.Paths)...), " "))
		switch st.Action {
		case plan.Deploy:
			err = s.w.deployStacks(ctx, st.Stacks...)
		case plan.Publish:
			if out, err = s.p.run(ctx, "publish", "--repo", s.w.git.URL); err == nil {
				fmt.Fprintf(os.Stderr, "e2e: %s", out)
				err, converged = s.converge(ctx), true
			}
		case plan.Drain:
			if !converged {
				err = fmt.Errorf("a drain before the publish")
			}
		case plan.Destroy:
			for _, name := range st.Stacks {
				if err = s.w.stacks.Destroy(ctx, name); err != nil {
					break
				}
			}
		default:
			err = fmt.Errorf("unknown action %q", st.Action)
		}
		if err != nil {
			return p, fmt.Errorf("plan step %s: %w", st.Action, err)
		}
	}
	if !converged {
		if err := s.converge(ctx); err != nil {
			return p, err
		}
	}
	s.live, err = s.p.head()
	return p, err
}

// shorten shortens a list of paths for the log.
func shorten(paths []string) []string {
	if len(paths) > 3 {
		return append(slices.Clone(paths[:3]), fmt.Sprintf("and %d more paths", len(paths)-3))
	}
	return paths
}

// steps returns the plan's steps of an action.
func steps(p plan.Plan, action string) []plan.Step {
	return slices.DeleteFunc(slices.Clone(p.Steps), func(s plan.Step) bool { return s.Action != action })
}

// converge waits for Argo CD to apply what is published and checks it.
func (s *scenario) converge(ctx context.Context) error {
	rev, err := s.w.git.head()
	if err != nil {
		return err
	}
	if err := s.w.refreshApps(ctx); err != nil {
		return err
	}
	want, err := expectedApps(s.p.path("out"))
	if err != nil {
		return err
	}
	if err := s.w.waitApps(ctx, want, rev); err != nil {
		return err
	}
	s.appsSynced = max(s.appsSynced, len(want))
	n, err := s.w.checkObjects(ctx, s.p.path("out"), want)
	s.objectsChecked += n
	s.controlPlanes = max(s.controlPlanes, len(s.w.generations())+1)
	return err
}

func (s *scenario) bootstrap(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	if err := editCUE(s.p.path(load.PlatformFile), []string{"platform", "repo", "url"}, strconv.Quote(s.w.git.URL)); err != nil {
		return err
	}
	if err := s.deliverFirst(ctx, m); err != nil {
		return err
	}
	if err := s.w.checkAWSWiring(ctx, m); err != nil {
		return err
	}
	for _, t := range m.Tenants {
		if err := s.w.checkDeployments(ctx, m, t.Name); err != nil {
			return err
		}
	}
	roles, err := s.w.checkWorkloadRoles(ctx, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e: %d workload IAM roles: assumed by their own service accounts only, allowing what their access levels need\n", roles)
	return s.w.checkTenants(ctx, m)
}

// deliverFirst is the first delivery: the stacks, the tenants' secret
// values (their owners put them in AWS), the manifests, and then the one
// "kubectl apply -k out/bootstrap" of the platform's README.
func (s *scenario) deliverFirst(ctx context.Context, m *model.Platform) error {
	if _, err := s.p.run(ctx, "build"); err != nil {
		return err
	}
	if err := s.p.commit("point the platform at the e2e git server"); err != nil {
		return err
	}
	if err := s.w.deployStacks(ctx); err != nil {
		return err
	}
	if err := s.w.putSecretValues(m); err != nil {
		return err
	}
	if _, err := s.p.run(ctx, "publish", "--repo", s.w.git.URL); err != nil {
		return err
	}
	objs, err := kustomizeBuild(s.p.path("out/bootstrap"))
	if err != nil {
		return err
	}
	if err := s.w.mgmt.apply(ctx, objs); err != nil {
		return err
	}
	if s.live, err = s.p.head(); err != nil {
		return err
	}
	return s.converge(ctx)
}

// changeTenant changes a tenant's replicas and, with platformc set image,
// an image; each generation of its clusters then runs the new Deployment.
func (s *scenario) changeTenant(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	t, svc := firstService(m)
	if svc == nil {
		return errSkip("no tenant has a service")
	}
	image := svc.Image + "-e2e"
	if _, err := s.p.run(ctx, "set", "image", t.Name, svc.Name, image); err != nil {
		return err
	}
	file := s.p.path("tenants/" + t.Name + ".cue")
	if err := editCUE(file, []string{"tenants", t.Name, "services", svc.Name, "replicas"}, strconv.Itoa(svc.Replicas+1)); err != nil {
		return err
	}
	if _, err := s.deliver(ctx, "tenant "+t.Name+": more replicas, a new image"); err != nil {
		return err
	}
	if m, err = s.model(); err != nil {
		return err
	}
	return s.w.checkDeployments(ctx, m, t.Name)
}

// addTenant adds a tenant with platformc new tenant and gives it a copy of
// the first tenant's first service: its namespace, guard rails, secret
// store and workload appear on its clusters.
func (s *scenario) addTenant(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	_, svc := firstService(m)
	if _, err := s.p.run(ctx, "new", "tenant", newTenant); err != nil {
		return err
	}
	if svc != nil {
		file := s.p.path("tenants/" + newTenant + ".cue")
		fields := map[string]string{"image": strconv.Quote(svc.Image), "replicas": "2"}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if err := editCUE(file, []string{"tenants", newTenant, "services", "web", k}, fields[k]); err != nil {
				return err
			}
		}
	}
	if _, err := s.deliver(ctx, "a new tenant: "+newTenant); err != nil {
		return err
	}
	if m, err = s.model(); err != nil {
		return err
	}
	if err := s.w.checkDeployments(ctx, m, newTenant); err != nil {
		return err
	}
	return s.w.checkTenants(ctx, m)
}

// newTenant is the tenant addTenant creates.
const newTenant = "e2e-new"

// leaveCluster removes a tenant from the last of its clusters. Before
// publishing, platformc diff says which objects go from that cluster; once
// Argo CD has applied the change, exactly those are gone from its
// generations (all of them, namespace included, when diff says the
// namespace goes), and the tenant's other clusters keep everything.
func (s *scenario) leaveCluster(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	var t *model.Tenant
	for _, x := range m.Tenants {
		if len(x.Clusters) >= 2 && x.Name != newTenant {
			t = x
			break
		}
	}
	if t == nil {
		return errSkip("no tenant is on two clusters")
	}
	leaving := t.Clusters[len(t.Clusters)-1].Name
	var keep []string
	for _, c := range t.Clusters[:len(t.Clusters)-1] {
		keep = append(keep, strconv.Quote(c.Name))
	}
	file := s.p.path("tenants/" + t.Name + ".cue")
	if err := editCUE(file, []string{"tenants", t.Name, "clusters"}, "["+strings.Join(keep, ", ")+"]"); err != nil {
		return err
	}
	// An override for the cluster left would now be refused.
	for _, svc := range t.Services {
		if svc.Override(leaving) != nil {
			if err := editCUE(file, []string{"tenants", t.Name, "services", svc.Name, "overrides", leaving}, ""); err != nil {
				return err
			}
		}
	}
	removed, err := s.removedByDiff(ctx)
	if err != nil {
		return err
	}
	p, err := s.deliver(ctx, "tenant "+t.Name+" leaves "+leaving)
	if err != nil {
		return err
	}
	if drains := steps(p, plan.Drain); len(drains) != 1 || !strings.Contains(drains[0].Reason, "tenant "+t.Name+" leaves cluster "+leaving) {
		return fmt.Errorf("the plan does not drain %s from %s: %+v", t.Name, leaving, p.Steps)
	}
	gens := m.Cluster(leaving).Generations()
	for _, g := range gens {
		if len(removed[g.Name()]) == 0 {
			return fmt.Errorf("platformc diff says nothing goes from %s", g.Name())
		}
		if err := s.w.waitGone(ctx, g.Name(), removed[g.Name()]); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: %s left %s: the %d objects platformc diff listed are gone\n", t.Name, leaving, len(removed[gens[0].Name()]))
	if m, err = s.model(); err != nil {
		return err
	}
	return s.w.checkTenants(ctx, m)
}

// removedByDiff returns, by generation, the objects that platformc diff
// (of the work tree against HEAD) says are removed from it.
func (s *scenario) removedByDiff(ctx context.Context) (map[string][]objectRef, error) {
	out, err := s.p.run(ctx, "diff", "--base", "HEAD", "--format", "json")
	if err != nil {
		return nil, err
	}
	var d struct {
		Changes []struct {
			Unit, Action string
			Object       objectRef
		}
	}
	if i := strings.Index(out, "{"); i >= 0 {
		out = out[i:]
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		return nil, fmt.Errorf("platformc diff --format json: %w", err)
	}
	removed := map[string][]objectRef{}
	for _, c := range d.Changes {
		if c.Action != "removed" || strings.HasPrefix(c.Unit, "cdk/") || strings.HasPrefix(c.Unit, "argocd") {
			continue
		}
		gen := c.Unit[strings.LastIndex(c.Unit, "/")+1:]
		removed[gen] = append(removed[gen], c.Object)
	}
	return removed, nil
}

// refuseEscapes pushes to the manifest repository, past platformc, a
// tenant overlay that tries to leave its confinement: a ResourceQuota and
// a RoleBinding in its namespace, and an object in another namespace.
// Argo CD must refuse the sync (the tenant's project forbids each), none
// of them may exist afterwards, and platformc publish restores the
// repository.
func (s *scenario) refuseEscapes(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	t, _ := firstService(m)
	if t == nil {
		t = m.Tenants[0]
	}
	gen := m.Cluster(t.Clusters[0].Name).Generations()[0].Name()
	other := "kube-system"
	for _, x := range m.Tenants {
		if x.Name != t.Name {
			other = x.Namespace()
			break
		}
	}
	escapes := []objectRef{
		{APIVersion: "v1", Kind: "ResourceQuota", Namespace: t.Namespace(), Name: "e2e-escape"},
		{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding", Namespace: t.Namespace(), Name: "e2e-escape"},
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: other, Name: "e2e-escape"},
	}
	overlay := "tenants/" + t.Name + "/app/overlays/" + gen
	if err := s.w.git.pushEscape(s.w.cfg.dir, overlay, escapes); err != nil {
		return err
	}
	if err := s.w.refreshApps(ctx); err != nil {
		return err
	}
	app := t.Name + "-" + gen
	if err := s.w.waitRefused(ctx, app, escapes); err != nil {
		return err
	}
	cp := s.w.cluster(gen)
	for _, e := range escapes {
		if _, err := cp.getRef(ctx, e); err == nil {
			return fmt.Errorf("%s %s/%s exists on %s: Argo CD applied what the project forbids", e.Kind, e.Namespace, e.Name, gen)
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: Argo CD refused %d escapes from project %s\n", len(escapes), t.Name)
	out, err := s.p.run(ctx, "publish", "--repo", s.w.git.URL)
	if err != nil {
		return err
	}
	if !strings.Contains(out, "published") {
		return fmt.Errorf("publish did not restore the repository:\n%s", out)
	}
	return s.converge(ctx)
}

// upgrade bumps the first cluster's Kubernetes version to the next one
// of the versions table: a green generation's stacks start a new control
// plane, Argo CD registers it and deploys every tenant there; traffic 100
// moves the CronJobs to green; retire drains blue (its tenants'
// Applications and namespaces go, its registration stays); removing the
// upgrade block removes its registration, and the plan destroys its
// stacks, which stops its control plane.
func (s *scenario) upgrade(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	c := m.Clusters[0]
	next := nextVersion(m, c.Version)
	if next == "" {
		return errSkip("no Kubernetes version after " + c.Version + " in the versions table")
	}
	blue := c.Generations()[0].Name()
	file := s.p.path("clusters/" + c.Name + ".cue")
	if err := editCUE(file, []string{"clusters", c.Name, "kubernetes", "version"}, strconv.Quote(next)); err != nil {
		return err
	}
	if _, err := s.deliver(ctx, "cluster "+c.Name+": Kubernetes "+next); err != nil {
		return err
	}
	if m, err = s.model(); err != nil {
		return err
	}
	c = m.Cluster(c.Name)
	gens := c.Generations()
	if len(gens) != 2 {
		return fmt.Errorf("%s has generations %v after the bump, want blue and green", c.Name, gens)
	}
	green := gens[1].Name()
	if s.w.cluster(green) == nil {
		return fmt.Errorf("no control plane for %s: its stack did not create the cluster", green)
	}
	if err := s.w.checkTenants(ctx, m); err != nil {
		return err
	}
	for _, t := range m.Tenants {
		if t.PlacedOn(c.Name) {
			if err := s.w.checkDeployments(ctx, m, t.Name); err != nil {
				return err
			}
		}
	}
	if err := s.w.checkJobs(ctx, m, c.Name, blue); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e: green %s serves beside blue %s\n", green, blue)

	if err := editCUE(file, []string{"clusters", c.Name, "upgrade", "traffic"}, "100"); err != nil {
		return err
	}
	if _, err := s.deliver(ctx, "cluster "+c.Name+": all traffic on "+green); err != nil {
		return err
	}
	if err := s.w.checkJobs(ctx, m, c.Name, green); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e: CronJobs run on %s only\n", green)

	if err := editCUE(file, []string{"clusters", c.Name, "upgrade", "retire"}, "true"); err != nil {
		return err
	}
	p, err := s.deliver(ctx, "cluster "+c.Name+": retire "+blue)
	if err != nil {
		return err
	}
	if drains := steps(p, plan.Drain); len(drains) != 1 || !strings.Contains(drains[0].Reason, "generation "+blue+" retires") || len(steps(p, plan.Destroy)) > 0 {
		return fmt.Errorf("the plan of the retire does not drain %s alone and destroy nothing: %+v", blue, p.Steps)
	}
	reg, err := s.w.mgmt.Client.CoreV1().Secrets(s.w.cfg.argo.Namespace).Get(ctx, "cluster-"+blue, metav1.GetOptions{})
	if err != nil || reg.Labels["platformc.io/retiring"] != "true" {
		return fmt.Errorf("the registration of %s is not kept, labelled retiring, while it drains: %v", blue, err)
	}
	var namespaces []objectRef
	for _, t := range m.Tenants {
		if t.PlacedOn(c.Name) {
			namespaces = append(namespaces, objectRef{APIVersion: "v1", Kind: "Namespace", Name: t.Namespace()})
		}
	}
	if err := s.w.waitGone(ctx, blue, namespaces); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e: %s drained: registered, its %d tenant namespaces and their Applications gone\n", blue, len(namespaces))

	if err := editCUE(file, []string{"clusters", c.Name, "upgrade"}, ""); err != nil {
		return err
	}
	if p, err = s.deliver(ctx, "cluster "+c.Name+": "+blue+" retired"); err != nil {
		return err
	}
	destroyed := steps(p, plan.Destroy)
	if len(destroyed) != 1 || !slices.Contains(destroyed[0].Stacks, m.Config.Name+"-"+blue) {
		return fmt.Errorf("the plan does not destroy the stack of %s: %+v", blue, p.Steps)
	}
	if _, err := s.w.mgmt.Client.CoreV1().Secrets(s.w.cfg.argo.Namespace).Get(ctx, "cluster-"+blue, metav1.GetOptions{}); err == nil {
		return fmt.Errorf("the registration of %s is still on the management cluster", blue)
	}
	if s.w.cluster(blue) != nil {
		return fmt.Errorf("the control plane of %s still runs: its stack was not destroyed", blue)
	}
	fmt.Fprintf(os.Stderr, "e2e: %s retired: registration gone, stacks %s destroyed\n", blue, strings.Join(destroyed[0].Stacks, ", "))
	return nil
}

// removeTenant removes the tenant that addTenant made, file and all. The
// plan drains it and then destroys its stacks; afterwards nothing of it is
// left: no namespace on any generation, no Application or project, no
// IAM role; only its Secrets Manager secret, which is retained.
func (s *scenario) removeTenant(ctx context.Context) error {
	m, err := s.model()
	if err != nil {
		return err
	}
	var t *model.Tenant
	for _, x := range m.Tenants {
		if x.Name == newTenant {
			t = x
		}
	}
	if t == nil {
		return errSkip("no tenant " + newTenant)
	}
	if err := os.Remove(s.p.path("tenants/" + newTenant + ".cue")); err != nil {
		return err
	}
	p, err := s.deliver(ctx, "remove tenant "+newTenant)
	if err != nil {
		return err
	}
	if drains := steps(p, plan.Drain); len(drains) != 1 || !strings.Contains(drains[0].Reason, "tenant "+newTenant+" leaves the platform") || len(steps(p, plan.Destroy)) != 1 {
		return fmt.Errorf("the plan does not drain %s, then destroy its stacks: %+v", newTenant, p.Steps)
	}
	for _, ref := range t.Clusters {
		for _, g := range m.Cluster(ref.Name).Serving() {
			if err := s.w.waitGone(ctx, g.Name(), []objectRef{{APIVersion: "v1", Kind: "Namespace", Name: t.Namespace()}}); err != nil {
				return err
			}
		}
	}
	for _, r := range []objectRef{
		{APIVersion: "argoproj.io/v1alpha1", Kind: "AppProject", Namespace: s.w.cfg.argo.Namespace, Name: newTenant},
		{APIVersion: "argoproj.io/v1alpha1", Kind: "ApplicationSet", Namespace: s.w.cfg.argo.Namespace, Name: newTenant},
	} {
		if _, err := s.w.mgmt.getRef(ctx, r); err == nil {
			return fmt.Errorf("%s is still on the management cluster", r)
		}
	}
	for _, env := range tenantEnvironments(m, t) {
		ts := naming.Secret(m, t, env)
		if _, ok := s.w.aws.Role(ts.Account, ts.RoleName); ok {
			return fmt.Errorf("the IAM role %s of removed tenant %s is still there", ts.RoleName, newTenant)
		}
		if _, ok := s.w.aws.Secret(ts.Account, ts.Region, ts.Name); !ok {
			return fmt.Errorf("the secret %s of removed tenant %s was deleted: it must be retained", ts.Name, newTenant)
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: %s removed: nothing of it is left but its retained secret\n", newTenant)
	return nil
}

// nextVersion returns the least Kubernetes version of the versions table
// after v, or "".
func nextVersion(m *model.Platform, v string) string {
	minor := func(s string) int {
		_, n, _ := strings.Cut(s, ".")
		i, _ := strconv.Atoi(n)
		return i
	}
	best := ""
	for x := range m.Versions {
		if minor(x) > minor(v) && (best == "" || minor(x) < minor(best)) {
			best = x
		}
	}
	return best
}

// firstService returns the first tenant that has a service, and that
// service.
func firstService(m *model.Platform) (*model.Tenant, *model.Service) {
	for _, t := range m.Tenants {
		if len(t.Services) > 0 {
			return t, t.Services[0]
		}
	}
	return nil, nil
}

// errSkip says that the platform under test has nothing a step needs.
type errSkip string

func (e errSkip) Error() string { return "skipped: " + string(e) }
