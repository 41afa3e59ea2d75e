package encode_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformc/platformc/compiler"
	"github.com/platformc/platformc/compiler/encode"
	"github.com/platformc/platformc/internal/synth/synth"
)

// both encodes v with the direct writer and with yaml.v3 alone.
func both(t *testing.T, v any) (fast, v3 []byte) {
	t.Helper()
	fast, err := encode.YAML(v, "header")
	if err != nil {
		t.Fatal(err)
	}
	v3, err = encode.YAMLv3(v, "header")
	if err != nil {
		t.Fatal(err)
	}
	return fast, v3
}

func same(t *testing.T, what string, v any) {
	t.Helper()
	fast, v3 := both(t, v)
	if !bytes.Equal(fast, v3) {
		t.Errorf("%s: the direct writer differs from yaml.v3:\n%s", what, diff.Diff("yaml.v3", v3, "direct", fast))
	}
}

// tricky are strings that YAML must quote, or might.
var tricky = []string{
	"", " ", "a", "true", "True", "FALSE", "yes", "Y", "n", "on", "Off", "null", "Null", "~", "<<",
	"1", "-1", "+1", "1.5", ".5", "1e3", "0x1F", "0o17", "0b101", "1_000", "12:30", "1:20:30.5", "2026-01-01", "2026-01-01T10:00:00Z",
	".inf", "-.Inf", ".nan", "NaN", "Inf", "infinity", "-", "- a", "-a", "--listen=:8080", ":", "a:", "a: b", "a:b", "::", "#x", "a #b", "a#b",
	"*", "*/15 * * * *", "0 3 * * *", "&a", "!a", "%a", "@a", "`a", "'a", "\"a", "a'b", "a\"b", "{a", "[a", "a,b", "a, b", "?", "? a", "|", ">",
	" a", "a ", "a  b", "a\tb", "\tb", "é", "café", "\x01", "a\\b", "25%", "250m", "128Mi", "10.0.0.0/16", "/healthz", "/", "../../base",
	"../", "../..", "../.", "../a", "../../a", "../1", "../a:", "../a:b", "../a b", "..../a", "../-a", "../../tenants/a-1/namespace/overlays/c-1-34", "../true", "../~",
	"{{.name}}", "billing-{{.name}}", `[{"HTTPS":443}]`, "arn:aws:iam::111111111111:role/x", "https://git.example.com/a.git", "git@github.com:a/b.git",
	"a\nb", "a\nb\n", "a\n", "\na", " a\nb\n", "a\n\nb\n", "a \nb\n", "a\nb\n\n", "- op: add\n  path: /x\n", "a\n b\n", "é\nb\n", "a\tb\nc\n",
	strings.Repeat("k", 99), strings.Repeat("k", 101), strings.Repeat("long value ", 30),
}

func TestFastYAMLScalars(t *testing.T) {
	for _, s := range tricky {
		same(t, "value "+strings.ReplaceAll(s, "\n", `\n`), map[string]any{"k": s, "list": []string{s}, "objs": []map[string]any{{"k": s, "b": 1}}})
		same(t, "key "+s, map[string]any{s: "v"})
		same(t, "top "+s, s)
	}
}

func TestFastYAMLShapes(t *testing.T) {
	for i, v := range []any{
		map[string]any{}, []string{}, []any{}, []map[string]any{}, []string(nil), map[string]any(nil), nil, 1, true, int64(-3), 1.5,
		map[string]any{"a": map[string]any{}, "b": []string{}, "c": nil, "d": []any{map[string]any{}, "x", 2, nil}, "e": map[string]string{}},
		map[string]any{"n": []any{[]string{"nested"}}},
		map[string]any{"f": 1.5, "u": uint(3), "m": map[string]int{"a": 1}},
		[]map[string]any{{"op": "add", "path": "/a", "value": "x"}, {"op": "remove", "path": "/b"}},
		map[string]any{"a10": 1, "a9": 2, "a": 3, "B": 4, "b": 5, "_x": 6, "a09": 7, "a009": 8, "x1y": 9, "x01y": 10, "1": 11, "10": 12, "2": 13, "a-b": 14, "a.b": 15, "a/b": 16},
		map[string]any{"deep": map[string]any{"list": []map[string]any{{"inner": []map[string]any{{"k": "v", "l": []string{"a", "b"}}}, "s": map[string]string{"z": "1", "a": "b"}}}}},
		map[string]any{"patch": "- op: add\n  path: /x\n  value: y\n", "items": []map[string]any{{"patch": "- op: replace\n  value: 1\n", "target": map[string]any{"kind": "Ingress"}}}},
	} {
		same(t, "shape "+string(rune('a'+i)), v)
	}
}

// TestFastYAMLRandom compares the two on random strings and keys.
func TestFastYAMLRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "Z", "0", "1", "9", " ", "-", ".", "/", "_", ":", "#", "@", "=", ",", "*", "'", "\"", "\n", "{", "}", "[", "]", "%", "!", "&", "|", ">", "?", "~", "\t", "é", "+", "e", "x", "o", "y"}
	str := func() string {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 3000 {
		m := map[string]any{}
		for range 1 + r.IntN(4) {
			m[str()] = str()
		}
		m["list"] = []string{str(), str()}
		m["objs"] = []map[string]any{{str(): str()}}
		same(t, "random", m)
		if t.Failed() {
			return
		}
	}
}

// TestFastYAML compiles the sample and synthetic platforms and encodes
// each YAML file's value again with yaml.v3 alone (its header comments
// kept): every file must be byte-identical. The value is the file's, read
// back; a string written without the quotes that keep it a string would
// read back as another type and pass here, which is what the scalar and
// random tests above are for.
func TestFastYAML(t *testing.T) {
	sources := map[string]fs.FS{"sample": os.DirFS("../..")}
	for _, c := range []synth.Config{{Tenants: 60, Clusters: 3, Seed: 1}, {Tenants: 40, Clusters: 7, Seed: 2}} {
		sources[fmt.Sprintf("synth %+v", c)] = synth.New(c).FS()
	}
	for name, src := range sources {
		tree, _, err := compiler.Compile(src)
		if err != nil {
			t.Fatal(name, err)
		}
		n := 0
		for _, path := range tree.Paths() {
			f, _ := tree.Get(path)
			if !strings.HasSuffix(path, ".yaml") {
				continue
			}
			var header []string
			rest := f.Data
			for bytes.HasPrefix(rest, []byte("# ")) {
				line, after, _ := bytes.Cut(rest, []byte("\n"))
				header, rest = append(header, string(line[2:])), after
			}
			var v any
			if err := yaml.Unmarshal(rest, &v); err != nil {
				t.Fatalf("%s: %s: %v", name, f.Path, err)
			}
			v3, err := encode.YAMLv3(v, header...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v3, f.Data) {
				t.Errorf("%s: %s:\n%s", name, f.Path, diff.Diff("yaml.v3", v3, "direct", f.Data))
			}
			n++
		}
		if n < 100 {
			t.Errorf("%s: only %d YAML files compared", name, n)
		}
	}
}
