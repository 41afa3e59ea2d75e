package diff

import (
	"path"
	"strings"

	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/model"
)

// Retiring is the role of a generation that the head no longer has while
// its cluster lives on: the blue generation that retire removes.
const Retiring = "blue, retiring"

// Generations places each change on its cluster generation and that
// generation's part in a blue/green upgrade, from the platforms of the two
// sides (either may be nil), so that "deletes namespace billing" says
// whether it happens on the live generation or on the one being retired.
func (r *Report) Generations(base, head *model.Platform) {
	roles := map[string]string{} // generation -> role
	var prefixes []string        // "<platform>-", how stacks start
	for _, p := range []*model.Platform{base, head} {
		if p == nil {
			continue
		}
		prefixes = append(prefixes, p.Config.Name+"-")
		for _, c := range p.Clusters {
			for _, g := range c.Generations() {
				roles[g.Name()] = string(g.Role)
				// A base generation of a cluster that lives on is being
				// retired, unless the head still has it (it comes next).
				if p == base && head != nil && head.Cluster(c.Name) != nil {
					roles[g.Name()] = Retiring
				}
			}
		}
	}
	for i := range r.Changes {
		c := &r.Changes[i]
		if g, ok := generationOf(c.Unit, roles, prefixes); ok {
			c.Generation, c.Role = g, roles[g]
		}
	}
}

// generationOf returns the generation a unit belongs to: the last folder
// of an overlay, a cluster's or an add-on's unit ("clusters/prod-1-34"),
// or the generation that names a stack ("cdk/acme-prod-1-34-addons").
func generationOf(unit string, roles map[string]string, prefixes []string) (string, bool) {
	stack, ok := strings.CutPrefix(unit, layout.CDK+"/")
	if !ok {
		g := path.Base(unit)
		_, ok := roles[g]
		return g, ok
	}
	best := ""
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(stack, p)
		if !ok {
			continue
		}
		for g := range roles {
			if (rest == g || strings.HasPrefix(rest, g+"-")) && len(g) > len(best) {
				best = g
			}
		}
	}
	return best, best != ""
}
