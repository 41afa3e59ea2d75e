package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIRefusesOldNode runs .ci/run on a machine whose Node.js is 18, as
// Debian 12's is, and no apt-get: it stops before any test with a message
// naming the version it needs and the one it found.
func TestCIRefusesOldNode(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	root, bin := t.TempDir(), t.TempDir()
	script, err := os.ReadFile("../../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".ci"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".ci", "run"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	// A PATH with only what the script needs before its Node.js check;
	// go and node are stand-ins that answer the questions it asks.
	fake := map[string]string{
		"go":   "#!" + bash + "\necho go version go1.26 linux/amd64\n",
		"node": "#!" + bash + "\ncase \"$1\" in -p) echo 18;; --version) echo v18.19.0;; esac\n",
	}
	for name, body := range fake {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dirname, err := exec.LookPath("dirname")
	if err != nil {
		t.Skip("no dirname")
	}
	if err := os.Symlink(dirname, filepath.Join(bin, "dirname")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, filepath.Join(root, ".ci", "run"))
	cmd.Env = []string{"PATH=" + bin, "HOME=" + root}
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf(".ci/run with Node.js 18 exited %d (%v), want 1:\n%s", code, err, out)
	}
	if want := "Node.js 20 or later is required for the AWS CDK; found v18.19.0"; !strings.Contains(string(out), want) {
		t.Errorf("output does not say %q:\n%s", want, out)
	}
}
