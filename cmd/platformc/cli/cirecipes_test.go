package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docsDir is the repository's documentation.
const docsDir = "../../../docs"

// TestCIRecipes checks that every platformc command the CI recipes of
// docs/ci run exists, with the flags they give it and the number of
// arguments it takes: each is parsed by the command tree, without running
// it. The recipes must also do their jobs: a markdown diff on pull
// requests, a check and a publication on merges.
func TestCIRecipes(t *testing.T) {
	workflows, err := filepath.Glob(filepath.Join(docsDir, "ci", "github", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := filepath.Glob(filepath.Join(docsDir, "ci", "*.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if len(workflows) < 2 || len(scripts) < 1 {
		t.Fatalf("found %d workflows and %d scripts in docs/ci", len(workflows), len(scripts))
	}
	var seen []string // every command run, as "file: platformc args"
	check := func(file, script string, line int) {
		cmds, err := shellCommands(script)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			return
		}
		for _, c := range cmds {
			words, ok := platformcArgs(c)
			if !ok {
				continue
			}
			args := make([]string, len(words))
			for i, w := range words {
				args[i] = w.text
			}
			seen = append(seen, filepath.Base(file)+": platformc "+strings.Join(args, " "))
			if err := dryParse(args); err != nil {
				t.Errorf("%s:%d: platformc %s: %v", file, line+c.line-1, strings.Join(args, " "), err)
			}
		}
	}
	for _, f := range workflows {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var wf struct {
			On   map[string]any `yaml:"on"`
			Jobs map[string]struct {
				Steps []struct {
					Run  yaml.Node `yaml:"run"`
					Uses string    `yaml:"uses"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := doc.Decode(&wf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(wf.On) == 0 || len(wf.Jobs) == 0 {
			t.Errorf("%s: no triggers or no jobs", f)
		}
		for _, j := range wf.Jobs {
			for _, s := range j.Steps {
				if s.Run.Value == "" {
					continue
				}
				// A block scalar's content starts on the line after "run: |".
				line := s.Run.Line
				if s.Run.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
					line++
				}
				check(f, s.Run.Value, line)
			}
		}
	}
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, string(b), 1)
	}
	for _, want := range []string{
		"platformc-diff.yml: platformc diff --base origin/$BASE_REF --format markdown",
		"platformc-ci.sh: platformc diff --base origin/${BASE_REF:-main} --format markdown",
		"platformc-ci.sh: platformc build --check",
		"platformc-ci.sh: platformc plan --base ${LIVE_REF:-HEAD~1} --format json",
		"platformc-ci.sh: platformc publish --repo $MANIFEST_REPO",
	} {
		if !slices.Contains(seen, want) {
			t.Errorf("no recipe runs %q; they run:\n%s", want, strings.Join(seen, "\n"))
		}
	}
}

// TestDeliveryWorkflow: the GitHub workflow of merges runs the generic
// script's delivery (which ci_deliver.txtar runs), one delivery at a time
// and none cancelled, with the history to plan against the revision
// before the merge.
func TestDeliveryWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(docsDir, "ci", "github", "platformc-publish.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Concurrency struct {
			Group            string `yaml:"group"`
			CancelInProgress *bool  `yaml:"cancel-in-progress"`
		} `yaml:"concurrency"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
				Run  string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Concurrency.Group == "" || wf.Concurrency.CancelInProgress == nil || *wf.Concurrency.CancelInProgress {
		t.Errorf("concurrency %+v: want one group, cancel-in-progress false", wf.Concurrency)
	}
	var depth, delivers, jsiiCache bool
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			depth = depth || strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["fetch-depth"] != "" && s.With["fetch-depth"] != "1"
			delivers = delivers || strings.Contains(s.Run, `docs/ci/platformc-ci.sh" main`)
			// Synthesis is fast with jsii's package cache of the last run
			// (jsiisynth.Index).
			jsiiCache = jsiiCache || strings.HasPrefix(s.Uses, "actions/cache@") && s.With["path"] == "~/.cache/aws/jsii" && s.With["key"] != ""
		}
	}
	if !depth || !delivers || !jsiiCache {
		t.Errorf("the workflow checks out HEAD~1: %t; runs platformc-ci.sh main: %t; keeps jsii's package cache: %t", depth, delivers, jsiiCache)
	}
}

// dryParse finds the command that args name in platformc's command tree and
// parses its flags and arguments, without running it.
func dryParse(args []string) error {
	root := newRoot(&env{stdout: io.Discard, stderr: io.Discard, workdir: os.TempDir()})
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root {
		return fmt.Errorf("no such command")
	}
	if !cmd.Runnable() || cmd.HasAvailableSubCommands() {
		return fmt.Errorf("%s only groups commands", cmd.CommandPath())
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return err
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return err
	}
	return cmd.ValidateFlagGroups()
}

// TestDryParse makes sure that dryParse refuses what platformc refuses.
func TestDryParse(t *testing.T) {
	for _, args := range [][]string{
		{"diff", "--format", "markdown", "--base", "origin/main"},
		{"build", "--check"},
		{"publish", "--repo", "x"},
		{"set", "image", "--job", "a", "b", "c:1"},
		{"--root", "x", "validate"},
	} {
		if err := dryParse(args); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"frobnicate"},
		{"build", "--chek"},
		{"diff", "--format"},
		{"validate", "extra"},
		{"set", "image", "a", "b"},
		{"set"},
	} {
		if err := dryParse(args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestShellCommands checks the little shell parser on what the recipes
// and the documentation write.
func TestShellCommands(t *testing.T) {
	cmds, err := shellCommands(`set -eu
PLATFORMC_GIT_TOKEN=abc platformc publish --repo "$REPO" \
  --path 'a b' # publishes: exit 0
if ! platformc diff --format markdown > diff.md 2> errors.txt; then echo "x"; fi
platformc validate 2>&1 | tee log # exits 1
`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		words, ok := platformcArgs(c)
		if !ok {
			continue
		}
		var ws []string
		for _, w := range words {
			s := w.text
			if w.dynamic {
				s += "(dynamic)"
			}
			ws = append(ws, s)
		}
		got = append(got, fmt.Sprintf("%d %v %q stdout=%q ops=%q exit=%d", c.line, c.env, ws, c.stdout, c.ops, expectedExit(c.comment)))
	}
	want := []string{
		`2 map[PLATFORMC_GIT_TOKEN:abc] ["publish" "--repo" "$REPO(dynamic)" "--path" "a b"] stdout="" ops=[] exit=0`,
		`4 map[] ["diff" "--format" "markdown"] stdout="diff.md" ops=["2>" ";" ";"] exit=0`,
		`5 map[] ["validate"] stdout="" ops=["2>&1" "|"] exit=1`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
