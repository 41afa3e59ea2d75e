package compiler_test

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/layout"
	"github.com/platformc/platformc/compiler/load"
)

var update = flag.Bool("update", false, "rewrite ../out, the committed output of the sample platform")

// sampleRoot is the repository's sample platform; its committed out/ is the
// golden output.
const sampleRoot = ".."

// withAWS includes the AWS stacks, reusing those of the committed out/.
// It has no synthesiser (this package's tests need no Node.js): a change
// that alters a stack fails the compilation, and "make run" (platformc
// build, which synthesises) rewrites out/.
func withAWS() []compiler.Option {
	return []compiler.Option{compiler.WithAWS(nil, nil, nil), compiler.ReuseStacks(sampleRoot + "/out")}
}

func compileSample(t *testing.T) *fstree.Tree {
	t.Helper()
	tree, _, err := compiler.Compile(os.DirFS(sampleRoot), withAWS()...)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestSampleGolden keeps the committed out/ equal to what a fresh build of
// the sample produces. Run with -update to rewrite it, then review the
// change with git diff.
func TestSampleGolden(t *testing.T) {
	got, p, err := compiler.Compile(os.DirFS(sampleRoot), withAWS()...)
	if errors.Is(err, cdk.ErrNoSynthesizer) {
		t.Fatalf("%v: out/ is stale, and 'make run' rewrites it", err)
	} else if err != nil {
		t.Fatal(err)
	}
	locks, err := load.Locks(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range locks {
		if cur, err := os.ReadFile(sampleRoot + "/" + name); !*update && (err != nil || !bytes.Equal(cur, data)) {
			t.Errorf("%s is stale: run 'make run' and commit it", name)
		} else if *update {
			os.WriteFile(sampleRoot+"/"+name, data, 0o644)
		}
	}
	if *update {
		if err := fstree.Write(sampleRoot+"/out", got); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := fstree.Read(sampleRoot + "/out")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range fstree.Differences(got, want) {
		g, _ := got.Get(d.Path)
		w, _ := want.Get(d.Path)
		switch d.How {
		case "missing":
			t.Errorf("out/%s: generated but not committed", d.Path)
		case "extra":
			t.Errorf("out/%s: committed but no longer generated", d.Path)
		default:
			t.Errorf("out/%s differs from a fresh build:\n%s", d.Path, diff.Diff("committed", w.Data, "built", g.Data))
		}
	}
	if t.Failed() {
		t.Log("out/ is stale: run 'go test ./compiler -run TestSampleGolden -update' (or 'make run') and review the diff")
	}
}

// shuffled lists directories in a random order, so that a loader that
// depended on the order of files would give different output.
type shuffled struct {
	fs.FS
	rng *rand.Rand
}

func (s shuffled) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	s.rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	return entries, err
}

// TestDeterministic compiles the sample several times, reading its files in
// different orders, and expects the same bytes every time.
func TestDeterministic(t *testing.T) {
	want := compileSample(t)
	for seed := range uint64(5) {
		got, _, err := compiler.Compile(shuffled{os.DirFS(sampleRoot), rand.New(rand.NewPCG(seed, seed))}, withAWS()...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Paths(), want.Paths()) {
			t.Fatalf("seed %d: different files", seed)
		}
		for _, p := range want.Paths() {
			g, _ := got.Get(p)
			w, _ := want.Get(p)
			if !bytes.Equal(g.Data, w.Data) {
				t.Errorf("seed %d: %s differs:\n%s", seed, p, diff.Diff("first", w.Data, "again", g.Data))
			}
		}
	}
}

// TestStacks: the CDK app's files are those of a build's out/cdk, and
// Stacks needs the AWS side.
func TestStacks(t *testing.T) {
	if _, _, err := compiler.Stacks(os.DirFS(sampleRoot)); err == nil {
		t.Error("no error without WithAWS")
	}
	files, _, err := compiler.Stacks(os.DirFS(sampleRoot), withAWS()...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fstree.ReadFolder(sampleRoot+"/out", layout.CDK)
	if err != nil {
		t.Fatal(err)
	}
	got := &fstree.Tree{}
	if err := got.Add(files...); err != nil {
		t.Fatal(err)
	}
	if got.Len() == 0 || got.Len() != want.Len() {
		t.Fatalf("%d files, want the %d of out/%s", got.Len(), want.Len(), layout.CDK)
	}
	for _, d := range fstree.Differences(got, want) {
		t.Errorf("out/%s: %s", d.Path, d.How)
	}
}
