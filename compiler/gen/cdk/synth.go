package cdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
)

// Synthesizer turns stacks into CloudFormation templates and their entries
// in the cloud assembly's manifest. jsiisynth.Synthesizer is the real one,
// which runs the AWS CDK on Node.js; tests wrap it to count what is
// synthesised.
type Synthesizer interface {
	Synth(stacks []Stack) (*Synthesis, error)
}

// Synthesis is what a Synthesizer made of some stacks.
type Synthesis struct {
	Version string                 // the cloud assembly schema version, "54.0.0"
	Stacks  map[string]StackOutput // by stack name
}

// StackOutput is one stack's part of a cloud assembly.
type StackOutput struct {
	// Files are the stack's files, by path relative to the assembly
	// folder: its template, the asset manifest that uploads it, and the
	// metadata the CDK CLI shows.
	Files map[string][]byte
	// Artifacts are the stack's entries of the manifest's "artifacts": the
	// stack's own and its asset manifest's.
	Artifacts map[string]any

	sums map[string]string // of Files, when known (a reused stack's)
}

// assemblyManifest is the part of a cloud assembly's manifest.json that
// platformc reads.
type assemblyManifest struct {
	Version   string                    `json:"version"`
	Artifacts map[string]map[string]any `json:"artifacts"`
	Missing   []any                     `json:"missing"`
}

// ReadAssembly collects each stack's files and manifest entries from a
// cloud assembly that a synthesiser wrote (fsys is its folder). It
// refuses what would make the output depend on more than the stack:
// context lookups, assets other than the template, and errors reported in
// the metadata.
func ReadAssembly(fsys fs.FS, stacks []Stack) (*Synthesis, error) {
	var m assemblyManifest
	if err := readJSON(fsys, "manifest.json", &m); err != nil {
		return nil, err
	}
	if len(m.Missing) > 0 {
		return nil, fmt.Errorf("the stacks need context lookups, which platformc does not allow: %v", m.Missing)
	}
	syn := &Synthesis{Version: m.Version, Stacks: map[string]StackOutput{}}
	for _, s := range stacks {
		out := StackOutput{Files: map[string][]byte{}, Artifacts: map[string]any{}}
		art, ok := m.Artifacts[s.Name]
		if !ok || art["type"] != "aws:cloudformation:stack" {
			return nil, fmt.Errorf("stack %s: not in the cloud assembly", s.Name)
		}
		out.Artifacts[s.Name] = art
		props, _ := art["properties"].(map[string]any)
		template, _ := props["templateFile"].(string)
		files := []string{template}
		if md, ok := art["additionalMetadataFile"].(string); ok {
			files = append(files, md)
		}
		deps, _ := art["dependencies"].([]any)
		for _, d := range deps {
			id, _ := d.(string)
			dep := m.Artifacts[id]
			if dep["type"] != "cdk:asset-manifest" {
				return nil, fmt.Errorf("stack %s: depends on %s, which is not its asset manifest", s.Name, id)
			}
			out.Artifacts[id] = dep
			file, _ := dep["properties"].(map[string]any)["file"].(string)
			if err := checkAssets(fsys, file, template); err != nil {
				return nil, fmt.Errorf("stack %s: %w", s.Name, err)
			}
			files = append(files, file)
		}
		for _, f := range files {
			if !fs.ValidPath(f) || f != path.Base(f) {
				return nil, fmt.Errorf("stack %s: file %q is not in the assembly folder", s.Name, f)
			}
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("stack %s: %w", s.Name, err)
			}
			out.Files[f] = data
		}
		if err := checkMetadata(s.Name, art, out.Files); err != nil {
			return nil, err
		}
		syn.Stacks[s.Name] = out
	}
	return syn, nil
}

// checkAssets fails unless the asset manifest uploads only the template:
// a file or image asset would have to be cached, staged and published
// besides the templates.
func checkAssets(fsys fs.FS, file, template string) error {
	var am struct {
		Files map[string]struct {
			Source struct{ Path string } `json:"source"`
		} `json:"files"`
		DockerImages map[string]any `json:"dockerImages"`
	}
	if err := readJSON(fsys, file, &am); err != nil {
		return err
	}
	for id, f := range am.Files {
		if f.Source.Path != template {
			return fmt.Errorf("has a file asset (%s, %s): platformc's stacks must not bundle files", id, f.Source.Path)
		}
	}
	if len(am.DockerImages) > 0 {
		return fmt.Errorf("has container image assets: platformc's stacks must not build images")
	}
	return nil
}

// checkMetadata fails on errors the CDK reported into the stack's
// metadata (in the manifest or in its metadata file).
func checkMetadata(stack string, art map[string]any, files map[string][]byte) error {
	type entry struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	all := map[string][]entry{}
	if md, ok := art["metadata"]; ok {
		data, _ := json.Marshal(md)
		if err := json.Unmarshal(data, &all); err != nil {
			return fmt.Errorf("stack %s: metadata: %w", stack, err)
		}
	}
	if name, ok := art["additionalMetadataFile"].(string); ok {
		var more map[string][]entry
		if err := json.Unmarshal(files[name], &more); err != nil {
			return fmt.Errorf("stack %s: %s: %w", stack, name, err)
		}
		for k, v := range more {
			all[k] = append(all[k], v...)
		}
	}
	for path, entries := range all {
		for _, e := range entries {
			if e.Type == "aws:cdk:error" {
				return fmt.Errorf("stack %s: %s: %v", stack, path, e.Data)
			}
		}
	}
	return nil
}

func readJSON(fsys fs.FS, file string, v any) error {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

// decodeJSON keeps numbers as written, so that re-encoding a manifest
// entry gives the same digits.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
