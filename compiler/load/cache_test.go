package load_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/internal/synth/synth"
)

func loadWith(t *testing.T, p *synth.Platform, c *load.Cache) *model.Platform {
	t.Helper()
	var opts []load.Option
	if c != nil {
		opts = append(opts, load.WithCache(c))
	}
	m, err := load.Load(p.FS(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func sameTrees(t *testing.T, what string, want, got *model.Platform) {
	t.Helper()
	if !reflect.DeepEqual(want.Tenants, got.Tenants) {
		t.Fatalf("%s: the tenants differ from those of a load without cache", what)
	}
	a, err := compiler.Generate(want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := compiler.Generate(got)
	if err != nil {
		t.Fatal(err)
	}
	if d := fstree.Differences(a, b); len(d) > 0 {
		t.Fatalf("%s: the outputs differ from those of a load without cache: %v", what, d)
	}
}

// entry is one entry of the cache's file: its header line and payload.
type entry struct{ head, payload []byte }

// readCache splits the cache file into its header and entries.
func readCache(t *testing.T, file string) (string, []entry) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	header, data, _ := bytes.Cut(data, []byte("\n"))
	var out []entry
	for len(data) > 0 {
		head, rest, _ := bytes.Cut(data, []byte("\n"))
		var key, sum string
		var n int
		if _, err := fmt.Sscanf(string(head), "%s %s %d", &key, &sum, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{head, rest[:n]})
		data = rest[n+1:]
	}
	return string(header), out
}

// writeCache writes entries, with a right checksum when sum is set.
func writeCache(t *testing.T, file, header string, entries []entry, sum bool) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for _, e := range entries {
		head := e.head
		if sum { // of the key and the payload, as outcache writes it
			f := bytes.Fields(head)
			key, err := hex.DecodeString(string(f[0]))
			if err != nil {
				t.Fatal(err)
			}
			s := sha256.Sum256(append(key, e.payload...))
			head = fmt.Appendf(nil, "%s %x %d", f[0], s, len(e.payload))
		}
		b.Write(head)
		b.WriteByte('\n')
		b.Write(e.payload)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCache loads a platform without cache, with an empty cache folder,
// and with the folder filled by another process (a new Cache on it): the
// same model every time, and the same outputs.
func TestCache(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tenants.cache")
	p := synth.New(synth.Config{Tenants: 60, Clusters: 3, Seed: 4})
	cold := loadWith(t, p, nil)
	sameTrees(t, "empty cache", cold, loadWith(t, p, load.NewCache(dir)))
	header, entries := readCache(t, file)
	if len(entries) != 60 {
		t.Fatalf("%d cache entries, want 60", len(entries))
	}
	sameTrees(t, "filled cache", cold, loadWith(t, p, load.NewCache(dir)))
	// The entries are read: one rewritten with a right checksum shows.
	forged := slices.Clone(entries)
	forged[0].payload = bytes.Replace(forged[0].payload, []byte(`"Owners":["`), []byte(`"Owners":["team-from-the-cache","`), 1)
	writeCache(t, file, header, forged, true)
	found := false
	for _, tn := range loadWith(t, p, load.NewCache(dir)).Tenants {
		found = found || slices.Contains(tn.Owners, "team-from-the-cache")
	}
	if !found {
		t.Error("a filled cache folder is not read")
	}
	mem := load.NewCache("")
	loadWith(t, p, mem)
	sameTrees(t, "memory cache", cold, loadWith(t, p, mem))
}

// TestCacheCorrupt damages a filled cache in every way — cut short, a
// changed byte, entries swapped with right checksums, another header, an
// empty file — and expects the model of a load without cache, and the
// file written again.
func TestCacheCorrupt(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tenants.cache")
	p := synth.New(synth.Config{Tenants: 12, Clusters: 3, Seed: 5})
	cold := loadWith(t, p, nil)
	loadWith(t, p, load.NewCache(dir))
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	header, entries := readCache(t, file)
	flipped := slices.Clone(entries)
	flipped[3].payload = bytes.Replace(flipped[3].payload, []byte(`"Name"`), []byte(`"Nome"`), 1)
	swapped := slices.Clone(entries)
	swapped[1].payload, swapped[2].payload = entries[2].payload, entries[1].payload
	for name, damage := range map[string]func(){
		"cut short":    func() { os.WriteFile(file, good[:len(good)/2], 0o644) },
		"changed byte": func() { writeCache(t, file, header, flipped, false) },
		"swapped":      func() { writeCache(t, file, header, swapped, true) },
		"other header": func() { writeCache(t, file, "platformc tenant cache 0", entries, true) },
		"empty":        func() { os.WriteFile(file, nil, 0o644) },
		"garbage":      func() { os.WriteFile(file, bytes.Repeat([]byte("x\n"), 100), 0o644) },
	} {
		damage()
		sameTrees(t, name, cold, loadWith(t, p, load.NewCache(dir)))
		if _, again := readCache(t, file); len(again) != 12 {
			t.Errorf("%s: the cache was not written again (%d entries)", name, len(again))
		}
		sameTrees(t, name+", written again", cold, loadWith(t, p, load.NewCache(dir)))
	}
}

// TestCacheEdits edits a platform at random — tenants and clusters added,
// removed and changed — loading it with one cache folder throughout: after
// every edit, the outputs are those of a load without cache.
func TestCacheEdits(t *testing.T) {
	dir := t.TempDir()
	p := synth.New(synth.Config{Tenants: 40, Clusters: 4, Seed: 6})
	for step := range 10 {
		p.Edit()
		sameTrees(t, "step "+string(rune('0'+step)), loadWith(t, p, nil), loadWith(t, p, load.NewCache(dir)))
	}
}
