package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/upgrade"
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

func upgradeStatusRun(e *env, rf *rootFlags, opts *upgradeStatusOptions) error {
	_, p, err := loadPlatform(e, rf)
	if err != nil {
		return err
	}
	all := upgrade.Status(p, e.today)
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
		if changes := s.ChartChanges(); len(changes) > 0 {
			fmt.Fprintf(e.stdout, "\n%s: add-on charts on %s -> %s:\n", s.Cluster, s.Generations[0].Name, s.Generations[1].Name)
			for _, c := range changes {
				fmt.Fprintf(e.stdout, "  %s %s -> %s\n", c.Addon, orDash(c.From), orDash(c.To))
			}
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
