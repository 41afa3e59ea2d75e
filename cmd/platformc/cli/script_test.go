package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/internal/jsiitest"
)

var update = flag.Bool("update", false, "update the testscript files' golden output")

// TestMain runs the tests, or platformc when a script runs it.
func TestMain(m *testing.M) {
	testscript.Main(neighbourly{m}, map[string]func(){
		"platformc": func() { os.Exit(Main()) },
	})
}

// neighbourly runs the tests with nothing written outside temporary
// folders: the commands they run in this process keep their caches in a
// folder of the test binary's (envCache), and the tests share jsii's
// package cache (jsiitest), which the scripts' platformc processes are
// given too (hermetic), as they are a cache folder each.
type neighbourly struct{ m *testing.M }

func (n neighbourly) Run() int {
	dir, err := os.MkdirTemp("", "platformc-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv(envCache, dir)
	return jsiitest.Main(n.m)
}

// TestScripts runs the command line's specification: testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			// A fixed date, so that EKS support windows give the same
			// warnings whenever the tests run.
			env.Setenv(envToday, "2026-05-01")
			hermetic(env)
			// The CI recipes, which scripts run as a CI system would.
			docs, err := filepath.Abs(docsDir)
			env.Setenv("DOCS", docs)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":   cmdExits,
			"cptree":  cmdCptree,
			"cmptree": cmdCmptree,
			"oldtime": cmdOldtime,
		},
	})
}

// hermetic keeps what a script's platformc writes beside its home (the
// caches) in the script's own folder, but jsii's package cache, which is
// the test binary's (jsiitest): testscript's default HOME,
// /no-home, is a real path that a test run as root would create.
func hermetic(env *testscript.Env) {
	env.Setenv("HOME", env.WorkDir)
	env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
	env.Setenv(jsiitest.CacheEnv, os.Getenv(jsiitest.CacheEnv))
}

// exits CODE PROG ARGS... runs PROG and checks its exit code; its output is
// kept for stdout and stderr like exec's.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// oldtime PATH... sets the modification time of each file or folder to a
// day long past, as a checkout made before the manifest leaves them.
func cmdOldtime(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: oldtime PATH...")
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range args {
		ts.Check(os.Chtimes(ts.MkAbs(p), old, old))
	}
}

// cptree SRC DST copies the folder SRC to DST.
func cmdCptree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cptree SRC DST")
	}
	t, err := fstree.Read(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, p := range t.Paths() {
		f, _ := t.Get(p)
		dst := ts.MkAbs(args[1] + "/" + p)
		ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
		ts.Check(os.WriteFile(dst, f.Data, 0o644))
	}
}

// cmptree A B fails unless folders A and B hold the same files with the
// same bytes.
func cmdCmptree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmptree A B")
	}
	a, err := fstree.Read(ts.MkAbs(args[0]))
	ts.Check(err)
	b, err := fstree.Read(ts.MkAbs(args[1]))
	ts.Check(err)
	var diffs []string
	for _, p := range a.Paths() {
		fb, ok := b.Get(p)
		fa, _ := a.Get(p)
		if !ok {
			diffs = append(diffs, "only in "+args[0]+": "+p)
		} else if !bytes.Equal(fa.Data, fb.Data) {
			diffs = append(diffs, "differs: "+p)
		}
	}
	for _, p := range b.Paths() {
		if _, ok := a.Get(p); !ok {
			diffs = append(diffs, "only in "+args[1]+": "+p)
		}
	}
	if a.Len() == 0 && b.Len() == 0 {
		diffs = append(diffs, "both folders are empty")
	}
	switch {
	case neg && len(diffs) == 0:
		ts.Fatalf("%s and %s are the same", args[0], args[1])
	case !neg && len(diffs) > 0:
		ts.Fatalf("%s and %s differ:\n%s", args[0], args[1], fmt.Sprint(diffs))
	}
}
