package upgrade_test

import (
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/upgrade"
)

func sample(t *testing.T) *model.Platform {
	t.Helper()
	p, err := load.Load(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cluster(t *testing.T, p *model.Platform, name string) *model.Cluster {
	t.Helper()
	i := slices.IndexFunc(p.Clusters, func(c *model.Cluster) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no cluster %s in the sample", name)
	}
	return p.Clusters[i]
}

func statusOf(t *testing.T, p *model.Platform, name string, today time.Time) upgrade.Cluster {
	t.Helper()
	for _, s := range upgrade.Status(p, today) {
		if s.Cluster == name {
			return s
		}
	}
	t.Fatalf("no status for %s", name)
	return upgrade.Cluster{}
}

// TestNextStep walks a cluster through an upgrade: each state names the
// change that leads to the next one.
func TestNextStep(t *testing.T) {
	for _, tc := range []struct {
		name    string
		set     func(c *model.Cluster)
		want    string
		weights []int
	}{
		{"an older version", func(c *model.Cluster) {
			c.Version = "1.34"
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.34", Weight: 100, RunsJobs: true}})
		}, "bump kubernetes.version to 1.36", []int{100}},
		{"green without traffic", func(c *model.Cluster) {
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.35", Role: model.Blue, Weight: 100, RunsJobs: true}, {Cluster: c, Version: "1.36", Role: model.Green}})
		}, "verify prod-shared-1-36, then set upgrade: traffic: 10", []int{100, 0}},
		{"green with some traffic", func(c *model.Cluster) {
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.35", Role: model.Blue, Weight: 60, RunsJobs: true}, {Cluster: c, Version: "1.36", Role: model.Green, Weight: 40}})
		}, "raise upgrade.traffic (now 40) step by step to 100", []int{60, 40}},
		{"green with all traffic", func(c *model.Cluster) {
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.35", Role: model.Blue}, {Cluster: c, Version: "1.36", Role: model.Green, Weight: 100, RunsJobs: true}})
		}, "set upgrade: retire: true to drain prod-shared-1-35", []int{0, 100}},
		{"blue retiring", func(c *model.Cluster) {
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.35", Role: model.Retiring}, {Cluster: c, Version: "1.36", Role: model.Green, Weight: 100, RunsJobs: true}})
		}, "once Argo CD has deleted the tenants of prod-shared-1-35 (platformc plan: drain), remove the upgrade block to remove it", []int{0, 100}},
		{"an upgrade block left", func(c *model.Cluster) {
			c.Version, c.Upgrade = "1.36", &model.Upgrade{Traffic: 100, Retire: true}
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.36", Weight: 100, RunsJobs: true}})
		}, "remove the upgrade block: the upgrade is done", []int{100}},
		{"the newest version", func(c *model.Cluster) {
			c.Version = "1.36"
			c.SetGenerations([]model.Generation{{Cluster: c, Version: "1.36", Weight: 100, RunsJobs: true}})
		}, "none: the newest version in the table", []int{100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := sample(t)
			tc.set(cluster(t, p, "prod-shared"))
			s := statusOf(t, p, "prod-shared", time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
			if s.NextStep != tc.want {
				t.Errorf("next step %q, want %q", s.NextStep, tc.want)
			}
			var weights []int
			for _, g := range s.Generations {
				weights = append(weights, g.Weight)
			}
			if !reflect.DeepEqual(weights, tc.weights) {
				t.Errorf("weights %v, want %v", weights, tc.weights)
			}
		})
	}
}

// TestDaysOfStandardSupport counts from today to the end of the
// version's standard support, negative once it ended.
func TestDaysOfStandardSupport(t *testing.T) {
	p := sample(t)
	end, err := time.Parse(time.DateOnly, p.Versions["1.35"].StandardSupportEnd)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{30, 0, -5} {
		g := statusOf(t, p, "prod-shared", end.AddDate(0, 0, -days)).Generations[0]
		if g.Version != "1.35" || g.DaysOfStandard != days {
			t.Errorf("%d days before the end: %s has %d days", days, g.Version, g.DaysOfStandard)
		}
	}
}

// TestChartChanges lists the charts green changes, then those it drops.
func TestChartChanges(t *testing.T) {
	c := upgrade.Cluster{Generations: []upgrade.Generation{
		{Addons: map[string]string{"a": "1.0", "b": "2.0", "c": "3.0"}},
		{Addons: map[string]string{"a": "1.0", "b": "2.1", "d": "0.1"}},
	}}
	want := []upgrade.ChartChange{{"b", "2.0", "2.1"}, {"d", "", "0.1"}, {"c", "3.0", ""}}
	if got := c.ChartChanges(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	c.Generations = c.Generations[:1]
	if got := c.ChartChanges(); got != nil {
		t.Errorf("one generation: got %v, want none", got)
	}
}
