package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/outcache"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestBuildAndCheck builds a platform into a folder, and checks the
// folder against the sources: a build writes what Compile makes, its
// record answers for the next build until out/ is edited, and Check
// names the file edited, writing nothing.
func TestBuildAndCheck(t *testing.T) {
	root := t.TempDir()
	if err := synth.New(synth.Config{Tenants: 6, Clusters: 2, Seed: 3}).Write(root); err != nil {
		t.Fatal(err)
	}
	out, cache := filepath.Join(root, "out"), t.TempDir()
	opts := []compiler.Option{compiler.WithCaches(compiler.OpenCaches(cache))}
	if _, ok := compiler.UpToDate(root, out, opts...); ok {
		t.Fatal("UpToDate before any build")
	}
	built, err := compiler.Build(root, out, opts...)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := compiler.Compile(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	have, err := fstree.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := fstree.Differences(want, have); len(d) > 0 || built.Files != want.Len() || built.Tenants != 6 || built.Clusters != 2 {
		t.Fatalf("Build reported %+v and wrote %d files that differ from Compile's %d: %v", built, len(d), want.Len(), d)
	}
	// The caches, written while out/ was, are written when Build returns;
	// the output cache without the files' bytes, which out/ holds.
	for _, f := range []string{"tenants.cache", "outputs/files.cache"} {
		if fi, err := os.Stat(filepath.Join(cache, f)); err != nil || fi.Size() == 0 {
			t.Errorf("after a build, the cache %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(cache, "outputs", outcache.File)); err == nil {
		t.Errorf("a build wrote the output cache with the files' bytes")
	}
	// The first build wrote the lock files, which it had read missing: it
	// keeps no record. The second one does.
	if _, ok := compiler.UpToDate(root, out, opts...); ok {
		t.Fatal("UpToDate after a build that wrote the lock files")
	}
	if _, err := compiler.Build(root, out, opts...); err != nil {
		t.Fatal(err)
	}
	if again, ok := compiler.UpToDate(root, out, opts...); !ok || again.Files != built.Files {
		t.Fatalf("UpToDate after a build = %+v, %t; want %+v, true", again, ok, built)
	}
	if c, err := compiler.Check(root, out, opts...); err != nil || len(c.Out)+len(c.Locks) > 0 || c.Files != built.Files {
		t.Fatalf("Check after a build = %+v, %v; want no difference", c, err)
	}

	edited := filepath.Join(out, "platformc.json")
	if err := os.WriteFile(edited, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := compiler.UpToDate(root, out, opts...); ok {
		t.Error("UpToDate with out/ edited by hand")
	}
	c, err := compiler.Check(root, out, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Out) != 1 || c.Out[0].Path != "platformc.json" || c.Out[0].How != "differs" || len(c.Locks) > 0 {
		t.Fatalf("Check with platformc.json edited = %+v", c)
	}
	if data, _ := os.ReadFile(edited); string(data) != "{}\n" {
		t.Fatal("Check wrote to out/")
	}
	if _, err := compiler.Build(root, out, opts...); err != nil {
		t.Fatal(err)
	}
	if c, err := compiler.Check(root, out, opts...); err != nil || len(c.Out) > 0 {
		t.Fatalf("Check after building again = %+v, %v", c, err)
	}
}

// TestBuildFilesCacheCorrupt damages a build's output cache, which keeps
// no bytes (the files are in out/): cut short, a byte changed, garbage,
// empty. Each time the build writes what a compilation without cache
// makes.
func TestBuildFilesCacheCorrupt(t *testing.T) {
	root, cache := t.TempDir(), t.TempDir()
	if err := synth.New(synth.Config{Tenants: 8, Clusters: 2, Seed: 7}).Write(root); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	opts := []compiler.Option{compiler.WithCaches(compiler.OpenCaches(cache))}
	for range 2 { // the first build writes the lock files
		if _, err := compiler.Build(root, out, opts...); err != nil {
			t.Fatal(err)
		}
	}
	want, _, err := compiler.Compile(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(cache, "outputs", "files.cache")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"cut short", func(b []byte) []byte { return b[:len(b)/2] }},
		{"a byte changed", func(b []byte) []byte { b[len(b)*2/3] ^= 1; return b }},
		{"garbage", func([]byte) []byte { return []byte("garbage\n") }},
		{"empty", func([]byte) []byte { return nil }},
	} {
		if err := os.WriteFile(file, c.damage(bytes.Clone(original)), 0o600); err != nil {
			t.Fatal(err)
		}
		// Without the build's record, the build compiles.
		if err := os.RemoveAll(filepath.Join(cache, "builds")); err != nil {
			t.Fatal(err)
		}
		if _, err := compiler.Build(root, out, opts...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		have, err := fstree.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		if d := fstree.Differences(want, have); len(d) > 0 {
			t.Errorf("%s: out/ differs from a compilation without cache: %v", c.name, d)
		}
	}
}
