package fstree

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/platformc/platformc/compiler/encode"
)

// TestManifestJSON: the manifest's own encoder writes encode.JSON's
// bytes, and its reader reads them as encoding/json does, for plain and
// odd strings alike.
func TestManifestJSON(t *testing.T) {
	odd := []string{"", "a", "tenants/x/a.yaml", `q"uote`, `back\slash`, "tab\there", "new\nline", "<html>&", "é ü", "\u2028", "\x7f", "bad \xff utf8", "ctl \x01"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		m := Manifest{Comment: odd[r.IntN(len(odd))], Files: map[string]ManifestEntry{}}
		for i := range n % 7 {
			e := ManifestEntry{SHA256: fmt.Sprintf("%064x", r.Uint64())[:64]}
			if r.IntN(2) == 0 {
				e.Tenant = odd[r.IntN(len(odd))]
			}
			if r.IntN(2) == 0 {
				e.Cluster = odd[r.IntN(len(odd))]
			}
			if n%2 == 0 {
				m.Files[fmt.Sprintf("p%d/%s", i, odd[r.IntN(len(odd))])] = e
			} else {
				m.Files[fmt.Sprintf("tenants/t%d/app.yaml", i)] = e
			}
		}
		want, err := encode.JSON(m)
		if err != nil {
			t.Fatal(err)
		}
		var entries []manifestLine
		for _, p := range slices.Sorted(maps.Keys(m.Files)) {
			e := m.Files[p]
			var sum [32]byte
			hex.Decode(sum[:], []byte(e.SHA256))
			entries = append(entries, manifestLine{path: p, origin: e.Origin, sum: sum})
		}
		got := encodeManifest(m.Comment, entries)
		if string(got) != string(want) {
			t.Fatalf("encodeManifest:\n%s\nencode.JSON:\n%s", got, want)
		}
		var std Manifest
		if err := json.Unmarshal(want, &std); err != nil {
			t.Fatal(err)
		}
		dec, err := decodeManifest(string(want))
		// The same manifest, with its paths in the file's order when it
		// was read fast (no escapes in its strings).
		if err != nil || dec.Comment != std.Comment || !maps.Equal(dec.Files, std.Files) || (dec.order != nil && !slices.Equal(dec.order, slices.Sorted(maps.Keys(std.Files)))) {
			t.Fatalf("decodeManifest(%s) = %v, %v; want %v", want, dec, err, std)
		}
	}
	if _, err := decodeManifest(`{"files": {"a": {"sha256": "x"}}, "comment": "reordered"}`); err != nil {
		t.Errorf("a manifest in another layout: %v", err)
	}
}
