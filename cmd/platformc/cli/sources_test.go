package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/platformc/platformc/internal/cueedit"
)

// The commands that write sources — set image, new, init — leave them as
// cue fmt writes them: "format.Node of the result equals the file".

// copySample copies the repository's sample platform's sources to a new
// folder and returns it.
func copySample(t *testing.T) string {
	t.Helper()
	src, dst := "../../..", t.TempDir()
	for _, top := range []string{"platform.cue", "clusters", "tenants"} {
		err := filepath.WalkDir(filepath.Join(src, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// platformc runs the command line in-process in dir.
func platformc(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, &env{stdout: &out, stderr: &out, workdir: dir})
	return code, out.String()
}

// TestSetImageEveryWorkload sets the image of every service and job of
// the sample: each time exactly one line changes, and a file that was cue
// fmt clean stays so. An invalid image changes nothing.
func TestSetImageEveryWorkload(t *testing.T) {
	dir := copySample(t)
	tenants := entryNames(dir, "tenants")
	if len(tenants) == 0 {
		t.Fatal("no tenants in the sample")
	}
	n := 0
	for _, tenant := range tenants {
		file := filepath.Join(dir, "tenants", tenant+".cue")
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		services, jobs := cueedit.ParseWorkloads(file, src, tenant)
		for _, w := range append(services, jobs...) {
			args := []string{"set", "image"}
			if !slices.Contains(services, w) {
				args = append(args, "--job")
			}
			n++
			image := fmt.Sprintf("111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/%s-%s:9.9.%d", tenant, w, n)
			before, _ := os.ReadFile(file)
			if code, out := platformc(t, dir, append(args, tenant, w, image)...); code != 0 {
				t.Fatalf("set image %s %s: exit %d\n%s", tenant, w, code, out)
			}
			after, _ := os.ReadFile(file)
			if d := changedLines(before, after); d != 1 {
				t.Errorf("set image %s %s changed %d lines", tenant, w, d)
			}
			if !bytes.Contains(after, []byte(`"`+image+`"`)) {
				t.Errorf("set image %s %s: the image is not in the file", tenant, w)
			}
			if cueedit.IsFormatted(file, before) && !cueedit.IsFormatted(file, after) {
				t.Errorf("set image %s %s: the file is no longer cue fmt clean", tenant, w)
			}

			if code, out := platformc(t, dir, append(args, tenant, w, ":latest")...); code != 1 || !strings.Contains(out, "is unchanged") {
				t.Errorf("set image %s %s :latest: exit %d\n%s", tenant, w, code, out)
			}
			if unchanged, _ := os.ReadFile(file); !bytes.Equal(unchanged, after) {
				t.Errorf("set image %s %s :latest changed the file", tenant, w)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d workloads in the sample", n)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "tenants"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: tenants/%s", e.Name())
		}
	}
	if code, out := platformc(t, dir, "validate"); code != 0 {
		t.Errorf("validate: exit %d\n%s", code, out)
	}
}

// TestNewFilesFormatted creates a tenant and a cluster in the sample.
func TestNewFilesFormatted(t *testing.T) {
	dir := copySample(t)
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"new", "tenant", "shop", "--owner", "team-shop", "--cluster", "stg-shared"}, "tenants/shop.cue"},
		{[]string{"new", "tenant", "a-rather-long-name", "--owner", "team-a", "--owner", "team-b"}, "tenants/a-rather-long-name.cue"},
		{[]string{"new", "cluster", "stg-batch"}, "clusters/stg-batch.cue"},
		{[]string{"new", "cluster", "prod-ledger", "--tenancy", "dedicated", "--zone", "ledger.example.com", "--capacity", "nodegroup"}, "clusters/prod-ledger.cue"},
	} {
		if code, out := platformc(t, dir, c.args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.args, code, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !cueedit.IsFormatted(c.file, data) {
			t.Errorf("%s is not cue fmt clean:\n%s", c.file, data)
		}
		if !bytes.HasPrefix(data, []byte("// ")) {
			t.Errorf("%s does not start with a comment", c.file)
		}
	}
	if code, out := platformc(t, dir, "validate"); code != 0 {
		t.Errorf("validate: exit %d\n%s", code, out)
	}
}

// TestInitThenBuild scaffolds a repository into an empty folder, which
// then builds, and whose CUE files are cue fmt clean.
func TestInitThenBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme-platform")
	if code, out := platformc(t, filepath.Dir(dir), "init", "acme-platform"); code != 0 {
		t.Fatalf("init: exit %d\n%s", code, out)
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".cue" {
			return err
		}
		n++
		data, err := os.ReadFile(p)
		if err == nil && !cueedit.IsFormatted(p, data) {
			t.Errorf("%s is not cue fmt clean", p)
		}
		return err
	})
	if err != nil || n != 4 {
		t.Fatalf("%d CUE files, %v", n, err)
	}
	for _, args := range [][]string{{"build"}, {"build", "--check"}, {"validate"}} {
		if code, out := platformc(t, dir, args...); code != 0 {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
}

// changedLines counts the lines that differ between two versions of a
// file with the same number of lines, or returns -1.
func changedLines(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(la) != len(lb) {
		return -1
	}
	n := 0
	for i := range la {
		if la[i] != lb[i] {
			n++
		}
	}
	return n
}

// TestScaffoldedExamplesValidate uncomments every example of a tenant file
// that "platformc new tenant" writes, as a product team would: the tenant
// must still validate.
func TestScaffoldedExamplesValidate(t *testing.T) {
	dir := t.TempDir()
	if code, out := platformc(t, dir, "init", "acme-platform"); code != ExitOK {
		t.Fatalf("init: exit %d\n%s", code, out)
	}
	root := filepath.Join(dir, "acme-platform")
	if code, out := platformc(t, root, "new", "tenant", "shop"); code != ExitOK {
		t.Fatalf("new tenant: exit %d\n%s", code, out)
	}
	file := filepath.Join(root, "tenants", "shop.cue")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile(`(?m)^\t//\t(.*)$`)
	if n := len(examples.FindAll(src, -1)); n < 8 {
		t.Fatalf("only %d example lines in:\n%s", n, src)
	}
	if err := os.WriteFile(file, examples.ReplaceAll(src, []byte("\t$1")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := platformc(t, root, "validate"); code != ExitOK {
		t.Errorf("the uncommented examples do not validate: exit %d\n%s", code, out)
	}
}
