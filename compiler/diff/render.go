package diff

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	godiff "github.com/rogpeppe/go-internal/diff"

	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/internal/words"
)

// Row counts the changes of one tenant on one cluster.
type Row struct {
	Tenant   string `json:"tenant"`
	Cluster  string `json:"cluster"`
	Added    int    `json:"added"`
	Modified int    `json:"modified"`
	Removed  int    `json:"removed"`
}

// Summary counts the changes per tenant and cluster, platform-wide
// changes under the tenant "(platform)".
func (r *Report) Summary() []Row {
	var rows []Row
	for _, c := range r.Changes {
		t, cl := cmp.Or(c.Tenant, "(platform)"), cmp.Or(c.Cluster, "-")
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Tenant == t && r.Cluster == cl })
		if i < 0 {
			rows = append(rows, Row{Tenant: t, Cluster: cl})
			i = len(rows) - 1
		}
		switch c.Action {
		case Added:
			rows[i].Added++
		case Modified:
			rows[i].Modified++
		case Removed:
			rows[i].Removed++
		}
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Cluster, b.Cluster)) })
	return rows
}

// where says whose change it is and where it lands: the tenant, and the
// cluster generation with its part in an upgrade, "billing on
// prod-shared-1-35 (blue, retiring)".
func (c Change) where() string {
	s := c.whose() + " on " + cmp.Or(c.Generation, c.Cluster, "the management cluster")
	if c.Role != "" {
		s += " (" + c.Role + ")"
	}
	return s
}

// owner is for a unit's heading, which names the generation already:
// "billing on prod-shared, blue, retiring".
func (c Change) owner() string {
	s := c.whose() + " on " + cmp.Or(c.Cluster, "the management cluster")
	if c.Role != "" {
		s += ", " + c.Role
	}
	return s
}

func (c Change) whose() string { return cmp.Or(c.Tenant, "platform") }

var marks = map[Action]string{Added: "+", Modified: "~", Removed: "-"}

// patch is the unified diff of the change's YAML, without the first line
// that names the two sides.
func (c Change) patch() string {
	d := string(godiff.Diff("before", []byte(c.Before), "after", []byte(c.After)))
	_, rest, _ := strings.Cut(d, "\n")
	return rest
}

func (r *Report) header() string {
	if len(r.Changes) == 0 {
		return fmt.Sprintf("No changes to the generated outputs (base %s).", r.Base)
	}
	return fmt.Sprintf("%s changed (base %s).", words.Plural(len(r.Changes), "object"), r.Base)
}

// Text writes the report for a terminal or a CI log: risky changes, the
// summary, then every change with its diff.
func (r *Report) Text(w io.Writer) error {
	var b strings.Builder
	if r.BaseErr != "" {
		fmt.Fprintf(&b, "The base (%s) does not compile, so everything is shown as added:\n%s\n", r.Base, indent(r.BaseErr, "  "))
	}
	b.WriteString(r.header() + "\n")
	if risky := r.Risky(); len(risky) > 0 {
		fmt.Fprintf(&b, "\nRisky changes (%d):\n", len(risky))
		for _, c := range risky {
			fmt.Fprintf(&b, "  ! %s: %s: %s\n", c.where(), c.Object, c.Risk)
		}
	}
	if len(r.Changes) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  TENANT\tCLUSTER\tADDED\tMODIFIED\tREMOVED")
		for _, row := range r.Summary() {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\n", row.Tenant, row.Cluster, row.Added, row.Modified, row.Removed)
		}
		tw.Flush()
	}
	unit := ""
	for _, c := range r.Changes {
		if c.Unit != unit {
			unit = c.Unit
			fmt.Fprintf(&b, "\n%s (%s)\n", unit, c.owner())
		}
		fmt.Fprintf(&b, "%s %s %s\n", marks[c.Action], c.Object, c.Object.APIVersion)
		if c.Action == Modified {
			b.WriteString(indent(c.patch(), "    "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MarkdownLimit is the size of a GitHub pull request comment.
const MarkdownLimit = 65536

// Markdown writes the report as one pull request comment of at most limit
// characters: risky changes and the summary first, then a collapsible
// section per tenant. Sections that do not fit are left out, with a note.
func (r *Report) Markdown(w io.Writer, limit int) error {
	var head strings.Builder
	head.WriteString("### platformc diff\n\n" + r.header() + "\n")
	if r.BaseErr != "" {
		fmt.Fprintf(&head, "\n> [!WARNING]\n> The base does not compile, so everything is shown as added:\n>\n> ```\n%s\n> ```\n", indent(r.BaseErr, "> "))
	}
	if risky := r.Risky(); len(risky) > 0 {
		fmt.Fprintf(&head, "\n> [!CAUTION]\n> **%s**\n", words.Plural(len(risky), "risky change"))
		for _, c := range risky {
			fmt.Fprintf(&head, "> - %s: `%s`: %s\n", c.where(), c.Object, c.Risk)
		}
	}
	if rows := r.Summary(); len(rows) > 0 {
		head.WriteString("\n| tenant | cluster | added | modified | removed |\n|---|---|--:|--:|--:|\n")
		for _, row := range rows {
			fmt.Fprintf(&head, "| %s | %s | %d | %d | %d |\n", row.Tenant, row.Cluster, row.Added, row.Modified, row.Removed)
		}
	}
	out := head.String()
	groups := r.byTenant()
	for i, g := range groups {
		section := g.markdown()
		note := fmt.Sprintf("\n> [!NOTE]\n> %d of %d tenant sections are not shown: this comment would exceed %d characters. Run `platformc diff` for the whole difference.\n", len(groups)-i, len(groups), limit)
		if len(out)+len(section)+len(note) > limit {
			out += note
			break
		}
		out += section
	}
	_, err := io.WriteString(w, out)
	return err
}

type group struct {
	tenant  string
	changes []Change
}

func (r *Report) byTenant() []group {
	var gs []group
	for _, c := range r.Changes {
		t := cmp.Or(c.Tenant, "(platform)")
		if len(gs) == 0 || gs[len(gs)-1].tenant != t {
			gs = append(gs, group{tenant: t})
		}
		gs[len(gs)-1].changes = append(gs[len(gs)-1].changes, c)
	}
	return gs
}

func (g group) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", g.tenant, words.Plural(len(g.changes), "change"))
	for _, c := range g.changes {
		fmt.Fprintf(&b, "%s `%s` in `%s`\n", marks[c.Action], c.Object, c.Unit)
		if c.Action == Modified {
			fmt.Fprintf(&b, "\n```diff\n%s```\n\n", c.patch())
		}
	}
	b.WriteString("</details>\n")
	return b.String()
}

// JSON writes the report, with its summary, for bots.
func (r *Report) JSON(w io.Writer) error {
	data, err := encode.JSON(struct {
		*Report
		Summary []Row `json:"summary"`
	}{r, r.Summary()})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "") + "\n"
}
