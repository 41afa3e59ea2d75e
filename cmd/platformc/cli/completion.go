package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/internal/cueedit"
	"github.com/platformc/platformc/internal/scaffold"
)

func newCompletionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script",
		Long: `completion prints the script that makes your shell complete platformc's
commands and flags, and the names of the platform's tenants, their services
and jobs, clusters and environments where a command takes them.

Bash (needs the bash-completion package):
  source <(platformc completion bash)                       # this shell
  platformc completion bash > /etc/bash_completion.d/platformc  # every shell

Zsh (needs "autoload -U compinit; compinit" in ~/.zshrc):
  platformc completion zsh > "${fpath[1]}/_platformc"

Fish:
  platformc completion fish > ~/.config/fish/completions/platformc.fish

PowerShell:
  platformc completion powershell | Out-String | Invoke-Expression`,
		Example:   `  platformc completion bash > /etc/bash_completion.d/platformc`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%s needs one argument: bash, zsh, fish or powershell", cmd.CommandPath())
			}
			return cobra.OnlyValidArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			var err error
			switch args[0] {
			case "bash":
				err = root.GenBashCompletionV2(e.stdout, true)
			case "zsh":
				err = root.GenZshCompletion(e.stdout)
			case "fish":
				err = root.GenFishCompletion(e.stdout, true)
			case "powershell":
				err = root.GenPowerShellCompletionWithDesc(e.stdout)
			}
			return fail(err)
		},
	}
}

// Dynamic completion reads only the names of the platform's files and
// their syntax, not the whole platform: it must be fast, and work while a
// file is being edited and the platform is invalid.

// entryNames lists the entries of a sources folder (clusters or tenants)
// of the platform rooted at root: its .cue files, as the loader reads them.
func entryNames(root, dir string) []string {
	entries, err := os.ReadDir(onDisk(root, dir))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || path.Ext(n) != ".cue" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		names = append(names, strings.TrimSuffix(n, ".cue"))
	}
	slices.Sort(names)
	return names
}

// completeEntries completes the names of the entries of dir.
func completeEntries(e *env, rf *rootFlags, dir string) ([]string, cobra.ShellCompDirective) {
	root, err := rf.platformRoot(e)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return entryNames(root, dir), cobra.ShellCompDirectiveNoFileComp
}

// completeSetImage completes "set image": a tenant, then one of its
// services (or jobs), then the workload's current image up to its tag.
func completeSetImage(e *env, rf *rootFlags, opts *setImageOptions, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	if len(args) == 0 {
		return completeEntries(e, rf, load.TenantsDir)
	}
	if len(args) > 2 || checkName("tenant", args[0]) != nil {
		return nil, none
	}
	root, err := rf.platformRoot(e)
	if err != nil {
		return nil, none
	}
	file := sourceFile(load.TenantsDir, args[0])
	src, err := os.ReadFile(onDisk(root, file))
	if err != nil {
		return nil, none
	}
	kind := cueedit.Services
	if opts.job {
		kind = cueedit.Jobs
	}
	if len(args) == 1 {
		services, jobs := cueedit.ParseWorkloads(file, src, args[0])
		if opts.job {
			return jobs, none
		}
		return services, none
	}
	image, ok := cueedit.Image(file, src, args[0], kind, args[1])
	if !ok {
		return nil, none
	}
	// The repository, ready for a new tag.
	if i := strings.LastIndexAny(image, ":@"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return []string{image + ":"}, none | cobra.ShellCompDirectiveNoSpace
}

// completeEnvironments completes the environments that platform.cue
// declares.
func completeEnvironments(e *env, rf *rootFlags) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	root, err := rf.platformRoot(e)
	if err != nil {
		return nil, none
	}
	src, err := os.ReadFile(onDisk(root, load.PlatformFile))
	if err != nil {
		return nil, none
	}
	f, err := parser.ParseFile(load.PlatformFile, src)
	if err != nil {
		return nil, none
	}
	var names []string
	for _, p := range structFields(f.Decls, "platform") {
		for _, envs := range structFields(elements(p), "environments") {
			for _, d := range elements(envs) {
				if fd, ok := d.(*ast.Field); ok {
					if n, _, err := ast.LabelName(fd.Label); err == nil && !slices.Contains(names, n) {
						names = append(names, n)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names, none
}

// completeVersions completes the Kubernetes versions of the schema's EKS
// versions table.
func completeVersions() ([]string, cobra.ShellCompDirective) {
	v, err := scaffold.KnownVersions()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return v, cobra.ShellCompDirectiveNoFileComp
}

// fixed completes one of a fixed list of values.
func fixed(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// structFields returns the values of the fields of decls with the given
// label.
func structFields(decls []ast.Decl, label string) []ast.Expr {
	var out []ast.Expr
	for _, d := range decls {
		if fd, ok := d.(*ast.Field); ok {
			if n, _, err := ast.LabelName(fd.Label); err == nil && n == label {
				out = append(out, fd.Value)
			}
		}
	}
	return out
}

func elements(v ast.Expr) []ast.Decl {
	if s, ok := v.(*ast.StructLit); ok {
		return s.Elts
	}
	return nil
}

// exists reports whether the file at p exists.
func exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
