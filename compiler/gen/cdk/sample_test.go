package cdk_test

import (
	"encoding/json"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen/cdk"
	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
)

// repoRoot is the repository's root, which holds the sample platform.
const repoRoot = "../../.."

type obj = map[string]any

// loadSample loads the repository's sample platform afresh, so that a
// test may change it.
func loadSample(t *testing.T) *model.Platform {
	t.Helper()
	p, err := load.Load(os.DirFS(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// counting records the stacks it is asked to synthesise, and passes them
// on to inner; a nil inner fails the call.
type counting struct {
	inner cdk.Synthesizer
	calls [][]string
}

func (c *counting) Synth(stacks []cdk.Stack) (*cdk.Synthesis, error) {
	var names []string
	for _, s := range stacks {
		names = append(names, s.Name)
	}
	c.calls = append(c.calls, names)
	if c.inner == nil {
		return nil, errNoSynthesis
	}
	return c.inner.Synth(stacks)
}

type noSynthesis struct{}

func (noSynthesis) Error() string { return "synthesis started" }

var errNoSynthesis = noSynthesis{}

// synthesised lists every stack name the counter was asked for.
func (c *counting) synthesised() []string {
	var all []string
	for _, call := range c.calls {
		all = append(all, call...)
	}
	slices.Sort(all)
	return all
}

// output is a generator run: its files, as a tree, and each stack's
// template.
type output struct {
	tree      *fstree.Tree
	templates map[string]obj // by stack name
	raw       map[string]string
}

// generate runs the generator and indexes its output.
func generate(t testing.TB, p *model.Platform, prev *fstree.Tree, s cdk.Synthesizer) *output {
	t.Helper()
	files, err := cdk.Generator{Previous: prev, Synth: s}.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	out := &output{tree: &fstree.Tree{}, templates: map[string]obj{}, raw: map[string]string{}}
	if err := out.tree.Add(files...); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name, ok := strings.CutSuffix(path.Base(f.Path), ".template.json"); ok {
			var tmpl obj
			if err := json.Unmarshal(f.Data, &tmpl); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			out.templates[name] = tmpl
			out.raw[name] = string(f.Data)
		}
	}
	return out
}

// sampleRun is the one full synthesis of the sample that most tests
// share: starting Node.js and synthesising every stack is the slow part.
var sampleRun struct {
	once   sync.Once
	p      *model.Platform
	stacks []cdk.Stack
	out    *output
	calls  [][]string
	failed bool
}

func sample(t *testing.T) (*model.Platform, []cdk.Stack, *output) {
	t.Helper()
	sampleRun.once.Do(func() {
		sampleRun.failed = true
		p := loadSample(t)
		stacks, err := cdk.Plan(p)
		if err != nil {
			t.Fatal(err)
		}
		c := &counting{inner: jsiisynth.Synthesizer{}}
		sampleRun.p, sampleRun.stacks = p, stacks
		sampleRun.out = generate(t, p, nil, c)
		sampleRun.calls = c.calls
		sampleRun.failed = false
	})
	if sampleRun.failed {
		t.Fatal("the shared synthesis of the sample failed")
	}
	return sampleRun.p, sampleRun.stacks, sampleRun.out
}

// stacksOf returns the stacks of a kind.
func stacksOf(stacks []cdk.Stack, kind string) []cdk.Stack {
	var out []cdk.Stack
	for _, s := range stacks {
		if s.Kind() == kind {
			out = append(out, s)
		}
	}
	return out
}

// assertTemplate runs CDK assertions on a stack's template; a failed
// assertion (a JavaScript exception, a panic in Go) fails the test.
func assertTemplate(t *testing.T, o *output, stack string, check func(assertions.Template)) {
	t.Helper()
	raw, ok := o.raw[stack]
	if !ok {
		t.Errorf("stack %s has no template", stack)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("stack %s: %v", stack, r)
		}
	}()
	check(assertions.Template_FromString(jsii.String(raw), nil))
}

// resources returns the template's resources of a type, by logical id.
func resources(tmpl obj, typ string) map[string]obj {
	out := map[string]obj{}
	rs, _ := tmpl["Resources"].(obj)
	for id, r := range rs {
		if r := r.(obj); r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(obj)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func generationsOf(p *model.Platform, t *model.Tenant, env string) []model.Generation {
	var out []model.Generation
	for _, c := range p.Placements(t) {
		if c.Environment == env {
			out = append(out, c.Generations()...)
		}
	}
	return out
}
