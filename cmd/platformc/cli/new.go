package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/atomicfile"
	"github.com/platformc/platformc/internal/scaffold"
)

func newNewCmd(e *env, rf *rootFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Create a tenant's or a cluster's file, validated",
		Long: `new writes the file of a new tenant (tenants/NAME.cue) or cluster
(clusters/NAME.cue): commented, formatted as "cue fmt" formats it, and
checked with the whole platform before it is written. It never replaces a
file.`,
		Args: subcommandArgs,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newNewTenantCmd(e, rf), newNewClusterCmd(e, rf))
	return cmd
}

type newTenantOptions struct {
	owners, clusters []string
}

func newNewTenantCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts newTenantOptions
	cmd := &cobra.Command{
		Use:   "tenant NAME [--owner TEAM]... [--cluster C]...",
		Short: "Create tenants/NAME.cue",
		Long: `new tenant writes tenants/NAME.cue: a tenant owned by the teams of --owner
(default team-NAME) and placed on the clusters of --cluster (default: every
shared cluster), with no workloads yet and, in comments, an example of each
kind of entry. The platform is validated with the new file first; if the
name or anything else is wrong, the errors are printed and nothing is
written. An existing file is never replaced.`,
		Example: `  # A tenant owned by two teams, on the staging cluster only
  platformc new tenant shop --owner team-shop --owner team-sre --cluster stg-shared`,
		Args: exactlyOne("NAME"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("tenant", args[0]); err != nil {
				return err
			}
			return newTenantRun(e, rf, &opts, args[0])
		},
	}
	cmd.Flags().StringArrayVar(&opts.owners, "owner", nil, "a team that owns the tenant; repeat for several (default team-NAME)")
	cmd.Flags().StringArrayVar(&opts.clusters, "cluster", nil, "a cluster to place the tenant on; repeat for several (default: every shared cluster)")
	cmd.RegisterFlagCompletionFunc("cluster", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return completeEntries(e, rf, load.ClustersDir)
	})
	cmd.RegisterFlagCompletionFunc("owner", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func newTenantRun(e *env, rf *rootFlags, opts *newTenantOptions, name string) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	file := sourceFile(load.TenantsDir, name)
	if exists(onDisk(root, file)) {
		return fail(fmt.Errorf("%s already exists: edit it, or choose another name", file))
	}
	p, err := load.Load(os.DirFS(root))
	if err != nil {
		return invalidPlatform(e, err)
	}
	t := scaffold.Tenant{Name: name, Owners: opts.owners, Clusters: opts.clusters}
	if len(t.Owners) == 0 {
		t.Owners = []string{"team-" + name}
	}
	if len(t.Clusters) == 0 {
		for _, c := range p.Clusters {
			if c.Tenancy == model.Shared {
				t.Clusters = append(t.Clusters, c.Name)
			}
		}
		if len(t.Clusters) == 0 {
			return fail(fmt.Errorf("the platform has no shared cluster to place %s on: name its clusters with --cluster (clusters: %s)", name, orNone(clusterNames(p))))
		}
	}
	zones := map[string]bool{}
	for _, c := range p.Clusters {
		if slices.Contains(t.Clusters, c.Name) {
			zones[c.DNSZone] = true
		}
	}
	if len(zones) == 1 {
		for z := range zones {
			t.Zone = z
		}
	}
	f, err := scaffold.TenantFile(t)
	if err != nil {
		return fail(err)
	}
	return create(e, root, f, fmt.Sprintf("tenant %s, owned by %s, on %s", name, strings.Join(t.Owners, ", "), strings.Join(t.Clusters, ", ")))
}

type newClusterOptions struct {
	environment, account, region, version, zone, cidr, tenancy, capacity string
}

func newNewClusterCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := newClusterOptions{tenancy: string(model.Shared), capacity: model.AutoMode}
	cmd := &cobra.Command{
		Use:   "cluster NAME [--environment E] [--account A] [--region R] [--version V] [--zone Z]",
		Short: "Create clusters/NAME.cue",
		Long: `new cluster writes clusters/NAME.cue. What no flag says is taken from the
platform:

  --environment  the part of NAME before its first '-' if platform.cue
                 declares that environment, or the only environment declared
  --account      the environment's account (every cluster of an environment
                 runs in its account)
  --region       the environment's region
  --version      the newest Kubernetes version of the EKS versions table
  --zone         the DNS zone of the environment's other clusters
  --cidr         the first 10.N.0.0/16 that no other cluster uses

The platform is validated with the new file first; if anything is wrong,
the errors are printed and nothing is written. An existing file is never
replaced.`,
		Example: `  # A second shared staging cluster, everything else from platform.cue
  platformc new cluster stg-batch

  # A dedicated production cluster
  platformc new cluster prod-ledger --environment prod --tenancy dedicated --zone ledger.example.com`,
		Args: exactlyOne("NAME"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("cluster", args[0]); err != nil {
				return err
			}
			return newClusterRun(e, rf, &opts, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.environment, "environment", "", "the environment, declared in platform.cue")
	fl.StringVar(&opts.account, "account", "", "the AWS account (default: the environment's)")
	fl.StringVar(&opts.region, "region", "", "the AWS region (default: the environment's)")
	fl.StringVar(&opts.version, "version", "", "the Kubernetes minor version (default: the newest known)")
	fl.StringVar(&opts.zone, "zone", "", "the Route53 zone of ingress hosts (default: the environment's other clusters')")
	fl.StringVar(&opts.cidr, "cidr", "", "the VPC's address range (default: a free 10.N.0.0/16)")
	fl.StringVar(&opts.tenancy, "tenancy", opts.tenancy, "shared or dedicated")
	fl.StringVar(&opts.capacity, "capacity", opts.capacity, "auto, nodegroup, karpenter or fargate")
	cmd.RegisterFlagCompletionFunc("environment", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return completeEnvironments(e, rf)
	})
	cmd.RegisterFlagCompletionFunc("version", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return completeVersions()
	})
	cmd.RegisterFlagCompletionFunc("tenancy", fixed(string(model.Shared), string(model.Dedicated)))
	cmd.RegisterFlagCompletionFunc("capacity", fixed(model.AutoMode, model.NodeGroup, model.Karpenter, model.Fargate))
	for _, f := range []string{"account", "region", "zone", "cidr"} {
		cmd.RegisterFlagCompletionFunc(f, fixed())
	}
	return cmd
}

func newClusterRun(e *env, rf *rootFlags, opts *newClusterOptions, name string) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return fail(err)
	}
	file := sourceFile(load.ClustersDir, name)
	if exists(onDisk(root, file)) {
		return fail(fmt.Errorf("%s already exists: edit it, or choose another name", file))
	}
	p, err := load.Load(os.DirFS(root))
	if err != nil {
		return invalidPlatform(e, err)
	}
	c := scaffold.Cluster{
		Name: name, Environment: opts.environment, Account: opts.account, Region: opts.region,
		Version: opts.version, Tenancy: opts.tenancy, Capacity: opts.capacity, Zone: opts.zone, CIDR: opts.cidr,
	}
	envs := slices.Sorted(maps.Keys(p.Config.Environments))
	if c.Environment == "" {
		prefix, _, _ := strings.Cut(name, "-")
		switch _, ok := p.Config.Environments[prefix]; {
		case ok:
			c.Environment = prefix
		case len(envs) == 1:
			c.Environment = envs[0]
		default:
			return fmt.Errorf("--environment is required: the name does not start with a declared environment (declared in %s: %s)", load.PlatformFile, orNone(envs))
		}
	}
	env, ok := p.Config.Environments[c.Environment]
	if !ok {
		return fail(fmt.Errorf("environment %q is not declared in %s under platform.environments (declared: %s)", c.Environment, load.PlatformFile, orNone(envs)))
	}
	if c.Account == "" {
		c.Account = env.Account
	}
	if c.Region == "" {
		c.Region = env.Region
	}
	if c.Version == "" {
		for v := range p.Versions {
			if c.Version == "" || newer(v, c.Version) {
				c.Version = v
			}
		}
	}
	if c.Zone == "" {
		for _, o := range p.Clusters {
			if o.Environment == c.Environment {
				c.Zone = o.DNSZone
				break
			}
		}
		if c.Zone == "" {
			return fmt.Errorf("--zone is required: environment %q has no cluster to take the DNS zone from", c.Environment)
		}
	}
	if c.CIDR == "" {
		if c.CIDR, err = freeCIDR(p.Clusters); err != nil {
			return fail(err)
		}
	}
	f, err := scaffold.ClusterFile(c)
	if err != nil {
		return fail(err)
	}
	return create(e, root, f, fmt.Sprintf("cluster %s: %s, account %s, %s, Kubernetes %s, %s, zone %s, %s", name, c.Environment, c.Account, c.Region, c.Version, c.Tenancy, c.Zone, c.CIDR))
}

// create validates the platform with the new file f and writes it.
func create(e *env, root string, f scaffold.File, what string) error {
	if _, err := validateWith(e, root, map[string][]byte{f.Path: f.Data}); err != nil {
		return rejected(e, err, f.Path+" is not written")
	}
	if err := atomicfile.Create(onDisk(root, f.Path), f.Data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fail(fmt.Errorf("%s already exists: edit it, or choose another name", f.Path))
		}
		return fail(err)
	}
	fmt.Fprintf(e.stdout, "created %s: %s\n", f.Path, what)
	return nil
}

// freeCIDR returns the first 10.N.0.0/16 that overlaps no cluster's VPC.
func freeCIDR(clusters []*model.Cluster) (string, error) {
	var used []netip.Prefix
	for _, c := range clusters {
		if p, err := netip.ParsePrefix(c.CIDR); err == nil {
			used = append(used, p.Masked())
		}
	}
	for n := range 256 {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n), 0, 0}), 16)
		if !slices.ContainsFunc(used, p.Overlaps) {
			return p.String(), nil
		}
	}
	return "", errors.New("every 10.N.0.0/16 is used by a cluster: choose the VPC's range with --cidr")
}

// newer reports whether Kubernetes minor version a is newer than b.
func newer(a, b string) bool {
	var am, bm int
	fmt.Sscanf(a, "1.%d", &am)
	fmt.Sscanf(b, "1.%d", &bm)
	return am > bm
}

func clusterNames(p *model.Platform) []string {
	var out []string
	for _, c := range p.Clusters {
		out = append(out, c.Name)
	}
	return out
}

// exactlyOne accepts one argument, named what.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%s needs one argument, %s; got %d", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
