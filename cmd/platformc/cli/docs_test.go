package cli

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestDocCommands runs every command of the documentation's ```sh blocks
// that starts with platformc, so that the documentation cannot rot: each
// Markdown file of docs/ becomes a script that runs its commands in order
// in a copy of the repository's sample platform.
//
// The copy is $WORK/platform (its sources and out/, committed as a
// platform repository commits them), a git repository with one commit on
// main;
// $WORK/manifests.git is an empty bare repository to publish to. A
// command's line may end with a comment announcing its exit code, "# exit
// 1"; otherwise it must succeed. "platformc ... > FILE" writes its output to
// FILE. "cd DIR" lines are followed; other commands (git, make, editors) are
// not run. Anything else — pipes, &&, $VARIABLES — is refused: write the
// command so that a reader can paste it.
func TestDocCommands(t *testing.T) {
	scripts := t.TempDir()
	n := 0
	err := filepath.WalkDir(docsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".md" {
			return err
		}
		rel, _ := filepath.Rel(docsDir, p)
		script, count, err := docScript(p, "docs/"+filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		n += count
		name := strings.NewReplacer("/", "_", ".md", "").Replace(filepath.ToSlash(rel)) + ".txtar"
		return os.WriteFile(filepath.Join(scripts, name), []byte(script), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d platformc commands in docs/: the walk is broken", n)
	}
	runOnSample(t, scripts)
}

// runOnSample runs the testscripts of dir, each in a copy of the sample
// platform (see setupDocPlatform) on docsToday.
func runOnSample(t *testing.T, dir string) {
	sample, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(e *testscript.Env) error {
			// The day the documentation was last checked: EKS support
			// windows give the same warnings whenever the tests run.
			e.Setenv(envToday, docsToday)
			hermetic(e)
			return setupDocPlatform(sample, e.WorkDir)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits,
		},
	})
}

// docsToday is the date the documentation's commands run on.
const docsToday = "2026-12-01"

var fence = regexp.MustCompile("^\\s*```+\\s*([A-Za-z0-9_-]*)")

// docScript turns the ```sh blocks of a Markdown file into a testscript
// and counts the platformc commands in it.
func docScript(path, name string) (string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# The commands of %s.\nenv HOME=$WORK\nenv GIT_CONFIG_NOSYSTEM=1\nenv SOURCE_DATE_EPOCH=1763726400\nenv GIT_AUTHOR_NAME=platformc GIT_AUTHOR_EMAIL=platformc@example.com\ncd platform\n", name)
	count := 0
	sc := bufio.NewScanner(f)
	lineNo, inSh, inOther, blockStart := 0, false, false, 0
	var block strings.Builder
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		m := fence.FindStringSubmatch(line)
		switch {
		case m != nil && !inSh && !inOther:
			if m[1] == "sh" || m[1] == "shell" || m[1] == "bash" {
				inSh, blockStart = true, lineNo+1
				block.Reset()
			} else {
				inOther = true
			}
		case m != nil && inOther:
			inOther = false
		case m != nil && inSh:
			inSh = false
			c, err := blockScript(&b, block.String(), name, blockStart)
			if err != nil {
				return "", 0, err
			}
			count += c
		case inSh:
			block.WriteString(line + "\n")
		}
	}
	if inSh {
		return "", 0, fmt.Errorf("%s:%d: unterminated ```sh block", name, blockStart-1)
	}
	return b.String(), count, sc.Err()
}

// blockScript appends the script lines of one ```sh block.
func blockScript(b *strings.Builder, block, name string, start int) (int, error) {
	cmds, err := shellCommands(block)
	if err != nil {
		return 0, fmt.Errorf("%s:%d: %v", name, start, err)
	}
	count := 0
	for _, c := range cmds {
		at := fmt.Sprintf("%s:%d", name, start+c.line-1)
		if len(c.words) > 0 && c.words[0].text == "cd" && c.segments == 1 {
			if len(c.words) != 2 || c.words[1].dynamic {
				return 0, fmt.Errorf("%s: cd takes one plain folder here", at)
			}
			fmt.Fprintf(b, "cd %s\n", quoteScript(c.words[1].text))
			continue
		}
		words, ok := platformcArgs(c)
		if !ok {
			continue
		}
		if c.segments != 1 || len(c.ops) > 0 || len(words) < len(c.words)-1 {
			return 0, fmt.Errorf("%s: a platformc command in the docs must stand alone on its line, with at most a '> FILE' (found %q)", at, c.ops)
		}
		var args []string
		for _, w := range words {
			if w.dynamic {
				return 0, fmt.Errorf("%s: %q needs a shell to expand it; write the value", at, w.text)
			}
			args = append(args, quoteScript(w.text))
		}
		fmt.Fprintf(b, "\n# %s\n", at)
		for k, v := range c.env {
			fmt.Fprintf(b, "env %s=%s\n", k, quoteScript(v))
		}
		fmt.Fprintf(b, "exits %d platformc %s\n", expectedExit(c.comment), strings.Join(args, " "))
		if c.stdout != "" {
			fmt.Fprintf(b, "cp stdout %s\n", quoteScript(c.stdout))
		}
		for k := range c.env {
			fmt.Fprintf(b, "env %s=\n", k)
		}
		count++
	}
	return count, nil
}

// quoteScript quotes a word for testscript, which expands nothing in
// single quotes.
func quoteScript(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// setupDocPlatform copies the sample platform of the repository at src —
// platform.cue, clusters/ and tenants/; a page that needs out/ builds it —
// to work/platform, commits it there on main, and creates the empty bare
// repository work/manifests.git.
func setupDocPlatform(src, work string) error {
	dst := filepath.Join(work, "platform")
	for _, top := range []string{"platform.cue", "clusters", "tenants", "out"} {
		err := filepath.WalkDir(filepath.Join(src, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(src, p)
			if strings.HasPrefix(filepath.Base(p), ".") {
				return nil // e.g. a build's leftovers
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		if err != nil {
			return err
		}
	}
	main := plumbing.NewBranchReferenceName("main")
	repo, err := git.PlainInitWithOptions(dst, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: main}})
	if err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return err
	}
	sig := &object.Signature{Name: "platformc", Email: "platformc@example.com", When: time.Unix(1763726400, 0).UTC()}
	if _, err := wt.Commit("The sample platform", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		return err
	}
	_, err = git.PlainInitWithOptions(filepath.Join(work, "manifests.git"), &git.PlainInitOptions{Bare: true, InitOptions: git.InitOptions{DefaultBranch: main}})
	return err
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks checks that every relative link of docs/ leads to a file
// that exists, and every #anchor into a page to an anchor of that page.
func TestDocLinks(t *testing.T) {
	anchors := map[string]map[string]bool{} // page -> its anchors
	pageAnchors := func(p string) map[string]bool {
		if a, ok := anchors[p]; ok {
			return a
		}
		a := map[string]bool{}
		b, _ := os.ReadFile(p)
		for _, m := range regexp.MustCompile(`<a id="([^"]+)">`).FindAllStringSubmatch(string(b), -1) {
			a[m[1]] = true
		}
		for _, l := range strings.Split(string(b), "\n") {
			if h, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " "); ok && strings.HasPrefix(l, "#") {
				// GitHub's anchors: lower case, punctuation dropped, spaces to '-'.
				id := strings.Map(func(r rune) rune {
					switch {
					case r == ' ':
						return '-'
					case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
						return r
					}
					return -1
				}, strings.ToLower(h))
				a[id] = true
			}
		}
		anchors[p] = a
		return a
	}
	err := filepath.WalkDir(docsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".md" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := regexp.MustCompile("`[^`\n]*`").ReplaceAllString(string(b), "") // code is not a link
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(link, "#")
			target := p
			if file != "" {
				target = filepath.Join(filepath.Dir(p), filepath.FromSlash(file))
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %s: %v", p, link, err)
				continue
			}
			if anchor != "" && !pageAnchors(target)[anchor] {
				t.Errorf("%s: link %s: no anchor %q in %s", p, link, anchor, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
