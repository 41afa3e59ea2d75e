package cli

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/module"

	"github.com/platformc/platformc/internal/atomicfile"
	"github.com/platformc/platformc/internal/scaffold"
)

type initOptions struct {
	force                       bool
	name, repo, account, region string
}

func newInitCmd(e *env) *cobra.Command {
	opts := initOptions{account: "111111111111", region: "us-east-1"}
	cmd := &cobra.Command{
		Use:   "init [DIR] [--force]",
		Short: "Start a new platform repository",
		Long: `init writes a new platform's source repository into DIR (default: the
current folder), from templates built into platformc:

  platform.cue                  the platform's settings, one environment "dev"
  clusters/dev-shared.cue       a shared cluster
  tenants/hello.cue             a tenant with one service
  cue.mod/module.cue            makes the sources a CUE module, for editors
  cdk.json                      the AWS CDK CLI's app: platformc synth
  Makefile                      make build, check, validate, diff
  .gitignore
  .github/workflows/            pull requests get a platformc diff comment;
                                merges to main are checked and published

Every file is commented; replace the example accounts, region and
repository (or give them with --account, --region, --repo) before the first
build. The platform is validated before anything is written. init refuses
to replace existing files unless --force is given.`,
		Example: `  # A new repository in ./acme-platform, then its first build
  platformc init acme-platform --repo https://github.com/acme/platform-manifests.git
  cd acme-platform && platformc build`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("%s takes at most one argument, DIR; got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := e.workdir
			if len(args) == 1 {
				dir = abs(e, args[0])
			}
			return initRun(e, &opts, dir)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.force, "force", false, "replace files that exist")
	fl.StringVar(&opts.name, "name", "", "the platform's name, which prefixes its AWS names (default: from DIR)")
	fl.StringVar(&opts.repo, "repo", "", "the manifest repository's URL (default: an example to replace)")
	fl.StringVar(&opts.account, "account", opts.account, "the AWS account of Argo CD and of the first environment")
	fl.StringVar(&opts.region, "region", opts.region, "the AWS region of Argo CD and of the first environment")
	for _, f := range []string{"name", "repo", "account", "region"} {
		cmd.RegisterFlagCompletionFunc(f, fixed())
	}
	return cmd
}

func initRun(e *env, opts *initOptions, dir string) error {
	name := opts.name
	if name == "" {
		name = platformName(filepath.Base(dir))
	}
	repo := opts.repo
	if repo == "" {
		repo = "https://git.example.com/" + name + "/platform-manifests.git"
	}
	versions, err := scaffold.KnownVersions()
	if err != nil || len(versions) == 0 {
		return fail(fmt.Errorf("embedded schema: no Kubernetes versions: %v", err))
	}
	r := scaffold.Repository{
		Name: name, RepoURL: repo, Account: opts.account, Region: opts.region,
		Environment: "dev",
		Cluster: scaffold.Cluster{
			Name: "dev-shared", Environment: "dev", Account: opts.account, Region: opts.region,
			Version: versions[len(versions)-1], Tenancy: "shared", Capacity: "auto",
			Zone: "dev.example.com", CIDR: "10.0.0.0/16",
		},
		Tenant: scaffold.Tenant{
			Name: "hello", Owners: []string{"team-hello"}, Clusters: []string{"dev-shared"},
			Services: []scaffold.Service{{
				Name:  "web",
				Image: opts.account + ".dkr.ecr." + opts.region + ".amazonaws.com/hello-web:0.1.0",
				Host:  "hello.dev.example.com",
			}},
		},
		Module:           "platformc.example/" + name + "@v0",
		CUEVersion:       scaffold.CUELanguageVersion,
		PlatformcVersion: platformcVersion(),
	}
	files, err := scaffold.Init(r)
	if err != nil {
		return fail(err)
	}
	var existing []string
	sources := map[string][]byte{}
	for _, f := range files {
		if exists(onDisk(dir, f.Path)) {
			existing = append(existing, f.Path)
		}
		if strings.HasSuffix(f.Path, ".cue") && !strings.HasPrefix(f.Path, "cue.mod/") {
			sources[f.Path] = f.Data
		}
	}
	if len(existing) > 0 && !opts.force {
		return fail(fmt.Errorf("%s already has %s: nothing is written (--force replaces them)", rel(e, dir), strings.Join(existing, ", ")))
	}
	// Validate with whatever the folder holds besides.
	base := dir
	if _, err := os.Stat(dir); err != nil {
		base = ""
	}
	if _, err := validateWith(e, base, sources); err != nil {
		return rejected(e, err, "nothing is written")
	}
	for _, f := range files {
		p := onDisk(dir, f.Path)
		if slices.Contains(existing, f.Path) {
			err = atomicfile.WriteFile(p, f.Data)
		} else {
			err = atomicfile.Create(p, f.Data)
		}
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "created %s\n", filepath.Join(rel(e, dir), filepath.FromSlash(f.Path)))
	}
	if opts.name == "" {
		fmt.Fprintf(e.stdout, "\nThe platform is named %q after its folder %q: the name prefixes every AWS\nname platformc makes. To choose another, run init again with --force --name.\n", name, filepath.Base(dir))
	}
	fmt.Fprintf(e.stdout, `
Next: replace the example accounts, region, DNS zone and repository in
platform.cue and clusters/, then
  platformc build     # writes out/, which is committed
  git init && git add -A && git commit -m "A new platform"
`)
	return nil
}

// platformName makes a platform name out of a folder's name: 2 to 12
// lowercase letters or digits, starting with a letter.
func platformName(s string) string {
	s = regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(strings.ToLower(s), "")
	s = strings.TrimLeft(s, "0123456789")
	s = strings.TrimSuffix(s, "platform")
	if len(s) > 12 {
		s = s[:12]
	}
	if len(s) < 2 {
		return "acme"
	}
	return s
}

// platformcVersion is the git ref of platformc that CI should build: this
// binary's release tag, or else the commit it was built from, or else main.
func platformcVersion() string {
	b := readBuild()
	if v := b.version; strings.HasPrefix(v, "v") && !module.IsPseudoVersion(v) && !strings.HasSuffix(v, "+dirty") {
		return v // a release tag
	}
	return cmp.Or(b.revision, "main")
}
