package policy

import (
	"path"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler/fstree"
)

// TestParseCanonical reads every YAML file of the sample's committed
// output, and odd documents, with parseCanonical and with yaml.v3: where
// parseCanonical reads a document, it must read what yaml.v3 reads; and
// it must read nearly all the generated ones.
func TestParseCanonical(t *testing.T) {
	sample, err := fstree.Read("../../out")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, p := range sample.Paths() {
		f, _ := sample.Get(p)
		files["sample:"+p] = f.Data
	}
	// Odd documents: each read as yaml.v3 reads it, or declined.
	odd := []string{
		"a: 1\nb: '1'\nc: \"x\\ty\"\nd: true\ne: ~\nf: 1.5\ng: 0x1F\nh: 2026-01-02\ni: .inf\nj: yes\nk: null\nl: \"\"\n",
		"a:\n  - 1\n  - x: 1\n    y: 2\n  - {}\n  - - nested\n",
		"a: |\n  multi\n  line\n",
		"a: x # comment\n",
		"a: [1, 2]\nb: {c: 1}\n",
		"a:\n- x\n",
		"\"quoted key\": 1\n",
		"a: 1\na: 2\n",
		"- top\n",
		"a:\n    b: 1\n",
		"a: b: c\n",
		"a: &anchor x\nb: *anchor\n",
		"a: |-\n  x\n\n  y\nb: 1\n",
		"a: |\n  x\n   y\n",
		"a:\n  b: |\n    z: 1\n    - w\n  c: 1\n",
		"a: |\n  x\n\nb: 1\n",
		"a: |+\n  x\n",
	}
	for i, o := range odd {
		files["odd:"+string(rune('a'+i))] = []byte(o)
	}
	read := 0
	yamls := 0
	for name, data := range files {
		if path.Ext(name) != ".yaml" && name[:4] != "odd:" {
			continue
		}
		yamls++
		got, ok := parseCanonical(data, map[string]any{})
		if !ok {
			continue
		}
		read++
		var want object
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Errorf("%s: read by parseCanonical, but yaml.v3: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: parseCanonical read\n%#v\nyaml.v3 read\n%#v", name, got, want)
		}
	}
	if read < yamls*9/10 {
		t.Errorf("parseCanonical read only %d of %d YAML files", read, yamls)
	}
	t.Logf("parseCanonical read %d of %d YAML documents", read, yamls)
}
