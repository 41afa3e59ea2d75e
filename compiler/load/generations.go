package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/compiler/model"
)

// A cluster's live generations are the only state platformc keeps: build
// records them, oldest first, in clusters/<name>.lock.json, committed
// beside the cluster's file, with the one being retired if any. The next
// build derives the generations from that record and the cluster's file
// alone:
//
//	locked        kubernetes.version  upgrade               generations
//	-             V                   -                     V                      (first build)
//	V             V                   -                     V
//	X             V                   traffic: 0            X blue, V green        (the bump)
//	X, V          V                   traffic: T            X at 100-T, V at T
//	X, V          V                   T=100, retire         X retiring, V          (blue drained)
//	X, V (X ret.) V                   -                     V                      (blue removed)
//	X, V          X                   T=0, retire           X, V retiring          (upgrade abandoned)
//	X, V (V ret.) X                   -                     X                      (green removed)
//
// Retiring takes two reviewed steps because deleting safely takes two
// deliveries: while a generation is retiring, Argo CD still reaches it
// and deletes its tenants' objects, namespaces and Karpenter NodePools
// (model.Cluster.Serving); removing the upgrade block then removes its
// registration, and the plan destroys its stacks. Each state is a fixed
// point: building again from what a build wrote changes nothing.
// Everything else is refused at the position that would have to change.

// LockFile is the record of a cluster's live generations.
func LockFile(cluster string) string { return ClustersDir + "/" + cluster + ".lock.json" }

type lockRecord struct {
	Comment     string   `json:"comment"`
	Generations []string `json:"generations"`
	Retiring    string   `json:"retiring,omitempty"` // the version of the generation being retired
}

// Locks renders every cluster's lock file, as build writes them.
func Locks(p *model.Platform) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, c := range p.Clusters {
		r := lockRecord{Comment: "The live generations of cluster " + c.Name + ", oldest first. Written by platformc build; commit it with the cluster's file."}
		for _, g := range c.Generations() {
			r.Generations = append(r.Generations, g.Version)
			if g.Role == model.Retiring {
				r.Retiring = g.Version
			}
		}
		data, err := encode.JSON(r)
		if err != nil {
			return nil, err
		}
		out[LockFile(c.Name)] = data
	}
	return out, nil
}

// readLock returns what a cluster's lock file records, a zero record
// when there is none.
func readLock(fsys fs.FS, cluster string) (lockRecord, diag.List) {
	file := LockFile(cluster)
	data, err := readSource(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return lockRecord{}, nil
	}
	var r lockRecord
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	switch {
	case err != nil:
	case len(r.Generations) == 0 || len(r.Generations) > 2:
		err = fmt.Errorf("it must list one or two generations, not %d", len(r.Generations))
	case r.Retiring != "" && (len(r.Generations) != 2 || !slices.Contains(r.Generations, r.Retiring)):
		err = fmt.Errorf("the retiring generation %q must be one of two generations listed", r.Retiring)
	}
	if err != nil {
		return lockRecord{}, diag.List{diag.Errorf(model.Pos{File: file, Line: 1, Col: 1}, "", "unreadable: %v; restore it from git (it is written by platformc build)", err)}
	}
	return r, nil
}

// plan sets the cluster's generations from what its lock file records.
func plan(c *model.Cluster, lock lockRecord) (errs diag.List, warns []diag.Diagnostic) {
	path := func(f ...string) string { return diag.Path(append([]string{"clusters", c.Name}, f...)...) }
	up := c.Upgrade
	if up == nil {
		up = &model.Upgrade{TrafficPos: c.Pos, RetirePos: c.Pos}
	}
	refuse := func(pos model.Pos, field, format string, args ...any) {
		errs = append(errs, diag.Errorf(pos, path("upgrade", field), format, args...))
	}
	one := func(v string) {
		c.SetGenerations([]model.Generation{{Cluster: c, Version: v, Weight: 100, RunsJobs: true}})
	}
	two := func(blue, green string, traffic int) {
		c.SetGenerations([]model.Generation{
			{Cluster: c, Version: blue, Role: model.Blue, Weight: 100 - traffic, RunsJobs: traffic <= 50},
			{Cluster: c, Version: green, Role: model.Green, Weight: traffic, RunsJobs: traffic > 50},
		})
	}
	// retiring drains one of two generations: the other takes everything.
	retiring := func(blue, green, leaving string) {
		gs := []model.Generation{
			{Cluster: c, Version: blue, Role: model.Blue, Weight: 100, RunsJobs: true},
			{Cluster: c, Version: green, Role: model.Green, Weight: 100, RunsJobs: true},
		}
		for i := range gs {
			if gs[i].Version == leaving {
				gs[i] = model.Generation{Cluster: c, Version: leaving, Role: model.Retiring}
			}
		}
		c.SetGenerations(gs)
	}
	v, locked := c.Version, lock.Generations
	switch {
	case len(locked) == 0 || (len(locked) == 1 && locked[0] == v):
		one(v)
		if c.Upgrade != nil && c.Upgrade.Traffic > 0 {
			warns = append(warns, diag.Warningf(up.TrafficPos, "", "no upgrade is in progress on %s; upgrade has no effect and can be removed", c.Name))
		}
	case len(locked) == 1:
		blue := locked[0]
		switch {
		case model.Minor(v) < model.Minor(blue):
			errs = append(errs, diag.Errorf(c.VersionPos, path("kubernetes", "version"), "%s runs %s; moving back to %s is not an upgrade", c.Name, blue, v))
		case up.Traffic > 0:
			refuse(up.TrafficPos, "traffic", "the %s generation of %s does not exist yet: bump the version with traffic 0, let it be created and registered, then move traffic", v, c.Name)
		case up.Retire:
			refuse(up.RetirePos, "retire", "%s carries all traffic of %s: retiring it would leave no cluster", blue, c.Name)
		default:
			two(blue, v, 0)
			if skipped := model.Minor(v) - model.Minor(blue) - 1; skipped > 0 {
				warns = append(warns, diag.Warningf(c.VersionPos, "", "the upgrade from %s to %s skips %d minor version(s): verify the changes and API removals of each version in between on the green generation before moving traffic", blue, v, skipped))
			}
		}
	case lock.Retiring != "":
		blue, green, leaving := locked[0], locked[1], lock.Retiring
		stays := blue
		if leaving == blue {
			stays = green
		}
		switch {
		case v != stays:
			errs = append(errs, diag.Errorf(c.VersionPos, path("kubernetes", "version"), "the %s generation of %s is being retired and %s stays: keep kubernetes.version %q until the upgrade block is removed", leaving, c.Name, stays, stays))
		case c.Upgrade == nil:
			one(stays) // retired: the registration goes, and the plan destroys its stacks
		case !up.Retire:
			refuse(up.RetirePos, "retire", "the %s generation of %s is being retired: its tenants are drained, and there is no way back; keep retire: true, or remove the upgrade block to remove it", leaving, c.Name)
		default:
			retiring(blue, green, leaving)
		}
	case locked[1] == v:
		if up.Retire {
			if up.Traffic < 100 {
				refuse(up.RetirePos, "retire", "refused: the %s generation still carries %d%% of the traffic of %s; set traffic: 100 first", locked[0], 100-up.Traffic, c.Name)
				break
			}
			retiring(locked[0], v, locked[0])
			break
		}
		two(locked[0], v, up.Traffic)
	case locked[0] == v:
		switch {
		case !up.Retire:
			errs = append(errs, diag.Errorf(c.VersionPos, path("kubernetes", "version"), "abandoning the upgrade of %s to %s drains %s first: set upgrade: {traffic: 0, retire: true} with this version; once it is drained, remove the upgrade block", c.Name, locked[1], model.Generation{Cluster: c, Version: locked[1]}.Name()))
		case up.Traffic > 0:
			refuse(up.TrafficPos, "traffic", "refused: abandoning the upgrade of %s to %s, whose generation still carries %d%% of the traffic; set traffic: 0 first", c.Name, locked[1], up.Traffic)
		default:
			retiring(v, locked[1], locked[1])
		}
	default:
		errs = append(errs, diag.Errorf(c.VersionPos, path("kubernetes", "version"), "an upgrade of %s from %s to %s is in progress; finish it (traffic: 100, then retire: true) before moving to %s", c.Name, locked[0], locked[1], v))
	}
	return errs, warns
}

// checkSupport reports generations past the end of EKS support on today:
// past extended support is an error, past standard support a warning.
func checkSupport(p *model.Platform, c *model.Cluster, today time.Time) (errs diag.List, warns []diag.Diagnostic) {
	if today.IsZero() {
		return nil, nil
	}
	day := today.Format(time.DateOnly)
	for _, g := range c.Generations() {
		row := p.Versions[g.Version]
		switch {
		case day > row.ExtendedSupportEnd:
			errs = append(errs, diag.Errorf(c.VersionPos, diag.Path("clusters", c.Name, "kubernetes", "version"), "EKS extended support for %s ended on %s (%s): upgrade %s", g.Version, row.ExtendedSupportEnd, g.Name(), c.Name))
		case day > row.StandardSupportEnd:
			warns = append(warns, diag.Warningf(c.VersionPos, "", "EKS standard support for %s ended on %s (%s): it now costs extended support until %s", g.Version, row.StandardSupportEnd, g.Name(), row.ExtendedSupportEnd))
		}
	}
	return errs, warns
}
