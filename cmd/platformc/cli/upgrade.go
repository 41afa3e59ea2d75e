package cli

import (
	"fmt"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/model"
)

func newUpgradeCmd(e *env, rf *rootFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Follow the blue/green upgrades of the clusters",
		Long: `A cluster is upgraded blue/green, one reviewed change at a time:

  1. bump kubernetes.version in clusters/<name>.cue and build: a green
     generation at the new version appears beside the blue one, with no
     traffic; every tenant is deployed to both;
  2. set upgrade: traffic: 10, then 50, then 100 (Route53 weights; CronJobs
     follow the majority);
  3. set upgrade: retire: true: blue's stacks and registration go;
  4. remove the upgrade block.

build records the live generations in clusters/<name>.lock.json; commit it
with the cluster's file.`,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newUpgradeStatusCmd(e, rf))
	return cmd
}

type upgradeStatusOptions struct{ format string }

func newUpgradeStatusCmd(e *env, rf *rootFlags) *cobra.Command {
	opts := upgradeStatusOptions{format: "text"}
	cmd := &cobra.Command{
		Use:   "status [--format text|json]",
		Short: "Show each cluster's generations, versions, weights, support dates and next step",
		Example: `  platformc upgrade status
  platformc upgrade status --format json | jq '.[] | select(.daysOfStandardSupport < 60)'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.format != "text" && opts.format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", opts.format)
			}
			return fail(upgradeStatusRun(e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "text or json")
	return cmd
}

// clusterStatus is one cluster's line of "upgrade status".
type clusterStatus struct {
	Cluster     string             `json:"cluster"`
	Generations []generationStatus `json:"generations"`
	NextStep    string             `json:"nextStep"`
}

type generationStatus struct {
	Name               string `json:"name"`
	Version            string `json:"version"`
	Role               string `json:"role"`
	Weight             int    `json:"weight"`
	RunsJobs           bool   `json:"runsJobs"`
	StandardSupportEnd string `json:"standardSupportEnd"`
	ExtendedSupportEnd string `json:"extendedSupportEnd"`
	DaysOfStandard     int    `json:"daysOfStandardSupport"`
	// Addons are the chart versions of the add-ons the generation
	// installs, by add-on: those of its Kubernetes version.
	Addons map[string]string `json:"addons,omitempty"`
}

func upgradeStatusRun(e *env, rf *rootFlags, opts *upgradeStatusOptions) error {
	_, p, err := loadPlatform(e, rf)
	if err != nil {
		return err
	}
	var all []clusterStatus
	for _, c := range p.Clusters {
		s := clusterStatus{Cluster: c.Name, NextStep: nextStep(p, c)}
		for _, g := range c.Generations() {
			row := p.Versions[g.Version]
			end, _ := time.Parse(time.DateOnly, row.StandardSupportEnd)
			s.Generations = append(s.Generations, generationStatus{
				Name: g.Name(), Version: g.Version, Role: string(g.Role), Weight: g.Weight, RunsJobs: g.RunsJobs,
				StandardSupportEnd: row.StandardSupportEnd, ExtendedSupportEnd: row.ExtendedSupportEnd,
				DaysOfStandard: int(end.Sub(e.today).Hours() / 24),
				Addons:         addonVersions(p, g),
			})
		}
		all = append(all, s)
	}
	if opts.format == "json" {
		data, err := encode.JSON(all)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(data)
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tGENERATION\tVERSION\tROLE\tWEIGHT\tJOBS\tSTANDARD SUPPORT UNTIL\tDAYS LEFT\tNEXT STEP")
	for _, s := range all {
		for i, g := range s.Generations {
			next, jobs := "", ""
			if i == 0 {
				next = s.NextStep
			}
			if g.RunsJobs {
				jobs = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", s.Cluster, g.Name, g.Version, orDash(g.Role), g.Weight, orDash(jobs), g.StandardSupportEnd, g.DaysOfStandard, next)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// During an upgrade, the add-ons whose chart changes between blue
	// and green.
	for _, s := range all {
		if len(s.Generations) != 2 {
			continue
		}
		blue, green := s.Generations[0], s.Generations[1]
		var changes []string
		for _, name := range slices.Sorted(maps.Keys(green.Addons)) {
			if from := blue.Addons[name]; from != green.Addons[name] {
				changes = append(changes, fmt.Sprintf("  %s %s -> %s", name, orDash(from), green.Addons[name]))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(blue.Addons)) {
			if _, ok := green.Addons[name]; !ok {
				changes = append(changes, fmt.Sprintf("  %s %s -> -", name, blue.Addons[name]))
			}
		}
		if len(changes) > 0 {
			fmt.Fprintf(e.stdout, "\n%s: add-on charts on %s -> %s:\n", s.Cluster, blue.Name, green.Name)
			for _, c := range changes {
				fmt.Fprintln(e.stdout, c)
			}
		}
	}
	return nil
}

// addonVersions are the chart versions of the generation's add-ons.
func addonVersions(p *model.Platform, g model.Generation) map[string]string {
	out := map[string]string{}
	for _, a := range p.AddonsOf(g.Cluster) {
		out[a.Name] = p.ChartVersion(g, a)
	}
	return out
}

// nextStep says what the platform team does next for a cluster.
func nextStep(p *model.Platform, c *model.Cluster) string {
	gs := c.Generations()
	for _, g := range gs {
		if g.Role == model.Retiring {
			return fmt.Sprintf("once Argo CD has deleted the tenants of %s (platformc plan: drain), remove the upgrade block to remove it", g.Name())
		}
	}
	if len(gs) == 2 {
		switch green := gs[1]; {
		case green.Weight == 0:
			return fmt.Sprintf("verify %s, then set upgrade: traffic: 10", green.Name())
		case green.Weight < 100:
			return fmt.Sprintf("raise upgrade.traffic (now %d) step by step to 100", green.Weight)
		default:
			return fmt.Sprintf("set upgrade: retire: true to drain %s", gs[0].Name())
		}
	}
	if c.Upgrade != nil {
		return "remove the upgrade block: the upgrade is done"
	}
	newest := slices.MaxFunc(slices.Collect(maps.Keys(p.Versions)), model.CompareVersions)
	if model.CompareVersions(newest, c.Version) > 0 {
		return fmt.Sprintf("bump kubernetes.version to %s", newest)
	}
	return "none: the newest version in the table"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
