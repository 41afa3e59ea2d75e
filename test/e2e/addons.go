package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// karpenterModule holds the CRDs of Karpenter's NodePool and EC2NodeClass,
// at the version test/conformance validates against.
const karpenterModule = "github.com/aws/karpenter-provider-aws@v1.6.3"

// addonCRDs returns the CRDs that the platform's add-on charts would
// install on a cluster besides External Secrets': Karpenter's, which the
// karpenter-config Applications need.
func addonCRDs() ([][]byte, error) {
	dir, err := downloadModule(karpenterModule)
	if err != nil {
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(dir, "pkg", "apis", "crds", "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	return out, nil
}

// downloadModule fetches module@version into the module cache and returns
// its folder.
func downloadModule(mv string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mv)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mv, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", mv, m.Error)
	}
	return m.Dir, nil
}
