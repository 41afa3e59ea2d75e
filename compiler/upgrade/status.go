package upgrade

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/platformc/platformc/compiler/model"
)

// Cluster is where one cluster's upgrade stands.
type Cluster struct {
	Cluster     string       `json:"cluster"`
	Generations []Generation `json:"generations"`
	NextStep    string       `json:"nextStep"`
}

// Generation is one live generation of a cluster.
type Generation struct {
	Name               string `json:"name"`
	Version            string `json:"version"`
	Role               string `json:"role"`
	Weight             int    `json:"weight"`
	RunsJobs           bool   `json:"runsJobs"`
	StandardSupportEnd string `json:"standardSupportEnd"`
	ExtendedSupportEnd string `json:"extendedSupportEnd"`
	DaysOfStandard     int    `json:"daysOfStandardSupport"` // from today; negative once it ended
	// Addons are the chart versions of the add-ons the generation
	// installs, by add-on: those of its Kubernetes version.
	Addons map[string]string `json:"addons,omitempty"`
}

// Status is where each cluster of p stands, in the clusters' order, as of
// today.
func Status(p *model.Platform, today time.Time) []Cluster {
	var all []Cluster
	for _, c := range p.Clusters {
		s := Cluster{Cluster: c.Name, NextStep: nextStep(p, c)}
		for _, g := range c.Generations() {
			row := p.Versions[g.Version]
			end, _ := time.Parse(time.DateOnly, row.StandardSupportEnd)
			s.Generations = append(s.Generations, Generation{
				Name: g.Name(), Version: g.Version, Role: string(g.Role), Weight: g.Weight, RunsJobs: g.RunsJobs,
				StandardSupportEnd: row.StandardSupportEnd, ExtendedSupportEnd: row.ExtendedSupportEnd,
				DaysOfStandard: int(end.Sub(today).Hours() / 24),
				Addons:         addonVersions(p, g),
			})
		}
		all = append(all, s)
	}
	return all
}

// ChartChange is an add-on whose chart version differs between blue and
// green; "" is no chart (the add-on is not on that generation).
type ChartChange struct {
	Addon, From, To string
}

// ChartChanges are, during an upgrade (two generations), the add-ons
// whose chart changes from blue to green: those green has, then those
// only blue has, each by name.
func (c Cluster) ChartChanges() []ChartChange {
	if len(c.Generations) != 2 {
		return nil
	}
	blue, green := c.Generations[0].Addons, c.Generations[1].Addons
	var out []ChartChange
	for _, name := range slices.Sorted(maps.Keys(green)) {
		if blue[name] != green[name] {
			out = append(out, ChartChange{Addon: name, From: blue[name], To: green[name]})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(blue)) {
		if _, ok := green[name]; !ok {
			out = append(out, ChartChange{Addon: name, From: blue[name]})
		}
	}
	return out
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
