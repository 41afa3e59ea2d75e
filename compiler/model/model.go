package model

import (
	"slices"
	"time"

	"github.com/platformc/platformc/compiler/diag"
)

// Platform is the whole validated input: the platform's settings, every
// cluster and every tenant, each sorted by name.
type Platform struct {
	Config      Config
	Versions    map[string]Version  // the EKS versions table, by Kubernetes minor version
	APIRemovals map[string][]string // minor version -> "group/version/Kind" it no longer serves
	Clusters    []*Cluster
	Tenants     []*Tenant
	Warnings    []diag.Diagnostic // what is allowed but deserves attention (Severity Warning), sorted
	Today       time.Time         // the date support windows and exemptions were checked on; zero if not
}

// Version is a row of the EKS versions table.
type Version struct {
	StandardSupportEnd string            // YYYY-MM-DD
	ExtendedSupportEnd string            // YYYY-MM-DD
	Addons             map[string]string // EKS add-on name -> version
	Charts             map[string]string // platform add-on name -> Helm chart version
}

// Config is what platform.cue says about the whole platform.
type Config struct {
	Name         string // prefix of every AWS name
	Repo         Repo
	ArgoCD       ArgoCD
	Environments map[string]Environment
	Policy       Policy
	CodeOwners   CodeOwners
	Addons       []*Addon // sorted by wave, then name
	// LoadBalancers is SharedLoadBalancers or PerTenantLoadBalancers.
	LoadBalancers string
	Quotas        Quotas
	// TenantKinds are the "apiVersion/Kind" a tenant's manifests may hold.
	TenantKinds []Ref
	// Grants give tenants AWS resources of others' names: by service (S3,
	// SQS, DynamoDB), resource name, the tenants.
	Grants map[string]map[string][]string
	Pos    Pos
}

// How tenants' Ingresses get load balancers (Config.LoadBalancers).
const (
	SharedLoadBalancers    = "shared"
	PerTenantLoadBalancers = "per-tenant"
)

// Quotas are the AWS service quotas that a build counts against.
type Quotas struct {
	LoadBalancersPerRegion    int
	RulesPerLoadBalancer      int
	ClustersPerRegion         int
	FargateProfilesPerCluster int
}

// Addon is a controller the platform installs, through Argo CD's Helm
// support, on every generation of the clusters it applies to.
type Addon struct {
	Name           string
	Chart          Chart
	Namespace      string
	Install        string   // AddonAlways, AddonDefault or AddonOptIn
	Capacity       []string // capacity modes it is limited to; empty: any
	AWS            string   // what platformc wires on AWS (an IAM role, values); "" for nothing
	ServiceAccount string
	Wave           int
	Values         map[string]any // the platform's Helm values
	Pos            Pos            // where the add-on is declared
	ValuesPos      Pos
}

// Chart is a Helm chart: an https:// repository or an oci:// registry
// path, and the chart's name in it.
type Chart struct{ Repo, Name string }

// Add-on install modes.
const (
	AddonAlways  = "always"
	AddonDefault = "default"
	AddonOptIn   = "opt-in"
)

// Fits reports whether the add-on may run on the cluster's capacity mode.
func (a *Addon) Fits(c *Cluster) bool {
	return len(a.Capacity) == 0 || slices.Contains(a.Capacity, c.Capacity.Mode)
}

// AddonsOf returns the add-ons installed on the cluster, in the order they
// are applied.
func (p *Platform) AddonsOf(c *Cluster) []*Addon {
	var out []*Addon
	for _, a := range p.Config.Addons {
		on, chosen := c.AddonChoice(a.Name)
		switch {
		case !a.Fits(c):
		case a.Install == AddonAlways, a.Install == AddonDefault && (!chosen || on), a.Install == AddonOptIn && on:
			out = append(out, a)
		}
	}
	return out
}

// ChartVersion is the add-on's chart version for the generation's
// Kubernetes version, from the versions table; "" if the table has none.
func (p *Platform) ChartVersion(g Generation, a *Addon) string {
	return p.Versions[g.Version].Charts[a.Name]
}

// CodeOwners turns teams into code owners.
type CodeOwners struct {
	Prefix   string   // prepended to a team name: "@acme/"
	Platform []string // the platform team's code owners
}

// Policy configures the checks over generated workloads.
type Policy struct {
	Registries []string          // allowed image name prefixes; empty allows any but Docker Hub
	Production []string          // environments whose services need 2 replicas and a PDB
	Checks     map[string]string // check -> "error", "warning" or "off"
	Waivable   []string          // checks a tenant may waive with an exemption
}

// Repo is the manifest repository Argo CD reads.
type Repo struct {
	URL, Revision string
	Path          string // folder of the repository that holds out/; "" is the root
}

// ArgoCD is where Argo CD runs.
type ArgoCD struct {
	Namespace, Account, Region string
}

// Environment is where the tenants' secrets of one environment live.
type Environment struct {
	Account, Region string
}

// Cluster returns the cluster with the given name, or nil.
func (p *Platform) Cluster(name string) *Cluster {
	for _, c := range p.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Pos is a position in a CUE source file; File is slash-separated and
// relative to the platform root.
type Pos = diag.Pos

// Tenancy says whether a cluster hosts many tenants or exactly one.
type Tenancy string

const (
	Shared    Tenancy = "shared"
	Dedicated Tenancy = "dedicated"
)

// Cluster is one logical cluster.
type Cluster struct {
	Name        string
	Environment string
	EnvPos      Pos // where the environment is written
	AccountPos  Pos // where the account is written
	Account     string
	Region      string
	RegionPos   Pos
	Version     string // Kubernetes minor version, "1.33"
	VersionPos  Pos
	Upgrade     *Upgrade // nil when no upgrade is steered
	Tenancy     Tenancy
	DNSZone     string
	CIDR        string // the VPC's address range
	CIDRPos     Pos    // where it is written; the cluster's position for the default
	VPCID       string // an existing VPC to import; "" creates one
	VPCIDPos    Pos
	Capacity    Capacity
	MaxSizePos  Pos           // where capacity.maxSize is written
	ModePos     Pos           // where capacity.mode is written
	Addons      []AddonChoice // the cluster's opt-ins and opt-outs, by name
	Pos         Pos           // where the cluster is defined

	generations []Generation
}

// AddonChoice is a cluster's opt-in (On) or opt-out of an add-on.
type AddonChoice struct {
	Name string
	On   bool
	Pos  Pos
}

// AddonChoice returns the cluster's choice for the named add-on, and
// whether it made one.
func (c *Cluster) AddonChoice(name string) (on, chosen bool) {
	for _, a := range c.Addons {
		if a.Name == name {
			return a.On, true
		}
	}
	return false, false
}

// Upgrade steers a blue/green upgrade in progress.
type Upgrade struct {
	Traffic    int  // percent on the new generation
	Retire     bool // remove the old generation
	TrafficPos Pos
	RetirePos  Pos
}

// Capacity modes.
const (
	AutoMode  = "auto"
	NodeGroup = "nodegroup"
	Karpenter = "karpenter"
	Fargate   = "fargate"
)

// Capacity is how a cluster gets nodes.
type Capacity struct {
	Mode             string
	InstanceTypes    []string
	MinSize, MaxSize int
}

// Tenant is one product team's namespace on each of its clusters.
type Tenant struct {
	Name       string
	Owners     []string
	Clusters   []Ref // cluster names, in the order written
	Services   []*Service
	Jobs       []*Job
	Secrets    []*Secret
	Quota      Quota
	Egress     []Ref // CIDRs inside the VPC the tenant may reach
	Manifests  []*Manifest
	Exemptions []*Exemption
	Pos        Pos // where the tenant is defined
}

// Manifest is an extra object of a tenant's namespace, as written.
type Manifest struct {
	Object       map[string]any
	APIVersion   string
	Kind         string
	Name         string
	Namespace    string // as written; "" when it names none
	Pos          Pos    // the object in the tenant file
	KindPos      Pos
	NamePos      Pos
	NamespacePos Pos
	RolePos      Pos // of an IAM role annotation
}

// Exemption waives a policy check for a tenant until a date.
type Exemption struct {
	Check      string
	Reason     string
	Expires    string   // YYYY-MM-DD
	Workloads  []string // empty: all of the tenant's workloads
	Pos        Pos      // the check's name in the tenant file
	ExpiresPos Pos
}

// Covers reports whether the exemption applies to the named workload.
func (e *Exemption) Covers(workload string) bool {
	return len(e.Workloads) == 0 || slices.Contains(e.Workloads, workload)
}

// Ref is a name written in the source, with where it was written.
type Ref struct {
	Name string
	Pos  Pos
}

// Quota caps a tenant namespace's resources on each cluster.
type Quota struct {
	CPU, Memory string
	Pods        int
}

// Workload is what services and jobs share.
type Workload struct {
	Name     string
	Image    string
	CPU      string
	Memory   string
	Secrets  []Ref             // names of the tenant's secrets
	Env      map[string]string // plain configuration
	Command  []string
	Args     []string
	Files    []File   // sorted by path
	AWS      []Access // sorted by service, then name
	Pos      Pos
	ImagePos Pos // where image is written
}

// Access is a workload's access to an AWS resource of its environment.
type Access struct {
	Service string // S3, SQS or DynamoDB
	Name    string // the bucket, queue or table
	Level   string // Read or Write (S3, DynamoDB), Consume or Send (SQS)
	Pos     Pos    // where the name is written
}

// AWS services a workload may reach, and access levels.
const (
	S3       = "s3"
	SQS      = "sqs"
	DynamoDB = "dynamodb"

	Read    = "read"
	Write   = "write"
	Consume = "consume"
	Send    = "send"
)

// File is a configuration file a workload's containers read.
type File struct {
	Path    string // absolute
	Content string
	Pos     Pos // where its path is written
}

// Service is a long-running workload behind a Kubernetes Service.
type Service struct {
	Workload
	Kind        string   // WebService or Worker
	Probe       []string // a worker's liveness command; none if empty
	Replicas    int
	ReplicasPos Pos          // where replicas is written; zero for the default
	Autoscaling *Autoscaling // nil: Replicas pods
	Port        int
	Health      string
	Ingress     *Ingress
	Overrides   []*Override // sorted by cluster name
}

// Kinds of services.
const (
	WebService = "web"    // serves HTTP on Port, behind a Service
	Worker     = "worker" // serves nothing: no Service, Ingress or HTTP probe
)

// Autoscaling runs a service from Min to Max pods, targeting CPU percent
// of the requested CPU.
type Autoscaling struct {
	Min, Max, CPU  int
	MinPos, MaxPos Pos
}

// Ingress exposes a service through the AWS Load Balancer Controller.
type Ingress struct {
	Host string
	Path string
	Pos  Pos
}

// Override changes a service on one cluster; zero values mean unchanged.
type Override struct {
	Cluster     Ref
	Replicas    int
	ReplicasPos Pos
	Min, Max    int // autoscaling bounds
	MinPos      Pos
	MaxPos      Pos
	CPU         string
	Memory      string
	Host        string // ingress host
}

// On returns the service as it runs on the named cluster.
func (s *Service) On(cluster string) Service {
	out := *s
	if o := s.Override(cluster); o != nil {
		if o.Replicas != 0 {
			out.Replicas, out.ReplicasPos = o.Replicas, o.ReplicasPos
		}
		if a := out.Autoscaling; a != nil && (o.Min != 0 || o.Max != 0) {
			b := *a
			if o.Min != 0 {
				b.Min, b.MinPos = o.Min, o.MinPos
			}
			if o.Max != 0 {
				b.Max, b.MaxPos = o.Max, o.MaxPos
			}
			out.Autoscaling = &b
		}
		if o.CPU != "" {
			out.CPU = o.CPU
		}
		if o.Memory != "" {
			out.Memory = o.Memory
		}
		if o.Host != "" && out.Ingress != nil {
			in := *out.Ingress
			in.Host = o.Host
			out.Ingress = &in
		}
	}
	return out
}

// Job is a scheduled workload.
type Job struct {
	Workload
	Schedule string
	TimeZone string
	Suspend  bool
}

// Secret selects keys of the tenant's AWS Secrets Manager secret.
type Secret struct {
	Name string
	Keys []string
	Pos  Pos
}

// Workloads returns the tenant's services' and jobs' workloads, services
// first.
func (t *Tenant) Workloads() []*Workload {
	out := make([]*Workload, 0, len(t.Services)+len(t.Jobs))
	for _, s := range t.Services {
		out = append(out, &s.Workload)
	}
	for _, j := range t.Jobs {
		out = append(out, &j.Workload)
	}
	return out
}

// PlacedOn reports whether the tenant runs on the named cluster.
func (t *Tenant) PlacedOn(cluster string) bool {
	for _, r := range t.Clusters {
		if r.Name == cluster {
			return true
		}
	}
	return false
}

// Placements returns the tenant's clusters, resolved and sorted by name.
// Unknown names are skipped: the loader has already refused them.
func (p *Platform) Placements(t *Tenant) []*Cluster {
	var out []*Cluster
	for _, c := range p.Clusters {
		for _, r := range t.Clusters {
			if r.Name == c.Name {
				out = append(out, c)
			}
		}
	}
	return out
}

// Override returns the service's override for the named cluster, or nil.
func (s *Service) Override(cluster string) *Override {
	for _, o := range s.Overrides {
		if o.Cluster.Name == cluster {
			return o
		}
	}
	return nil
}
