package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue"
	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/cueedit"
	"github.com/platformc/platformc/internal/words"
)

// What the commands that write sources (set, new, init) share: each
// validates the whole platform with its change in memory, and writes
// nothing unless the result is valid.

// validateWith runs every check of a build (compiler.Validate) on the
// platform rooted at root with files (paths relative to root,
// slash-separated) in place of, or added to, those on disk.
func validateWith(e *env, root string, files map[string][]byte) (*model.Platform, error) {
	var base = os.DirFS(root)
	if root == "" {
		base = nil
	}
	return compiler.Validate(cueedit.Overlay{Base: base, Files: files}, e.options(plannedStacks)...)
}

// rejected ends a command whose change would make the platform invalid:
// it prints each problem once, as file:line:col: path: message, and
// returns the failure, which says what was left alone.
func rejected(e *env, err error, unchanged string) error {
	var errs diag.List
	if !errors.As(err, &errs) {
		return fail(err)
	}
	for _, le := range errs {
		fmt.Fprintln(e.stderr, le)
	}
	return fail(fmt.Errorf("%s in the platform with this change; %s", words.Plural(len(errs), "error"), unchanged))
}

// invalidPlatform ends a command that needs a valid platform to start
// from.
func invalidPlatform(e *env, err error) error {
	var errs diag.List
	if !errors.As(err, &errs) {
		return fail(err)
	}
	for _, le := range errs {
		fmt.Fprintln(e.stderr, le)
	}
	return fail(fmt.Errorf("%s in the platform's sources; fix them first (platformc validate)", words.Plural(len(errs), "error")))
}

// checkName refuses a name that cannot be a file name of the sources'
// folders. Whether it is a valid tenant or cluster name is the schema's to
// say, at the position where the new file writes it.
func checkName(what, name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return fmt.Errorf("%q is not a %s name: use lowercase letters, digits and '-'", name, what)
	}
	return nil
}

// sourceFile is the file that defines an entry: tenants/NAME.cue or
// clusters/NAME.cue, relative to the platform's root.
func sourceFile(dir, name string) string { return dir + "/" + name + ".cue" }

// cuePathOf formats a CUE path, quoting labels that need it.
func cuePathOf(labels ...string) string {
	sels := make([]cue.Selector, len(labels))
	for i, l := range labels {
		sels[i] = cue.Str(l)
	}
	return cue.MakePath(sels...).String()
}

// onDisk is a root-relative path as a path of the file system.
func onDisk(root, p string) string { return filepath.Join(root, filepath.FromSlash(p)) }

// subcommandArgs refuses arguments to a command that only groups others.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

// needSubcommand runs a command that only groups others.
func needSubcommand(cmd *cobra.Command, _ []string) error {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return fmt.Errorf("%s needs a subcommand: %s", cmd.CommandPath(), strings.Join(names, ", "))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
