package cli

import (
	"cmp"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print platformc's version, the commit it was built from, and Go's",
		Long: `version prints the module version platformc was built at ("(devel)" for a
build from a clone), the commit of the source tree, marked "modified" if the
tree had changes that were not committed, and the Go version: what a CI job
that pins platformc checks. platformc --version prints the same.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(e.stdout, "platformc", version())
			return nil
		},
	}
}

// version describes the running binary from its build information:
// "(devel) 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b modified go1.26.8".
func version() string {
	b := readBuild()
	if b.goVersion == "" {
		return "unknown (no build information)"
	}
	v := cmp.Or(b.version, "(devel)")
	revision := cmp.Or(b.revision, "no-commit")
	if b.modified {
		revision += " modified"
	}
	return fmt.Sprintf("%s %s %s", v, revision, b.goVersion)
}

// build is what the Go toolchain recorded of the running binary.
type build struct {
	version   string // the module's, "" or "(devel)" for a build from a clone
	revision  string // the commit of the source tree, "" if not recorded
	modified  bool   // the tree had changes not committed
	goVersion string // "" if nothing was recorded
}

func readBuild() build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return build{}
	}
	b := build{version: bi.Main.Version, goVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}
