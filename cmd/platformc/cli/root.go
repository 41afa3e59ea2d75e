package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/words"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitInvalid = 1 // invalid input, a failed check, or a failure to read or write
	ExitUsage   = 2 // unknown command or flag, wrong arguments
)

// env is what commands read and write besides their flags.
type env struct {
	stdout, stderr io.Writer
	workdir        string
	today          time.Time // the date EKS support windows are checked against

	cachesOnce sync.Once
	cacheSet   *compiler.Caches // see caches
}

// envToday, set to YYYY-MM-DD, replaces today's date: for tests, and for
// reproducing a CI run of another day.
const envToday = "PLATFORMC_TODAY"

// Main runs platformc with the process's arguments and returns the exit
// code.
func Main() int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "platformc:", err)
		return ExitInvalid
	}
	today := time.Now().UTC()
	if s := os.Getenv(envToday); s != "" {
		if today, err = time.Parse(time.DateOnly, s); err != nil {
			fmt.Fprintf(os.Stderr, "platformc: %s=%q: not a YYYY-MM-DD date\n", envToday, s)
			return ExitUsage
		}
	}
	e := &env{stdout: os.Stdout, stderr: os.Stderr, workdir: wd, today: today}
	// Everything platformc says goes through e. jsii's Go runtime writes
	// straight to os.Stderr, and races itself when its Node.js process
	// ends ("Runtime process exited abnormally: waitid: no child
	// processes", harmless); its failures reach us as errors anyway.
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = null
		defer func() { os.Stderr = e.stderr.(*os.File) }()
	}
	// Importing the AWS CDK prepares a jsii runtime; Close removes it.
	defer jsiisynth.Close()
	return run(os.Args[1:], e)
}

// failure is an error from a command's own work, as opposed to an error
// cobra reports about the command line.
type failure struct{ err error }

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

// exitCode ends a command with a code and no message, as "diff
// --exit-code" does when there are differences.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

func fail(err error) error {
	if err == nil {
		return nil
	}
	return failure{err}
}

func run(args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "platformc: internal error: %v\nThis is a bug in platformc; please report it with the command you ran.\n", r)
			code = ExitInvalid
		}
	}()
	root := newRoot(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec)
	}
	var f failure
	if !errors.As(err, &f) {
		fmt.Fprintf(e.stderr, "platformc: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return ExitUsage
	}
	return report(e, err)
}

// report prints the error of a command that failed and returns its exit
// code.
func report(e *env, err error) int {
	var errs diag.List
	if errors.As(err, &errs) {
		for _, le := range errs {
			fmt.Fprintln(e.stderr, le)
		}
		fmt.Fprintf(e.stderr, "platformc: %s in the platform's sources\n", words.Plural(len(errs), "error"))
		return ExitInvalid
	}
	fmt.Fprintln(e.stderr, "platformc:", err)
	return ExitInvalid
}

// rootFlags are the flags every command has.
type rootFlags struct {
	root string // the platform's root folder
}

func newRoot(e *env) *cobra.Command {
	var rf rootFlags
	root := &cobra.Command{
		Use:   "platformc",
		Short: "Compile a platform's CUE sources into GitOps outputs",
		Long: `platformc compiles one CUE source of truth — clusters/<name>.cue, one file
per cluster, and tenants/<name>.cue, one file per product team — into
Kustomize overlays and the other outputs that Argo CD applies.

The platform's root is the nearest folder, from the current one upwards,
that holds a clusters/ folder; --root names it explicitly.`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			HiddenDefaultCmd: true,
		},
	}
	root.SetVersionTemplate("platformc {{.Version}}\n")
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.PersistentFlags().StringVar(&rf.root, "root", "", "the platform's root folder (default: found from the current folder upwards)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.AddCommand(
		newBuildCmd(e, &rf),
		newValidateCmd(e, &rf),
		newDiffCmd(e, &rf),
		newPlanCmd(e, &rf),
		newPublishCmd(e, &rf),
		newUpgradeCmd(e, &rf),
		newLintCmd(e, &rf),
		newOwnersCmd(e, &rf),
		newSetCmd(e, &rf),
		newNewCmd(e, &rf),
		newInitCmd(e),
		newCompletionCmd(e),
		newSynthCmd(e, &rf),
		newVersionCmd(e),
	)
	return root
}

// platformRoot returns the folder named by --root, or the nearest folder
// from the working directory upwards that holds a clusters/ folder.
func (rf *rootFlags) platformRoot(e *env) (string, error) {
	if rf.root != "" {
		return abs(e, rf.root), nil
	}
	for dir := e.workdir; ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, load.ClustersDir)); err == nil && fi.IsDir() {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no platform found: neither %s nor a folder above it holds a %s/ folder (use --root)", e.workdir, load.ClustersDir)
		}
	}
}

// abs resolves p against the working directory.
func abs(e *env, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(e.workdir, p)
}

// rel shows p relative to the working directory where that is shorter.
func rel(e *env, p string) string {
	if r, err := filepath.Rel(e.workdir, p); err == nil && len(r) < len(p) {
		return r
	}
	return p
}

// noArgs is cobra.NoArgs with a message that names the command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// reportFormat checks the --format of a report (diff, plan): a usage
// error unless text, markdown or json.
func reportFormat(format string) error {
	switch format {
	case "text", "markdown", "json":
		return nil
	}
	return fmt.Errorf("--format must be text, markdown or json, not %q", format)
}

// stacks says what a compilation does with the AWS stacks.
type stacks int

const (
	noStacks      stacks = iota // the Kubernetes side alone
	plannedStacks               // their preconditions checked, none synthesised: no Node.js
	builtStacks                 // synthesised where their inputs changed
)

// options are the options of a compilation: today's date, the memory
// bound, the caches and, unless envAWS is off, the AWS stacks.
func (e *env) options(aws stacks) []compiler.Option {
	limit, exceeded := e.memoryLimit()
	opts := []compiler.Option{compiler.Today(e.today), compiler.MemoryLimit(limit, exceeded), compiler.WithCaches(e.caches())}
	if os.Getenv(envAWS) == "off" {
		return opts
	}
	switch aws {
	case plannedStacks:
		opts = append(opts, compiler.WithAWS(nil, nil, nil))
	case builtStacks:
		opts = append(opts, e.stacks())
	}
	return opts
}

// stacks adds the AWS stacks, synthesised by the AWS CDK on Node.js;
// progress shows on a terminal only.
func (e *env) stacks() compiler.Option {
	var progress io.Writer
	if isTerminal(e.stderr) {
		progress = e.stderr
	}
	return compiler.WithAWS(jsiisynth.Synthesizer{Progress: progress}, nil, progress)
}

// loadPlatform finds the platform's root and loads it, printing its
// warnings.
func loadPlatform(e *env, rf *rootFlags) (string, *model.Platform, error) {
	root, err := rf.platformRoot(e)
	if err != nil {
		return "", nil, err
	}
	p, err := compiler.Load(os.DirFS(root), e.options(noStacks)...)
	if err != nil {
		return "", nil, err
	}
	warn(e, p)
	return root, p, nil
}

func warn(e *env, p *model.Platform) {
	for _, w := range p.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
}

// envMemoryLimit bounds, in MiB, the memory that evaluating the sources
// may take (default 4096; "off" for no bound): past it, platformc names
// the files being evaluated and exits 1, rather than being killed.
const envMemoryLimit = "PLATFORMC_MEMORY_LIMIT"

// memoryLimit is the bound of envMemoryLimit and what to do past it: the
// evaluation cannot be stopped, so the process ends, as a failed command.
func (e *env) memoryLimit() (uint64, func(error)) {
	mib := uint64(4096)
	switch s := os.Getenv(envMemoryLimit); s {
	case "off":
		return 0, nil
	case "":
	default:
		if _, err := fmt.Sscan(s, &mib); err != nil || mib == 0 {
			mib = 4096
			fmt.Fprintf(e.stderr, "platformc: warning: %s=%q is not a number of MiB; using %d\n", envMemoryLimit, s, mib)
		}
	}
	return mib << 20, func(err error) { os.Exit(report(e, err)) }
}

// envCache names the folder of the caches (compiler.Caches), by default
// compiler.DefaultCacheDir; "off" keeps them in memory only.
const envCache = "PLATFORMC_CACHE"

// caches are the process's caches, in the folder envCache names, opened
// once: a diff's base and work tree share them.
func (e *env) caches() *compiler.Caches {
	e.cachesOnce.Do(func() {
		switch dir := os.Getenv(envCache); dir {
		case "off":
			e.cacheSet = compiler.OpenCaches("")
		case "":
			e.cacheSet = compiler.OpenCaches(compiler.DefaultCacheDir())
		default:
			e.cacheSet = compiler.OpenCaches(dir)
		}
	})
	return e.cacheSet
}

// envAWS set to "off" leaves the AWS stacks out of build, diff and
// publish: the Kubernetes, Argo CD and External Secrets outputs alone, with
// no Node.js (make bench measures them so).
const envAWS = "PLATFORMC_AWS"
