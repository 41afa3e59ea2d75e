package fstree_test

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
)

func tree(t *testing.T, files map[string]string) *fstree.Tree {
	t.Helper()
	tr := &fstree.Tree{}
	for p, data := range files {
		if err := tr.Add(fstree.File{Path: p, Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.AddManifest(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// snapshot returns every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	tr, err := fstree.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range tr.Paths() {
		f, _ := tr.Get(p)
		out[p] = string(f.Data)
	}
	return out
}

func TestWriteReplacesAndPrunes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, tree(t, map[string]string{"a/x.yaml": "1", "b/y.yaml": "2"})); err != nil {
		t.Fatal(err)
	}
	if err := fstree.Write(dir, tree(t, map[string]string{"a/x.yaml": "1", "c/z.yaml": "3"})); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, dir)
	if got["a/x.yaml"] != "1" || got["c/z.yaml"] != "3" || len(got) != 3 {
		t.Errorf("got %v, want a/x.yaml, c/z.yaml and the manifest", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Errorf("folder b of a file no longer generated is still there: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".out.*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

// TestWriteFailureLeavesOutUntouched makes the write fail half-way (a file
// must go where a read-only folder stands) and expects the previous output
// byte for byte.
func TestWriteFailureLeavesOutUntouched(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, tree(t, map[string]string{"a/x.yaml": "1"})); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	// "a/x.yaml" as a file and "a/x.yaml/z" below it cannot both exist.
	bad := &fstree.Tree{}
	if err := bad.Add(fstree.File{Path: "a/x.yaml", Data: []byte("2")}, fstree.File{Path: "a/x.yaml/z", Data: []byte("3")}); err != nil {
		t.Fatal(err)
	}
	if err := fstree.Write(dir, bad); err == nil {
		t.Fatal("write succeeded, want an error")
	}
	after := snapshot(t, dir)
	if len(after) != len(before) || after["a/x.yaml"] != "1" {
		t.Errorf("out changed by a failed write: before %v, after %v", before, after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".out.*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

func TestWriteRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := fstree.Write(dir, tree(t, map[string]string{"a.yaml": "1"}))
	if err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if got := snapshot(t, dir); got["thesis.tex"] != "years of work" || len(got) != 1 {
		t.Errorf("folder changed: %v", got)
	}
}

func TestAddRefusesEscapingPaths(t *testing.T) {
	for _, p := range []string{"", ".", "..", "../x", "/etc/passwd", "a/../../x", "a//b", "a/./b", `a\b`} {
		if err := (&fstree.Tree{}).Add(fstree.File{Path: p}); err == nil {
			t.Errorf("Add(%q) succeeded, want an error", p)
		}
	}
	tr := &fstree.Tree{}
	if err := tr.Add(fstree.File{Path: "a"}, fstree.File{Path: "a"}); err == nil {
		t.Error("adding a path twice succeeded")
	}
}

// TestPathsAfterAdd: paths stay sorted and complete as files are added
// after they were listed, a few or many at a time.
func TestPathsAfterAdd(t *testing.T) {
	tr := &fstree.Tree{}
	var want []string
	for round, n := range []int{50, 1, 3, 40, 0, 2} {
		for i := range n {
			p := fmt.Sprintf("d%d/f%03d", (i*7+round)%5, i*13+round*1000)
			want = append(want, p)
			if err := tr.Add(fstree.File{Path: p}); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(want)
		if got := tr.Paths(); !slices.Equal(got, want) {
			t.Fatalf("round %d: Paths() = %v, want %v", round, got, want)
		}
	}
}

// TestReadFolder reads one folder of an output, with paths relative to
// the output; a missing folder reads as an empty tree.
func TestReadFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := fstree.Write(dir, tree(t, map[string]string{"a/x.yaml": "1", "cdk/s/t.json": "2", "cdk/m.json": "3"})); err != nil {
		t.Fatal(err)
	}
	tr, err := fstree.ReadFolder(dir, "cdk")
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Paths(); !slices.Equal(got, []string{"cdk/m.json", "cdk/s/t.json"}) {
		t.Errorf("paths %v, want cdk/m.json and cdk/s/t.json", got)
	}
	if f, _ := tr.Get("cdk/s/t.json"); string(f.Data) != "2" {
		t.Errorf("cdk/s/t.json holds %q", f.Data)
	}
	tr, err = fstree.ReadFolder(dir, "none")
	if err != nil || len(tr.Paths()) != 0 {
		t.Errorf("a missing folder: %v, %v", tr.Paths(), err)
	}
}

// TestReadFS reads one folder of an output that a file system holds (a
// git commit's), regular files only, and a missing folder as empty.
func TestReadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"a/x.yaml":     {Data: []byte("1")},
		"cdk/s/t.json": {Data: []byte("2")},
		"cdk/link":     {Data: []byte("../a/x.yaml"), Mode: fs.ModeSymlink},
	}
	tr, err := fstree.ReadFS(fsys, "cdk")
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Paths(); !slices.Equal(got, []string{"cdk/s/t.json"}) {
		t.Errorf("paths %v, want cdk/s/t.json alone", got)
	}
	if tr, err := fstree.ReadFS(fsys, "none"); err != nil || len(tr.Paths()) != 0 {
		t.Errorf("a missing folder: %v, %v", tr.Paths(), err)
	}
}

// TestReadFSListed reads one folder of an output that a commit holds
// with its manifest: the files the manifest lists by their SHA-256 alone,
// but those asked for, those it does not list and a symlink never; and
// as ReadFS does without a manifest, or with folders in the folder.
// ReadDiffering then reads, of the files not read, only those that the
// other tree lacks or holds with other bytes.
func TestReadFSListed(t *testing.T) {
	built := tree(t, map[string]string{"a/x.yaml": "1", "cdk/m.json": "3", "cdk/stacks.json": "index", "cdk/t.json": "4", "cdk/gone.json": "5"})
	manifest, _ := built.Get(fstree.ManifestName)
	fsys := fstest.MapFS{
		fstree.ManifestName: {Data: manifest.Data},
		"a/x.yaml":          {Data: []byte("1")},
		"cdk/m.json":        {Data: []byte("3")},
		"cdk/stacks.json":   {Data: []byte("index")},
		"cdk/t.json":        {Data: []byte("4 edited after the build")}, // the manifest is trusted
		"cdk/new.json":      {Data: []byte("6")},                        // not listed
		"cdk/link":          {Data: []byte("../a/x.yaml"), Mode: fs.ModeSymlink},
	}
	opened := map[string]int{}
	read := func(p string) ([]byte, error) {
		opened[p]++
		return fs.ReadFile(fsys, p)
	}
	tr, err := fstree.ReadFSListed(fsys, "cdk", "cdk/stacks.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Paths(); !slices.Equal(got, []string{"cdk/m.json", "cdk/new.json", "cdk/stacks.json", "cdk/t.json"}) {
		t.Errorf("paths %v, want the folder's regular files", got)
	}
	want := map[string]string{"cdk/m.json": "3", "cdk/new.json": "6", "cdk/stacks.json": "index", "cdk/t.json": "4"}
	for p, data := range want {
		f, _ := tr.Get(p)
		if read := p == "cdk/stacks.json" || p == "cdk/new.json"; (f.Data != nil) != read || (read && string(f.Data) != data) {
			t.Errorf("%s: bytes %q, want them read: %v", p, f.Data, read)
		}
		if tr.Sum(p) != sha256.Sum256([]byte(data)) {
			t.Errorf("%s: not the SHA-256 of %q", p, data)
		}
	}
	head := tree(t, map[string]string{"cdk/m.json": "3", "cdk/stacks.json": "index 2", "cdk/t.json": "4 changed"})
	if d := fstree.Differences(head, tr); !slices.Equal(d, []fstree.Difference{{"cdk/new.json", "extra"}, {"cdk/stacks.json", "differs"}, {"cdk/t.json", "differs"}, {fstree.ManifestName, "missing"}}) {
		t.Errorf("differences before reading: %v", d)
	}
	if err := tr.ReadDiffering(head, read); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(opened, map[string]int{"cdk/t.json": 1}) {
		t.Errorf("read %v, want cdk/t.json alone: cdk/m.json is the same on both sides", opened)
	}
	if f, _ := tr.Get("cdk/t.json"); string(f.Data) != "4 edited after the build" || tr.Sum("cdk/t.json") != sha256.Sum256(f.Data) {
		t.Errorf("cdk/t.json: %q, want the bytes the commit holds", f.Data)
	}
	if f, _ := tr.Get("cdk/m.json"); f.Data != nil {
		t.Errorf("cdk/m.json: read, though the other side has its bytes")
	}

	// Without a manifest, or with a folder in the folder: ReadFS.
	for name, fsys := range map[string]fstest.MapFS{
		"no manifest": {"cdk/m.json": {Data: []byte("3")}},
		"a folder":    {fstree.ManifestName: {Data: manifest.Data}, "cdk/m.json": {Data: []byte("3")}, "cdk/s/t.json": {Data: []byte("2")}},
	} {
		tr, err := fstree.ReadFSListed(fsys, "cdk")
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := tr.Get("cdk/m.json"); string(f.Data) != "3" {
			t.Errorf("%s: cdk/m.json %q, want its bytes read", name, f.Data)
		}
	}
	if tr, err := fstree.ReadFSListed(fsys, "none"); err != nil || len(tr.Paths()) != 0 {
		t.Errorf("a missing folder: %v, %v", tr.Paths(), err)
	}
}

// TestPrevious reads a folder of an output without the bytes of the files
// that hold what the manifest lists (their SHA-256 stands for them), but
// those it is asked for and those changed since; a Write of such files
// leaves them, and refuses to write one whose bytes it never had.
func TestPrevious(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files := map[string]string{"a/x.yaml": "1", "cdk/m.json": "3", "cdk/stacks.json": "index", "cdk/t.json": "4", "cdk/u.json": "5"}
	if err := fstree.Write(dir, tree(t, files)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "cdk/u.json")); err != nil {
		t.Fatal(err)
	}
	// Every file older than the manifest: none changed since.
	stamp := func(d time.Duration) {
		at := time.Now().Add(d)
		if err := os.Chtimes(filepath.Join(dir, fstree.ManifestName), at, at); err != nil {
			t.Fatal(err)
		}
	}
	stamp(time.Hour)
	p := fstree.Prepare(dir)
	prev, err := p.Previous("cdk", "cdk/stacks.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := prev.Paths(); !slices.Equal(got, []string{"cdk/m.json", "cdk/stacks.json", "cdk/t.json"}) {
		t.Errorf("paths %v, want the manifest's files that are there", got)
	}
	for _, name := range []string{"cdk/m.json", "cdk/stacks.json", "cdk/t.json"} {
		f, _ := prev.Get(name)
		read := name == "cdk/stacks.json"
		if (f.Data != nil) != read || (read && string(f.Data) != files[name]) {
			t.Errorf("%s: bytes %q, want them read: %v", name, f.Data, read)
		}
		if prev.Sum(name) != sha256.Sum256([]byte(files[name])) {
			t.Errorf("%s: not the SHA-256 of its bytes", name)
		}
	}
	// A reader that does not write the folder reads it so too.
	listed, err := fstree.ReadFolderListed(dir, "cdk", "cdk/stacks.json")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(listed.Paths(), prev.Paths()) {
		t.Errorf("ReadFolderListed: paths %v, want %v", listed.Paths(), prev.Paths())
	}
	for _, name := range prev.Paths() {
		want, _ := prev.Get(name)
		if got, _ := listed.Get(name); (got.Data == nil) != (want.Data == nil) || listed.Sum(name) != prev.Sum(name) {
			t.Errorf("ReadFolderListed: %s: %q, want %q", name, got.Data, want.Data)
		}
	}
	// A build that keeps the folder's files writes none of them.
	next := &fstree.Tree{}
	for _, name := range prev.Paths() {
		f, _ := prev.Get(name)
		if err := next.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := next.Add(fstree.File{Path: "a/x.yaml", Data: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if err := next.AddManifest(); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(next); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a/x.yaml": "2", "cdk/m.json": "3", "cdk/stacks.json": "index", "cdk/t.json": "4"}
	if got := snapshot(t, dir); !sameFiles(got, want) {
		t.Errorf("after the write: %v, want %v", got, want)
	}

	// Files changed since the manifest (all, with its time set back) are
	// read; a symlink is never followed.
	if err := os.Symlink("../a/x.yaml", filepath.Join(dir, "cdk/m.json.tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "cdk/m.json.tmp"), filepath.Join(dir, "cdk/m.json")); err != nil {
		t.Fatal(err)
	}
	stamp(-time.Hour)
	p = fstree.Prepare(dir)
	prev, err = p.Previous("cdk")
	if err != nil {
		t.Fatal(err)
	}
	if got := prev.Paths(); !slices.Equal(got, []string{"cdk/stacks.json", "cdk/t.json"}) {
		t.Errorf("paths %v, want the regular files", got)
	}
	if f, _ := prev.Get("cdk/t.json"); string(f.Data) != "4" {
		t.Errorf("cdk/t.json: %q, want its bytes read", f.Data)
	}
	if listed, err := fstree.ReadFolderListed(dir, "cdk"); err != nil || !slices.Equal(listed.Paths(), prev.Paths()) {
		t.Errorf("ReadFolderListed: %v, %v, want the regular files", listed.Paths(), err)
	} else if f, _ := listed.Get("cdk/t.json"); string(f.Data) != "4" {
		t.Errorf("ReadFolderListed: cdk/t.json: %q, want its bytes read", f.Data)
	}
	p.Close()

	// A file whose bytes were not read, and that the folder does not hold
	// (it changed while the build ran), is not written: the write fails,
	// and the folder is as it was.
	stamp(time.Hour)
	p = fstree.Prepare(dir)
	if _, err := p.Previous("cdk"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	other := sha256.Sum256([]byte("not 4"))
	bad := tree(t, map[string]string{"a/x.yaml": "2"})
	if err := bad.Add(fstree.File{Path: "cdk/t.json", Sum: &other}); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(bad); err == nil || !strings.Contains(err.Error(), "changed while platformc was building") {
		t.Errorf("writing bytes never read: %v", err)
	}
	if got := snapshot(t, dir); !sameFiles(got, before) {
		t.Errorf("the failed write changed the folder: %v, want %v", got, before)
	}
}

// TestHolds: a prepared folder holds a file, for a build that takes it
// without its bytes, only as its manifest lists it and unchanged since;
// not one edited by hand since, nor one gone, nor with other bytes.
func TestHolds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files := map[string]string{"a/x.yaml": "1", "a/y.yaml": "2", "b/z.yaml": "3"}
	if err := fstree.Write(dir, tree(t, files)); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(time.Hour) // every file older than the manifest
	if err := os.Chtimes(filepath.Join(dir, fstree.ManifestName), at, at); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a/y.yaml"), []byte("2"), 0o644); err != nil { // same bytes, changed since
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "a/y.yaml"), at.Add(time.Minute), at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "b/z.yaml")); err != nil {
		t.Fatal(err)
	}
	p := fstree.Prepare(dir)
	defer p.Close()
	sum := func(s string) [32]byte { return sha256.Sum256([]byte(s)) }
	for _, c := range []struct {
		path, bytes string
		want        bool
	}{
		{"a/x.yaml", "1", true},
		{"a/x.yaml", "2", false},   // other bytes
		{"a/y.yaml", "2", false},   // written since the manifest: it must be read
		{"b/z.yaml", "3", false},   // gone
		{"a/new.yaml", "1", false}, // not listed
		{fstree.ManifestName, "", false},
	} {
		if got := p.Holds(c.path, sum(c.bytes)); got != c.want {
			t.Errorf("Holds(%s, the SHA-256 of %q) = %t, want %t", c.path, c.bytes, got, c.want)
		}
	}
}

func sameFiles(a, b map[string]string) bool {
	delete(a, fstree.ManifestName)
	delete(b, fstree.ManifestName)
	return maps.Equal(a, b)
}
