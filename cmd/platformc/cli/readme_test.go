package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeTour runs the README's five-minute tour on a copy of the
// sample and compares what platformc prints with what the README shows:
// step 1's build (the file count) and step 2's mistakes, made as the README
// says, with validate's errors.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	build, err := outputAfter(string(readme), "1. Build the sample")
	if err != nil {
		t.Fatal(err)
	}
	validate, err := outputAfter(string(readme), "2. Make a mistake")
	if err != nil {
		t.Fatal(err)
	}
	billing, err := os.ReadFile("../../../tenants/billing.cue")
	if err != nil {
		t.Fatal(err)
	}
	// Step 2: "set replicas: 0 and use the mutable tag billing-api:latest".
	mistake := strings.Replace(string(billing), "replicas: 3", "replicas: 0", 1)
	mistake = strings.Replace(mistake, "billing-api:1.4.2", "billing-api:latest", 1)
	if mistake == string(billing) {
		t.Fatal("tenants/billing.cue no longer has the lines the tour changes")
	}
	scripts := t.TempDir()
	script := fmt.Sprintf(`cd platform
exec platformc build
cmp stdout $WORK/build.txt
cp $WORK/mistake.cue tenants/billing.cue
exits 1 platformc validate
cmp stderr $WORK/validate.txt
-- build.txt --
%s-- validate.txt --
%s-- mistake.cue --
%s`, build, validate, mistake)
	if err := os.WriteFile(filepath.Join(scripts, "tour.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	runOnSample(t, scripts)
}

// outputAfter returns the first fenced block after the line that contains
// marker, without its indentation, ending in a newline.
func outputAfter(doc, marker string) (string, error) {
	_, rest, ok := strings.Cut(doc, marker)
	if !ok {
		return "", fmt.Errorf("README.md: no %q", marker)
	}
	lines := strings.Split(rest, "\n")
	var b strings.Builder
	in := false
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "```") && !in:
			in = true
		case strings.HasPrefix(trimmed, "```"):
			return b.String(), nil
		case in:
			b.WriteString(strings.TrimPrefix(l, "   ") + "\n")
		}
	}
	return "", fmt.Errorf("README.md: no output block after %q", marker)
}
