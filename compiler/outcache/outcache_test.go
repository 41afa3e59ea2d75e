package outcache_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/platformc/platformc/compiler/outcache"
)

// TestStoreRoundTrip keeps an entry across stores of one folder.
func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := outcache.New(dir)
	s.Put(outcache.Key{1}, []byte("payload"))
	s.Flush()
	if got, ok := outcache.New(dir).Get(outcache.Key{1}); !ok || string(got) != "payload" {
		t.Errorf("got %q, %v", got, ok)
	}
}

// TestStoreReadsOnlyARegularFile takes a cache file that is a symlink, to
// a file elsewhere or to a device without end, for no cache: never reads
// through it, and replaces it, not its target, when it flushes.
func TestStoreReadsOnlyARegularFile(t *testing.T) {
	elsewhere := filepath.Join(t.TempDir(), "outputs.cache")
	src := outcache.New(filepath.Dir(elsewhere))
	src.Put(outcache.Key{1}, []byte("payload"))
	src.Flush()
	before, err := os.ReadFile(elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{elsewhere, "/dev/zero"} {
		dir := t.TempDir()
		if err := os.Symlink(target, filepath.Join(dir, outcache.File)); err != nil {
			t.Fatal(err)
		}
		s := outcache.New(dir)
		if _, ok := s.Get(outcache.Key{1}); ok {
			t.Errorf("%s: read through the symlink", target)
		}
		s.Put(outcache.Key{2}, []byte("new"))
		s.Flush()
		if fi, err := os.Lstat(filepath.Join(dir, outcache.File)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: the cache file is not a regular file after a flush: %v", target, err)
		}
	}
	if after, _ := os.ReadFile(elsewhere); string(after) != string(before) {
		t.Error("the symlink's target was written")
	}
}

// TestStoreCarriesEntriesOver keeps, through a store that read some
// entries, replaced one and added one, every entry it used, each with the
// checksum of its payload: read again by a third store, all pass.
func TestStoreCarriesEntriesOver(t *testing.T) {
	dir := t.TempDir()
	a := outcache.New(dir)
	for i, p := range []string{"one", "two", "three"} {
		a.Put(outcache.Key{byte(i)}, []byte(p))
	}
	a.Flush()
	b := outcache.New(dir)
	for i := range 3 {
		if _, ok := b.Get(outcache.Key{byte(i)}); !ok {
			t.Fatalf("entry %d not read back", i)
		}
	}
	b.Put(outcache.Key{1}, []byte("TWO")) // read, then replaced
	b.Put(outcache.Key{3}, []byte("four"))
	b.Flush()
	c := outcache.New(dir)
	for i, want := range []string{"one", "TWO", "three", "four"} {
		if got, ok := c.Get(outcache.Key{byte(i)}); !ok || string(got) != want {
			t.Errorf("entry %d: got %q, %v, want %q", i, got, ok, want)
		}
	}
}
