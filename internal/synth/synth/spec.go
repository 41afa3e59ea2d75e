// Package synth builds synthetic platforms — platform.cue, clusters/*.cue
// and tenants/*.cue — of any size, for benchmarks and for tests that need
// many tenants. A platform is generated as a plain Go description (Platform)
// and rendered to CUE (Files); the description can be edited (tenants and
// clusters added, removed or changed) and rendered again, and every
// rendering is a valid platform: the constraints that span files (accounts
// of environments, dedicated clusters, ingress hosts in the cluster's zone
// and unique per cluster) are derived at rendering time, not chosen.
//
// The same Config, seed included, always gives the same bytes.
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Config sizes a synthetic platform.
type Config struct {
	Tenants  int    // number of tenants
	Clusters int    // number of clusters; about one in five is dedicated (from 3 up)
	Seed     uint64 // the same seed gives the same platform
	// AWS keeps to what the AWS stacks can make: no cluster imports a VPC
	// (the rest of the platform is the same as without it).
	AWS bool
}

// Platform is a synthetic platform's description. Edit it with the
// methods below (or directly, keeping the invariants they keep) and render
// it with Files.
type Platform struct {
	Name     string
	Envs     []Env
	Clusters []*Cluster
	Tenants  []*Tenant

	rng       *rand.Rand
	aws       bool // Config.AWS
	nextIndex int  // the index of the next tenant AddTenant names
	width     int  // digits of tenant indexes
	clusterN  map[string]int
}

// Env is an environment of platform.cue: where its tenants' secrets live,
// and the account all its clusters run in.
type Env struct{ Name, Account, Region, Zone string }

// Cluster is one clusters/<name>.cue.
type Cluster struct {
	Name, Env, Region, Version string
	Dedicated                  bool
	Zone                       string
	CIDR, VPCID                string
	Capacity                   string // "", "nodegroup", "karpenter", "fargate", "auto"
	InstanceTypes              []string
	MinSize, MaxSize           int
}

// Tenant is one tenants/<name>.cue.
type Tenant struct {
	Name     string
	Team     string
	Owners   []string
	Clusters []string // placements, in the order written
	Services []*Service
	Jobs     []*Job
	Secrets  []*Secret
	Quota    *Quota
	Egress   []string // offsets into the VPC: rendered as CIDRs inside 10.x.0.0/16
	Rev      int      // bumped by ChangeTenant; part of every image tag
}

// Workload is what services and jobs share.
type Workload struct {
	Name, Repo  string
	Version     string
	Digest      string // "" or 64 hex digits: the image is pinned by digest
	CPU, Memory string // "" keeps the schema's default
	Secrets     []string
	Env         map[string]string
	Command     []string
	Args        []string
}

// Service is a long-running workload.
type Service struct {
	Workload
	Replicas int // 0 keeps the default
	Port     int // 0 keeps the default
	Health   string
	Public   bool   // has an ingress; hosts are derived when rendering
	Path     string // ingress path, "" for the default
	// Overrides by cluster; those of clusters the tenant is not placed on
	// are not rendered.
	Overrides map[string]Override
}

// Override is a per-cluster change of a service.
type Override struct {
	Replicas    int
	CPU, Memory string
}

// Job is a scheduled workload.
type Job struct {
	Workload
	Schedule, TimeZone string
	Suspend            bool
}

// Secret is an entry of a tenant's secrets.
type Secret struct {
	Name string
	Keys []string
}

// Quota overrides the schema's default quota.
type Quota struct {
	CPU, Memory string
	Pods        int
}

var environments = []Env{
	{Name: "prod", Account: "111111111111", Region: "ap-northeast-1", Zone: "example.com"},
	{Name: "stg", Account: "222222222222", Region: "ap-northeast-1", Zone: "stg.example.com"},
	{Name: "dev", Account: "333333333333", Region: "eu-west-1", Zone: "dev.example.net"},
}

// Versions are the Kubernetes versions clusters run: rows of the schema's
// EKS versions table.
var Versions = []string{"1.33", "1.34", "1.35"}

// New generates the platform that c describes.
func New(c Config) *Platform {
	if c.Clusters < 1 {
		c.Clusters = 1
	}
	p := &Platform{
		Name:     "synth",
		Envs:     slices.Clone(environments),
		rng:      rand.New(rand.NewPCG(c.Seed, 0x5eed)),
		aws:      c.AWS,
		width:    max(4, len(fmt.Sprint(c.Tenants))),
		clusterN: map[string]int{},
	}
	dedicated := 0
	if c.Clusters >= 3 {
		dedicated = max(1, c.Clusters/5)
	}
	for i := range c.Clusters - dedicated {
		p.addCluster(environments[i%len(environments)].Name, false)
	}
	for range dedicated {
		p.addCluster("prod", true)
	}
	// The first tenants each get a dedicated cluster, and usually a
	// staging cluster beside it.
	for i := range c.Tenants {
		var on []string
		if i < dedicated {
			on = append(on, p.Clusters[c.Clusters-dedicated+i].Name)
		}
		p.Tenants = append(p.Tenants, p.newTenant(on))
	}
	return p
}

// addCluster appends a new cluster of env.
func (p *Platform) addCluster(env string, dedicated bool) *Cluster {
	e := p.env(env)
	kind := "shared"
	if dedicated {
		kind = "dedicated"
	}
	p.clusterN[env+kind]++
	n := p.clusterN[env+kind]
	name := fmt.Sprintf("%s-%s-%d", env, kind, n)
	c := &Cluster{
		Name:    name,
		Env:     env,
		Region:  e.Region,
		Version: Versions[len(Versions)-2+p.rng.IntN(2)],
		Zone:    e.Zone,
	}
	if dedicated {
		c.Dedicated = true
		c.Zone = fmt.Sprintf("d%d.%s", n, e.Zone)
	}
	ix := len(p.Clusters) + 1
	for _, o := range p.Clusters {
		ix = max(ix, cidrIndex(o.CIDR)+1)
	}
	c.CIDR = fmt.Sprintf("10.%d.0.0/16", ix)
	switch r := p.rng.IntN(10); {
	case r < 4: // the default: EKS Auto Mode
	case r < 6:
		c.Capacity = "karpenter"
	case r < 9:
		c.Capacity = "nodegroup"
		c.InstanceTypes = []string{pick(p.rng, "m6i.large", "m6i.xlarge", "m7g.xlarge", "c6i.2xlarge")}
		c.MinSize = 2 + p.rng.IntN(3)
		c.MaxSize = c.MinSize + 2 + p.rng.IntN(20)
	default:
		c.Capacity = "fargate"
	}
	if p.rng.IntN(4) == 0 {
		if id := fmt.Sprintf("vpc-%017x", p.rng.Uint64()>>4); !p.aws {
			c.VPCID = id
		}
	}
	p.Clusters = append(p.Clusters, c)
	return c
}

func cidrIndex(cidr string) int {
	var a, b int
	fmt.Sscanf(cidr, "%d.%d.", &a, &b)
	return b
}

func (p *Platform) env(name string) Env {
	for _, e := range p.Envs {
		if e.Name == name {
			return e
		}
	}
	panic("synth: unknown environment " + name)
}

// Cluster returns the named cluster, or nil.
func (p *Platform) Cluster(name string) *Cluster {
	for _, c := range p.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (p *Platform) shared() []*Cluster {
	var out []*Cluster
	for _, c := range p.Clusters {
		if !c.Dedicated {
			out = append(out, c)
		}
	}
	return out
}

var (
	words = []string{
		"billing", "catalog", "search", "checkout", "payments", "ledger", "identity", "profile",
		"orders", "shipping", "inventory", "pricing", "reviews", "media", "notify", "chat",
		"analytics", "reports", "fraud", "loyalty", "coupons", "booking", "maps", "routing",
		"tracking", "support", "content", "feeds", "ads", "ranking", "recommend", "auth",
	}
	serviceNames = []string{"api", "web", "gateway", "worker", "grpc", "admin", "events", "graphql", "stream", "proxy"}
	jobNames     = []string{"cleanup", "report", "reindex", "export", "backup", "digest", "sync", "rotate"}
	secretNames  = []string{"db", "cache", "queue", "search", "smtp", "psp", "oauth", "s3"}
	secretKeys   = map[string][]string{
		"db":     {"DB_USER", "DB_PASSWORD", "DB_HOST"},
		"cache":  {"REDIS_PASSWORD", "REDIS_URL"},
		"queue":  {"AMQP_USER", "AMQP_PASSWORD"},
		"search": {"SEARCH_API_KEY", "SEARCH_USER"},
		"smtp":   {"SMTP_USER", "SMTP_PASSWORD"},
		"psp":    {"PSP_API_KEY", "PSP_WEBHOOK_SECRET"},
		"oauth":  {"OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET"},
		"s3":     {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
	}
	schedules = []string{"0 3 * * *", "*/15 * * * *", "30 1 * * 1-5", "0 */6 * * *", "15 0 1 * *", "45 23 * * 0"}
	timeZones = []string{"Asia/Tokyo", "Europe/Berlin", "America/New_York"}
	cpus      = []string{"100m", "250m", "500m", "1", "2"}
	memories  = []string{"128Mi", "256Mi", "512Mi", "1Gi", "2Gi"}
)

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// sample returns n distinct elements of xs, in the order of xs.
func sample[T any](r *rand.Rand, n int, xs []T) []T {
	ix := r.Perm(len(xs))[:min(n, len(xs))]
	slices.Sort(ix)
	out := make([]T, len(ix))
	for i, j := range ix {
		out[i] = xs[j]
	}
	return out
}

// newTenant makes the next tenant, placed on the clusters of on and on
// one to three shared clusters.
func (p *Platform) newTenant(on []string) *Tenant {
	r := p.rng
	i := p.nextIndex
	p.nextIndex++
	word := words[r.IntN(len(words))]
	t := &Tenant{
		Name: fmt.Sprintf("%s-%0*d", word, p.width, i),
		Team: "team-" + word,
	}
	t.Owners = []string{t.Team}
	if r.IntN(4) == 0 {
		t.Owners = append(t.Owners, "team-platform-sre")
	}
	shared := p.shared()
	n := 1 + r.IntN(3) - len(on)
	if len(on) == 0 {
		n = max(n, 1)
	}
	for _, c := range sample(r, n, shared) {
		on = append(on, c.Name)
	}
	t.Clusters = on
	p.fill(t)
	return t
}

// fill gives t its workloads, secrets and limits.
func (p *Platform) fill(t *Tenant) {
	r := p.rng
	for _, name := range sample(r, 1+r.IntN(4), secretNames) {
		keys := secretKeys[name]
		t.Secrets = append(t.Secrets, &Secret{Name: name, Keys: sample(r, 1+r.IntN(len(keys)), keys)})
	}
	var declared []string
	for _, s := range t.Secrets {
		declared = append(declared, s.Name)
	}
	workload := func(name string) Workload {
		w := Workload{
			Name:    name,
			Repo:    t.Name + "-" + name,
			Version: fmt.Sprintf("%d.%d", 1+r.IntN(5), r.IntN(20)),
			Secrets: sample(r, r.IntN(len(declared)+1), declared),
		}
		if r.IntN(8) == 0 {
			w.Digest = fmt.Sprintf("%016x%016x%016x%016x", r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
		}
		if r.IntN(2) == 0 {
			w.CPU = pick(r, cpus...)
			w.Memory = pick(r, memories...)
		}
		if r.IntN(3) == 0 {
			w.Env = map[string]string{"LOG_LEVEL": pick(r, "debug", "info", "warn")}
			if r.IntN(2) == 0 {
				w.Env["FEATURE_FLAGS"] = pick(r, "new-checkout,fast-path", "none", "beta")
			}
		}
		if r.IntN(6) == 0 {
			w.Command = []string{"/app/" + name}
			w.Args = []string{"--listen=:8080", "--log-format=json"}
		}
		return w
	}
	for _, name := range sample(r, 1+r.IntN(5), serviceNames) {
		s := &Service{Workload: workload(name)}
		if r.IntN(2) == 0 {
			s.Replicas = 2 + r.IntN(5)
		}
		if r.IntN(4) == 0 {
			s.Port = pick(r, 8000, 8081, 9000, 3000)
		}
		if r.IntN(5) == 0 {
			s.Health = pick(r, "/ping", "/health/live", "/status")
		}
		s.Public = r.IntN(2) == 0
		if s.Public && r.IntN(3) == 0 {
			s.Path = pick(r, "/v1", "/api", "/"+name)
		}
		for _, c := range t.Clusters {
			if r.IntN(3) == 0 {
				// Production keeps at least two replicas; staging and
				// development often run one.
				o := Override{Replicas: 1 + r.IntN(3)}
				if cl := p.Cluster(c); cl != nil && cl.Env == "prod" {
					o.Replicas++
				}
				if r.IntN(3) == 0 {
					o.CPU, o.Memory = pick(r, cpus...), pick(r, memories...)
				}
				if s.Overrides == nil {
					s.Overrides = map[string]Override{}
				}
				s.Overrides[c] = o
			}
		}
		t.Services = append(t.Services, s)
	}
	for _, name := range sample(r, r.IntN(3), jobNames) {
		j := &Job{Workload: workload(name), Schedule: pick(r, schedules...)}
		if r.IntN(3) == 0 {
			j.TimeZone = pick(r, timeZones...)
		}
		j.Suspend = r.IntN(10) == 0
		t.Jobs = append(t.Jobs, j)
	}
	if r.IntN(4) == 0 {
		t.Quota = &Quota{CPU: pick(r, "4", "16", "32"), Memory: pick(r, "8Gi", "32Gi", "64Gi"), Pods: pick(r, 20, 100, 200)}
	}
	for range r.IntN(3) {
		t.Egress = append(t.Egress, fmt.Sprintf("%d.%d", 100+r.IntN(100), r.IntN(256)))
	}
	t.Egress = slices.Compact(slices.Sorted(slices.Values(t.Egress)))
}

// Tenant returns the named tenant, or nil.
func (p *Platform) Tenant(name string) *Tenant {
	for _, t := range p.Tenants {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// AddTenant adds a new tenant on shared clusters and returns it.
func (p *Platform) AddTenant() *Tenant {
	t := p.newTenant(nil)
	p.Tenants = append(p.Tenants, t)
	return t
}

// RemoveTenant removes the i-th tenant.
func (p *Platform) RemoveTenant(i int) { p.Tenants = slices.Delete(p.Tenants, i, i+1) }

// ChangeTenant edits the i-th tenant: a new release of its images, and
// sometimes other replicas, another workload, or other secrets.
func (p *Platform) ChangeTenant(i int) {
	t, r := p.Tenants[i], p.rng
	t.Rev++
	switch r.IntN(4) {
	case 0:
		s := t.Services[r.IntN(len(t.Services))]
		s.Replicas = 2 + r.IntN(9)
	case 1:
		t.Services, t.Jobs, t.Secrets, t.Quota, t.Egress = nil, nil, nil, nil, nil
		p.fill(t)
	case 2:
		// Move to other shared clusters (keeping a dedicated one).
		var keep []string
		for _, c := range t.Clusters {
			if cl := p.Cluster(c); cl != nil && cl.Dedicated {
				keep = append(keep, c)
			}
		}
		n := max(1, 1+r.IntN(3)-len(keep))
		for _, c := range sample(r, n, p.shared()) {
			keep = append(keep, c.Name)
		}
		t.Clusters = keep
	}
}

// AddCluster adds a shared cluster to a random environment; no tenant is
// placed on it until one is changed or added.
func (p *Platform) AddCluster() *Cluster {
	return p.addCluster(p.Envs[p.rng.IntN(len(p.Envs))].Name, false)
}

// ChangeCluster edits the i-th cluster: the next Kubernetes version (a
// new generation), another capacity, or another VPC range.
func (p *Platform) ChangeCluster(i int) {
	c, r := p.Clusters[i], p.rng
	switch r.IntN(3) {
	case 0:
		// Upgrades only go forward, one minor version at a time.
		if i := slices.Index(Versions, c.Version); i >= 0 && i+1 < len(Versions) {
			c.Version = Versions[i+1]
		} else {
			c.MinSize, c.MaxSize = 0, 0
			c.Capacity, c.InstanceTypes = "fargate", nil
		}
	case 1:
		c.Capacity, c.InstanceTypes, c.MinSize, c.MaxSize = "karpenter", nil, 0, 0
	default:
		c.CIDR = fmt.Sprintf("10.%d.0.0/16", 200+r.IntN(50))
	}
}

// RemoveCluster removes the i-th cluster unless it is the last shared
// one; tenants placed only there move to another shared cluster. It
// reports whether it removed the cluster.
func (p *Platform) RemoveCluster(i int) bool {
	c := p.Clusters[i]
	if !c.Dedicated && len(p.shared()) == 1 {
		return false
	}
	p.Clusters = slices.Delete(p.Clusters, i, i+1)
	shared := p.shared()
	for _, t := range p.Tenants {
		t.Clusters = slices.DeleteFunc(t.Clusters, func(n string) bool { return n == c.Name })
		if len(t.Clusters) == 0 {
			t.Clusters = []string{shared[p.rng.IntN(len(shared))].Name}
		}
	}
	return true
}

// Edit makes one random edit, as a team would: a tenant added, removed or
// (most often) changed, or a cluster added, removed or changed. It says
// what it did, "" when it did nothing (the last shared cluster, or the
// last tenant, is not removed).
func (p *Platform) Edit() string {
	r := p.rng
	switch r.IntN(8) {
	case 0:
		return "add tenant " + p.AddTenant().Name
	case 1:
		if len(p.Tenants) < 2 {
			return ""
		}
		i := r.IntN(len(p.Tenants))
		name := p.Tenants[i].Name
		p.RemoveTenant(i)
		return "remove tenant " + name
	case 2, 3, 4:
		i := r.IntN(len(p.Tenants))
		p.ChangeTenant(i)
		return "change tenant " + p.Tenants[i].Name
	case 5:
		return "add cluster " + p.AddCluster().Name
	case 6:
		i := r.IntN(len(p.Clusters))
		if name := p.Clusters[i].Name; p.RemoveCluster(i) {
			return "remove cluster " + name
		}
		return ""
	default:
		i := r.IntN(len(p.Clusters))
		p.ChangeCluster(i)
		return "change cluster " + p.Clusters[i].Name
	}
}

// Rand is the platform's random source, for callers that choose edits.
func (p *Platform) Rand() *rand.Rand { return p.rng }

// ChangeReplicas changes the replicas of a service of the i-th tenant, or
// of the next tenant that has one: a change of its Kubernetes objects
// alone, no input of an AWS stack. It returns the tenant's name.
func (p *Platform) ChangeReplicas(i int) string {
	for k := range p.Tenants {
		t := p.Tenants[(i+k)%len(p.Tenants)]
		if len(t.Services) > 0 {
			if s := t.Services[0]; s.Replicas == 5 {
				s.Replicas = 6
			} else {
				s.Replicas = 5
			}
			return t.Name
		}
	}
	return ""
}

// AddAccessingService adds to the i-th tenant a service that reads a
// bucket of its own: a change of its AWS stacks too (a workload role in
// the tenant's stack of each of its environments, synthesised in one
// Node.js process). It returns the tenant's name.
func (p *Platform) AddAccessingService(i int) string {
	t := p.Tenants[i%len(p.Tenants)]
	for n := len(t.Services); ; n++ {
		name := fmt.Sprintf("added%d", n)
		if hash(t.Name+"/"+name)%3 == 0 { // s3 access (render.go)
			t.Services = append(t.Services, &Service{Workload: Workload{Name: name, Repo: t.Name + "-" + name, Version: "1.0"}, Replicas: 2})
			return t.Name
		}
	}
}
