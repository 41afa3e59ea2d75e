package compiler_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/outcache"
	"github.com/platformc/platformc/compiler/policy"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestTodayIsNoInput: the output cache leaves the model's Today out of its
// keys, so what it keeps — the files of every gen.TenantGenerator and the
// per-tenant policy findings — must not depend on it.
func TestTodayIsNoInput(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"sample":    os.DirFS(".."),
		"synthetic": synth.New(synth.Config{Tenants: 30, Clusters: 4, Seed: 3}).FS(),
	} {
		p, err := load.Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		results := map[time.Time][]any{}
		for _, today := range []time.Time{{}, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC)} {
			p.Today = today
			var r []any
			var split []gen.TenantGenerator
			for _, g := range compiler.Generators() {
				if tg, ok := g.(gen.TenantGenerator); ok {
					split = append(split, tg)
					files, err := tg.GeneratePlatform(p)
					if err != nil {
						t.Fatal(err)
					}
					r = append(r, files)
				}
			}
			for _, tn := range p.Tenants {
				tree := &fstree.Tree{}
				for _, tg := range split {
					files, err := tg.GenerateTenant(p, tn)
					if err != nil {
						t.Fatal(err)
					}
					if err := tree.Add(files...); err != nil {
						t.Fatal(err)
					}
					r = append(r, files)
				}
				findings, err := policy.Tenant(p, tn, tree)
				if err != nil {
					t.Fatal(err)
				}
				r = append(r, findings)
			}
			results[today] = r
		}
		var first []any
		for _, r := range results {
			if first == nil {
				first = r
			} else if !reflect.DeepEqual(first, r) {
				t.Errorf("%s: the generators' files or the tenants' findings depend on Today", name)
			}
		}
	}
}

// compileWith compiles p with the caches in dir ("" for none).
func compileWith(t *testing.T, fsys fs.FS, dir string) (*fstree.Tree, *model.Platform) {
	t.Helper()
	opts := []compiler.Option{compiler.Today(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))}
	if dir != "" {
		opts = append(opts, compiler.WithCaches(compiler.OpenCaches(dir)))
	}
	tree, p, err := compiler.Compile(fsys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tree, p
}

// TestOutputCacheCorrupt damages every entry of filled caches — the tenant
// cache and the output cache — in every way: cut short, a changed byte,
// entries swapped, another header, empty, garbage, missing. Each time the
// whole output, and the warnings, must be those of a compilation without
// cache; then the caches are filled again.
func TestOutputCacheCorrupt(t *testing.T) {
	// Mutable image tags in a few tenants: findings, as warnings.
	mutable := regexp.MustCompile(`:([0-9]+\.[0-9]+\.[0-9]+)"`)
	synthetic := synth.New(synth.Config{Tenants: 12, Clusters: 3, Seed: 5}).FS()
	n := 0
	for name, f := range synthetic {
		if path.Dir(name) == "tenants" && n < 3 {
			f.Data = mutable.ReplaceAll(f.Data, []byte(`:main-$1"`))
			n++
		}
	}
	for name, fsys := range map[string]fs.FS{"sample": os.DirFS(".."), "synthetic": synthetic} {
		t.Run(name, func(t *testing.T) { outputCacheCorrupt(t, fsys, name == "synthetic") })
	}
}

func outputCacheCorrupt(t *testing.T, fsys fs.FS, warnings bool) {
	dir := t.TempDir()
	want, wantP := compileWith(t, fsys, "")
	if warnings && len(wantP.Warnings) == 0 {
		t.Fatal("no warnings: the cached findings are not exercised")
	}
	compileWith(t, fsys, dir)
	pack := filepath.Join(dir, "outputs", outcache.File)
	files := []string{pack, filepath.Join(dir, "tenants.cache")}
	originals := map[string][]byte{}
	for _, f := range files {
		var err error
		if originals[f], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	head, entries := readPack(t, originals[pack])
	if len(entries) != 2*len(wantP.Tenants) {
		t.Fatalf("%d output cache entries, want 2 per tenant", len(entries))
	}
	restore := func() {
		for f, data := range originals {
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// swap exchanges the payloads of entries: all files' entries in
	// turn, and a files' entry with a findings' entry.
	swap := func(rightSums bool) func(string, []byte) []byte {
		return func(f string, data []byte) []byte {
			if f != pack {
				return data[:len(data)/3]
			}
			es := slices.Clone(entries)
			for i := 0; i+1 < len(es); i += 2 {
				es[i].payload, es[i+1].payload = es[i+1].payload, es[i].payload
			}
			return writePack(head, es, rightSums)
		}
	}
	damages := map[string]func(f string, data []byte) []byte{
		"cut short":                   func(_ string, data []byte) []byte { return data[:len(data)/2] },
		"changed byte":                func(_ string, data []byte) []byte { d := bytes.Clone(data); d[len(d)-2] ^= 1; return d },
		"other header":                func(_ string, data []byte) []byte { return append([]byte("platformc output cache 0\n"), data[25:]...) },
		"empty":                       func(string, []byte) []byte { return nil },
		"garbage":                     func(string, []byte) []byte { return bytes.Repeat([]byte("x\n"), 100) },
		"swapped":                     swap(false),
		"swapped, with right sums":    swap(true),
		"every payload a byte longer": func(f string, data []byte) []byte { return bytes.ReplaceAll(data, []byte("\n"), []byte("\n\n")) },
		"missing":                     func(string, []byte) []byte { return nil },
	}
	for name, damage := range damages {
		for _, f := range files {
			if name == "missing" {
				os.Remove(f)
				continue
			}
			if err := os.WriteFile(f, damage(f, originals[f]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for round := range 2 { // damaged, then filled again
			got, gotP := compileWith(t, fsys, dir)
			if d := fstree.Differences(want, got); len(d) > 0 {
				t.Fatalf("%s, round %d: the output differs from that of a compilation without cache: %v", name, round, d)
			}
			if !reflect.DeepEqual(wantP.Warnings, gotP.Warnings) {
				t.Fatalf("%s, round %d: the warnings differ", name, round)
			}
		}
		restore()
	}
}

// packEntry is an entry of the output cache's file.
type packEntry struct {
	key     string
	payload []byte
}

func readPack(t *testing.T, data []byte) (string, []packEntry) {
	t.Helper()
	head, data, _ := bytes.Cut(data, []byte("\n"))
	var out []packEntry
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		var key, sum string
		var n int
		if _, err := fmt.Sscanf(string(line), "%s %s %d", &key, &sum, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, packEntry{key, rest[:n]})
		data = rest[n+1:]
	}
	return string(head), out
}

// writePack writes entries with their right checksums, or with those of
// the payloads of the entry after them.
func writePack(head string, entries []packEntry, rightSums bool) []byte {
	var b bytes.Buffer
	b.WriteString(head + "\n")
	for i, e := range entries {
		payload := e.payload
		if !rightSums {
			payload = entries[(i+1)%len(entries)].payload
		}
		kb, _ := hex.DecodeString(e.key)
		h := sha256.New()
		h.Write(kb)
		h.Write(payload)
		fmt.Fprintf(&b, "%s %x %d\n", e.key, h.Sum(nil), len(e.payload))
		b.Write(e.payload)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
