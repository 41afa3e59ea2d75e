package cli

import (
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
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	revision, modified := "no-commit", ""
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			revision = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			modified = " modified"
		}
	}
	return fmt.Sprintf("%s %s%s %s", v, revision, modified, bi.GoVersion)
}
