package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/internal/synth/synth"
)

// TestIncrementalBuild edits a synthetic platform at random — tenants and
// clusters added, removed and changed, one or several at a time — and
// after every edit runs "platformc build" as a user would, with the same
// cache folder and the out/ of the previous build, then compiles the
// platform cold, with no cache: out/ must hold exactly the cold output,
// byte for byte. Some steps edit nothing, some edit a file of out/ by hand
// before building; a build with nothing changed says what the build said,
// and after it the build's record answers for the next one (uptodate).
func TestIncrementalBuild(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(envCache, cache)
	t.Setenv(envAWS, "off")
	root := t.TempDir()
	out := filepath.Join(root, "out")
	p := synth.New(synth.Config{Tenants: 40, Clusters: 4, Seed: 11})
	r := p.Rand()
	var log []string
	for step := range 30 {
		if step > 0 && step%7 != 3 {
			for range 1 + r.IntN(3) {
				if did := p.Edit(); did != "" {
					log = append(log, did)
				}
			}
		}
		if err := p.Write(root); err != nil {
			t.Fatal(err)
		}
		if step%5 == 4 {
			m, err := fstree.ReadManifest(out)
			if err != nil {
				t.Fatal(err)
			}
			edited := slices.Sorted(maps.Keys(m.Files))[r.IntN(len(m.Files))]
			if err := os.WriteFile(filepath.Join(out, edited), []byte("edited by hand\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			log = append(log, "out/"+edited+" edited")
		}
		code, msg := platformc(t, root, "build")
		cold, _, err := compiler.Compile(os.DirFS(root))
		if err != nil {
			t.Fatalf("step %d (%v): the cold compilation failed: %v", step, log, err)
		}
		if code != ExitOK {
			t.Fatalf("step %d (%v): build failed:\n%s", step, log, msg)
		}
		have, err := fstree.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		if d := fstree.Differences(cold, have); len(d) > 0 {
			t.Fatalf("step %d (%v): out/ differs from a cold build in %d files: %v", step, log, len(d), d[:min(len(d), 10)])
		}
		// Built again with nothing changed — from the record, unless the
		// build changed a lock file — the same is said and out/ stays.
		if code, again := platformc(t, root, "build"); code != ExitOK || again != msg {
			t.Fatalf("step %d (%v): build with nothing changed said\n%s\nwant\n%s", step, log, again, msg)
		}
		if have, err := fstree.Read(out); err != nil || len(fstree.Differences(cold, have)) > 0 {
			t.Fatalf("step %d (%v): out/ changed by a build with nothing changed (%v)", step, log, err)
		}
		e := &env{workdir: root}
		if _, ok := compiler.UpToDate(root, out, e.options(builtStacks)...); !ok {
			t.Fatalf("step %d (%v): the build's record does not answer for a build with nothing changed", step, log)
		}
	}
	// A build's output cache holds no bytes: out/ does.
	if _, err := os.Stat(filepath.Join(cache, "outputs", "files.cache")); err != nil {
		t.Errorf("no output cache: %v", err)
	}
	t.Log(fmt.Sprint(len(log), " edits: ", log))
}
