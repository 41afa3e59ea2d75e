package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstall installs platformc from this clone as the README says
// ("make install" runs this go install) into a scratch GOBIN, and checks
// that "platformc version" names the clone's commit, marked modified
// exactly when the work tree has changes.
func TestInstall(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			t.Skipf("not a git clone (git %v: %v): nothing to stamp", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	head := git("rev-parse", "HEAD")
	modified := git("status", "--porcelain") != ""

	bin := t.TempDir()
	install := exec.Command("go", "install", "-buildvcs=true", "./cmd/platformc")
	install.Dir = root
	install.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(bin, "platformc"), "version").Output()
	if err != nil {
		t.Fatalf("platformc version: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 4 || fields[0] != "platformc" || fields[2] != head || (fields[3] == "modified") != modified {
		t.Errorf("platformc version: %q; want platformc <version> %s%s <go>", out, head, map[bool]string{true: " modified"}[modified])
	}
}
