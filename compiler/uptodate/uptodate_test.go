package uptodate_test

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/uptodate"
)

// build is a build as the CLI makes it, in small: it reads the platform at
// root through Inputs as the loader does, writes out, and records it.
func build(t *testing.T, store *uptodate.Store, root, out, settings string) uptodate.Report {
	t.Helper()
	in := uptodate.Watch(os.DirFS(root))
	if _, err := fs.Lstat(in, "platform.cue"); err != nil {
		t.Fatal(err)
	}
	platform, err := fs.ReadFile(in, "platform.cue")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(in, "tenants")
	if err != nil {
		t.Fatal(err)
	}
	tr := &fstree.Tree{}
	for _, e := range entries {
		data, err := fs.ReadFile(in, "tenants/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Add(fstree.File{Path: "tenants/" + e.Name() + ".yaml", Data: append(platform, data...)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.ReadFile(in, "clusters/a.lock.json"); err == nil {
		t.Fatal("the lock file is there")
	}
	if err := tr.AddManifest(); err != nil {
		t.Fatal(err)
	}
	w := fstree.Prepare(out)
	if err := w.Write(tr); err != nil {
		t.Fatal(err)
	}
	seal, err := w.Seal(tr)
	if err != nil || seal == nil {
		t.Fatalf("Seal: %v, %v", seal, err)
	}
	report := uptodate.Report{Warnings: []string{"platform.cue:1:1: warning: w"}, Files: tr.Len(), Tenants: len(entries), Clusters: 1}
	if err := store.Save(root, out, &uptodate.Record{Settings: settings, Inputs: in.Observations(), Seal: seal, Report: report}); err != nil {
		t.Fatal(err)
	}
	return report
}

func write(t *testing.T, file, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCurrent: the record of a build answers for the next one only while
// everything it read, the output folder, the binary and the settings are
// the same; any change, a damaged record or no cache folder means a build.
func TestCurrent(t *testing.T) {
	const settings = "today 2026-12-04, aws true"
	id := []byte("binary 1")
	for _, c := range []struct {
		name   string
		change func(t *testing.T, root, out, cache string) (store *uptodate.Store, settings string)
		want   bool
	}{
		{"nothing", nil, true},
		{"a tenant edited", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(root, "tenants/a.cue"), "a: 2")
			return nil, ""
		}, false},
		{"a tenant added", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(root, "tenants/c.cue"), "c: 1")
			return nil, ""
		}, false},
		{"a tenant removed", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			if err := os.Remove(filepath.Join(root, "tenants/b.cue")); err != nil {
				t.Fatal(err)
			}
			return nil, ""
		}, false},
		{"a file that was missing created", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(root, "clusters/a.lock.json"), "{}")
			return nil, ""
		}, false},
		{"platform.cue replaced by a symlink to the same bytes", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			other := filepath.Join(t.TempDir(), "platform.cue")
			write(t, other, "platform: {}")
			if err := os.Remove(filepath.Join(root, "platform.cue")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, filepath.Join(root, "platform.cue")); err != nil {
				t.Fatal(err)
			}
			return nil, ""
		}, false},
		{"a file not read written", func(t *testing.T, root, _, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(root, "README.md"), "# hello")
			return nil, ""
		}, true},
		{"an output edited", func(t *testing.T, _, out, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(out, "tenants/a.cue.yaml"), "edited")
			return nil, ""
		}, false},
		{"an output added", func(t *testing.T, _, out, _ string) (*uptodate.Store, string) {
			write(t, filepath.Join(out, "tenants/x.yaml"), "")
			return nil, ""
		}, false},
		{"other settings", func(*testing.T, string, string, string) (*uptodate.Store, string) {
			return nil, "today 2026-12-05, aws true"
		}, false},
		{"another binary", func(_ *testing.T, _, _, cache string) (*uptodate.Store, string) {
			return uptodate.NewStore(cache, []byte("binary 2")), ""
		}, false},
		{"no build ID", func(_ *testing.T, _, _, cache string) (*uptodate.Store, string) {
			return uptodate.NewStore(cache, nil), ""
		}, false},
		{"no cache folder", func(*testing.T, string, string, string) (*uptodate.Store, string) {
			return uptodate.NewStore("", id), ""
		}, false},
		{"a damaged record", func(t *testing.T, _, _, cache string) (*uptodate.Store, string) {
			files, _ := filepath.Glob(filepath.Join(cache, "*.json"))
			if len(files) != 1 {
				t.Fatalf("records: %v", files)
			}
			data, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)-3] ^= 1
			write(t, files[0], string(data))
			return nil, ""
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, out, cache := t.TempDir(), filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "builds")
			write(t, filepath.Join(root, "platform.cue"), "platform: {}")
			write(t, filepath.Join(root, "tenants/a.cue"), "a: 1")
			write(t, filepath.Join(root, "tenants/b.cue"), "b: 1")
			store := uptodate.NewStore(cache, id)
			want := build(t, store, root, out, settings)
			s, set := store, settings
			if c.change != nil {
				if cs, cset := c.change(t, root, out, cache); cs != nil {
					s = cs
				} else if cset != "" {
					set = cset
				}
			}
			got, ok := s.Current(os.DirFS(root), root, out, set)
			if ok != c.want {
				t.Fatalf("Current: %t, want %t", ok, c.want)
			}
			if ok && (got.Files != want.Files || got.Tenants != 2 || len(got.Warnings) != 1 || got.Warnings[0] != want.Warnings[0]) {
				t.Errorf("report %+v, want %+v", got, want)
			}
			if !ok && c.name == "a tenant edited" {
				// Built again, it is current again.
				build(t, store, root, out, settings)
				if _, ok := store.Current(os.DirFS(root), root, out, settings); !ok {
					t.Error("not current after building again")
				}
			}
		})
	}
}

// TestPartialRead: a file that the build did not read to the end (a
// source over the size limit), or did not close, is never taken as
// unchanged.
func TestPartialRead(t *testing.T) {
	for _, closed := range []bool{true, false} {
		partialRead(t, closed)
	}
}

func partialRead(t *testing.T, closed bool) {
	root, out, cache := t.TempDir(), filepath.Join(t.TempDir(), "out"), t.TempDir()
	write(t, filepath.Join(root, "big.cue"), "0123456789")
	in := uptodate.Watch(os.DirFS(root))
	f, err := in.Open("big.cue")
	if err != nil {
		t.Fatal(err)
	}
	if closed {
		if _, err := io.ReadFull(f, make([]byte, 4)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	} else {
		defer f.Close()
		if _, err := io.ReadAll(f); err != nil {
			t.Fatal(err)
		}
	}
	tr := &fstree.Tree{}
	if err := tr.AddManifest(); err != nil {
		t.Fatal(err)
	}
	w := fstree.Prepare(out)
	if err := w.Write(tr); err != nil {
		t.Fatal(err)
	}
	seal, err := w.Seal(tr)
	if err != nil {
		t.Fatal(err)
	}
	store := uptodate.NewStore(cache, []byte("id"))
	if err := store.Save(root, out, &uptodate.Record{Settings: "s", Inputs: in.Observations(), Seal: seal}); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Current(os.DirFS(root), root, out, "s"); ok {
		t.Errorf("current, though big.cue was read in part or not closed (closed: %t)", closed)
	}
}
