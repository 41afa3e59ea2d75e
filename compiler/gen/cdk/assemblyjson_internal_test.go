package cdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/platformc/platformc/compiler/encode"
)

// TestAssemblyJSON: the manifest and StacksFile written from entries kept
// as JSON are the bytes encode.JSON makes of the same values — entries
// made fresh and entries read back from a StacksFile alike, with strings
// that need escaping, numbers, empty and nested objects and arrays; an
// entry in another form (a StacksFile edited by hand) is refused, and
// assemble falls back to encode.JSON.
func TestAssemblyJSON(t *testing.T) {
	values := map[string]any{}
	for i, v := range []any{
		map[string]any{"type": "aws:cloudformation:stack", "properties": map[string]any{"templateFile": "a.template.json", "n": json.Number("54"), "f": 1.5, "t": true, "z": nil}},
		map[string]any{"odd": "quote \" backslash \\ tab \t newline \n <html> & \u2028 é 日本", "empty": map[string]any{}, "none": []any{}},
		map[string]any{"nested": []any{map[string]any{"a": []any{"x", json.Number("-1e3")}}, []any{}, "s"}},
		map[string]any{},
	} {
		values[fmt.Sprintf("artifact-%d \"quoted\"", i)] = v
	}
	build := func(artifacts map[string]any) (map[string]json.RawMessage, stacksFile) {
		manifest := map[string]json.RawMessage{}
		idx := stacksFile{Comment: "c <&>", Generator: GeneratorVersion, Version: "54.0.0", Stacks: map[string]cachedStack{}}
		for i, name := range []string{"b-stack", "a-stack"} {
			e := cachedStack{Input: "in", Files: map[string]string{"f.json": "sum", "e.json": "sum2"}, Artifacts: map[string]json.RawMessage{}}
			for id, v := range artifacts {
				raw, err := rawJSON(v)
				if err != nil {
					t.Fatal(err)
				}
				id = fmt.Sprint(i, id)
				manifest[id], e.Artifacts[id] = raw, raw
			}
			idx.Stacks[name] = e
		}
		idx.Stacks["empty"] = cachedStack{Files: map[string]string{}, Artifacts: map[string]json.RawMessage{}}
		return manifest, idx
	}
	check := func(what string, manifest map[string]json.RawMessage, idx stacksFile) {
		t.Helper()
		m, c, ok := assemblyJSON(manifest, idx)
		if !ok {
			t.Fatalf("%s: refused", what)
		}
		wantM, err := encode.JSON(struct {
			Version   string                     `json:"version"`
			Artifacts map[string]json.RawMessage `json:"artifacts"`
		}{idx.Version, manifest})
		if err != nil {
			t.Fatal(err)
		}
		wantC, err := encode.JSON(idx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m, wantM) {
			t.Errorf("%s: manifest\n%s\nwant\n%s", what, m, wantM)
		}
		if !bytes.Equal(c, wantC) {
			t.Errorf("%s: StacksFile\n%s\nwant\n%s", what, c, wantC)
		}
	}
	manifest, idx := build(values)
	check("fresh entries", manifest, idx)

	// Read back from the StacksFile written: the entries as raw JSON.
	_, c, _ := assemblyJSON(manifest, idx)
	var back stacksFile
	if err := decodeJSON(c, &back); err != nil {
		t.Fatal(err)
	}
	again := map[string]json.RawMessage{}
	for _, s := range back.Stacks {
		for id, raw := range s.Artifacts {
			again[id] = raw
		}
	}
	check("entries read back", again, back)

	// An entry edited by hand into another form.
	for _, odd := range []string{`{"a":1}`, "{\n\"a\": 1\n}", "[\n  1\n]", `"s"`, `12`} {
		bad := map[string]json.RawMessage{"x": json.RawMessage(odd)}
		if _, _, ok := assemblyJSON(bad, stacksFile{Stacks: map[string]cachedStack{"s": {Artifacts: bad}}}); ok {
			t.Errorf("entry %q taken", odd)
		}
	}
}
