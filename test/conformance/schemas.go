package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/kube-openapi/pkg/util"
	"sigs.k8s.io/yaml"
)

// The pinned upstream schema sources: the one place to bump them. Each is
// a Go module read from the module cache (fetched with `go mod download`,
// never vendored or required in go.mod). The validation engine,
// k8s.io/apiextensions-apiserver in go.mod, must stay on the same
// Kubernetes minor as KubernetesModule (TestEngineMatchesKubernetes).
const (
	// Built-in kinds: the OpenAPI v3 spec of Kubernetes 1.33, from
	// api/openapi-spec/v3/, with enums restored from
	// pkg/generated/openapi/zz_generated.openapi.go (see doc.go).
	KubernetesModule = "k8s.io/kubernetes@v1.33.13"
	// Argo CD CRDs (AppProject, Application, ApplicationSet), from
	// manifests/crds/. Newer Argo CD releases do not build here.
	ArgoCDModule = "github.com/argoproj/argo-cd/v3@v3.2.12"
	// External Secrets Operator CRDs (external-secrets.io and
	// generators.external-secrets.io), from config/crds/bases/.
	ESOModule = "github.com/external-secrets/external-secrets@v0.20.4"
	// Karpenter CRDs (NodePool, EC2NodeClass), from pkg/apis/crds/: the
	// newest release the module proxy serves here, the chart version of
	// the versions table for Kubernetes 1.31 to 1.33.
	KarpenterModule = "github.com/aws/karpenter-provider-aws@v1.6.3"
)

const (
	coreSpecDir     = "api/openapi-spec/v3"
	coreGoDefs      = "pkg/generated/openapi/zz_generated.openapi.go"
	argoCDCRDDir    = "manifests/crds"
	esoCRDDir       = "config/crds/bases"
	karpenterCRDDir = "pkg/apis/crds"
)

// Schema is everything needed to validate one apiVersion+kind.
type Schema struct {
	GVK        schema.GroupVersionKind
	Source     string // where the schema was read, for messages
	Namespaced bool
	NameFn     validation.ValidateNameFunc
	Structural *structuralschema.Structural
	Validator  apiservervalidation.SchemaValidator
	CEL        *cel.Validator // nil when the schema has no x-kubernetes-validations
	// NestedMeta are the paths of ObjectMeta below the root of a built-in
	// kind (pod templates): the API server checks their labels and
	// annotations in Go, not by schema. "[]" steps into array items.
	NestedMeta [][]string
}

// Registry finds the Schema for an apiVersion+kind. Schemas are built on
// first use; a Registry is safe for concurrent use.
type Registry struct {
	dirs map[string]string // module@version -> folder in the module cache

	mu      sync.Mutex
	crds    map[schema.GroupVersionKind]crdVersion
	core    map[schema.GroupVersion]*coreGroupVersion
	enums   map[string]map[string][]any // component -> path -> enum values
	schemas map[schema.GroupVersionKind]*Schema
}

type crdVersion struct {
	source     string
	namespaced bool
	version    *apiextensionsv1.CustomResourceDefinitionVersion
}

type coreGroupVersion struct {
	file       string
	components map[string]map[string]any
	kinds      map[string]string // kind -> component name
	namespaced map[string]bool   // kind -> namespaced
}

// Load locates the pinned modules (downloading them if needed) and reads
// every CRD; the Kubernetes spec is read per group-version on first use.
func Load() (*Registry, error) {
	dirs, err := moduleDirs(KubernetesModule, ArgoCDModule, ESOModule, KarpenterModule)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		dirs:    dirs,
		crds:    map[schema.GroupVersionKind]crdVersion{},
		core:    map[schema.GroupVersion]*coreGroupVersion{},
		schemas: map[schema.GroupVersionKind]*Schema{},
	}
	for _, src := range []struct{ module, dir string }{
		{ArgoCDModule, argoCDCRDDir},
		{ESOModule, esoCRDDir},
		{KarpenterModule, karpenterCRDDir},
	} {
		if err := r.loadCRDs(src.module, src.dir); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// moduleDirs runs `go mod download -json` outside any module and returns
// each module's folder in the module cache.
func moduleDirs(modules ...string) (map[string]string, error) {
	tmp, err := os.MkdirTemp("", "conformance-mod")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", append([]string{"mod", "download", "-json"}, modules...)...)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	dirs := map[string]string{}
	var errs []error
	dec := json.NewDecoder(&stdout)
	for {
		var m struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go mod download: %v\n%s", err, stderr.String())
		}
		if m.Error != "" || m.Dir == "" {
			errs = append(errs, fmt.Errorf("go mod download %s@%s: %s", m.Path, m.Version, m.Error))
			continue
		}
		dirs[m.Path+"@"+m.Version] = m.Dir
	}
	if runErr != nil && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("go mod download: %v\n%s", runErr, stderr.String()))
	}
	return dirs, errors.Join(errs...)
}

// Lookup returns the schema for gvk, or an error saying why there is none.
func (r *Registry) Lookup(gvk schema.GroupVersionKind) (*Schema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.schemas[gvk]; ok {
		return s, nil
	}
	var s *Schema
	var err error
	if c, ok := r.crds[gvk]; ok {
		s, err = r.crdSchema(gvk, c)
	} else {
		s, err = r.coreSchema(gvk)
	}
	if err != nil {
		return nil, err
	}
	r.schemas[gvk] = s
	return s, nil
}

// newSchema turns an internal JSONSchemaProps into a Schema the way the
// apiextensions-apiserver does when it starts serving a CRD version.
func newSchema(gvk schema.GroupVersionKind, source string, namespaced bool, props *apiextensions.JSONSchemaProps) (*Schema, error) {
	ss, err := structuralschema.NewStructural(props)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: not a structural schema: %w", source, gvk.Kind, err)
	}
	if errs := structuralschema.ValidateStructural(nil, ss); len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s: not a structural schema: %w", source, gvk.Kind, errs.ToAggregate())
	}
	ss = ss.DeepCopy()
	if err := defaulting.PruneDefaults(ss); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", source, gvk.Kind, err)
	}
	v, _, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", source, gvk.Kind, err)
	}
	s := &Schema{GVK: gvk, Source: source, Namespaced: namespaced, NameFn: nameFn(gvk), Structural: ss, Validator: v}
	if hasRules(ss) {
		s.CEL = cel.NewValidator(ss, true, celconfig.PerCallLimit)
	}
	return s, nil
}

func hasRules(s *structuralschema.Structural) bool {
	if s == nil {
		return false
	}
	if len(s.XValidations) > 0 || hasRules(s.Items) {
		return true
	}
	if s.AdditionalProperties != nil && hasRules(s.AdditionalProperties.Structural) {
		return true
	}
	for _, p := range s.Properties {
		if hasRules(&p) {
			return true
		}
	}
	return false
}

// nameFn is the metadata.name rule. Custom resources, and most built-in
// kinds, take DNS subdomains; these built-in kinds are stricter (see
// ValidateNamespace and ValidateService in k8s.io/kubernetes/pkg/apis/core/validation).
func nameFn(gvk schema.GroupVersionKind) validation.ValidateNameFunc {
	switch gvk.GroupKind() {
	case schema.GroupKind{Kind: "Namespace"}:
		return validation.ValidateNamespaceName
	case schema.GroupKind{Kind: "Service"}:
		return validation.NameIsDNS1035Label
	}
	return validation.NameIsDNSSubdomain
}

// --- CRDs -------------------------------------------------------------------

func (r *Registry) loadCRDs(module, dir string) error {
	root := filepath.Join(r.dirs[module], dir)
	files, err := filepath.Glob(filepath.Join(root, "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("%s: no CRDs in %s", module, dir)
	}
	n := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		docs, err := splitYAML(data)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for _, doc := range docs {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.Unmarshal(doc, crd); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if crd.Kind != "CustomResourceDefinition" {
				continue // kustomization.yaml
			}
			source := module + "/" + dir + "/" + filepath.Base(file)
			for i := range crd.Spec.Versions {
				v := &crd.Spec.Versions[i]
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				r.crds[gvk] = crdVersion{source: source, namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped, version: v}
				n++
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("%s: no CRDs in %s", module, dir)
	}
	return nil
}

func (r *Registry) crdSchema(gvk schema.GroupVersionKind, c crdVersion) (*Schema, error) {
	if !c.version.Served {
		return nil, fmt.Errorf("%s %s is not served by %s (served: false)", gvk.GroupVersion(), gvk.Kind, c.source)
	}
	if c.version.Schema == nil || c.version.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("%s %s has no schema in %s", gvk.GroupVersion(), gvk.Kind, c.source)
	}
	props := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(c.version.Schema.OpenAPIV3Schema, props, nil); err != nil {
		return nil, err
	}
	return newSchema(gvk, c.source, c.namespaced, props)
}

// --- Built-in kinds ---------------------------------------------------------

// coreSchema builds a CRD-style structural schema for a built-in kind out of
// the Kubernetes OpenAPI v3 spec: $refs are inlined, IntOrString and
// Quantity become x-kubernetes-int-or-string (Quantity with the pattern
// controller-gen gives it), defaults are dropped (the API server defaults
// built-in kinds in Go, not from the spec) and metadata is left to the
// ObjectMeta checks, as for custom resources.
func (r *Registry) coreSchema(gvk schema.GroupVersionKind) (*Schema, error) {
	gv, err := r.coreGroupVersion(gvk.GroupVersion())
	if err != nil {
		return nil, err
	}
	name, ok := gv.kinds[gvk.Kind]
	if !ok {
		return nil, fmt.Errorf("no schema for %s %s: neither a CRD of %s, %s or %s nor a kind in %s %s", gvk.GroupVersion(), gvk.Kind, ArgoCDModule, ESOModule, KarpenterModule, KubernetesModule, gv.file)
	}
	if err := r.loadEnums(); err != nil {
		return nil, err
	}
	inlined, err := r.inline(gv.components, map[string]any{"$ref": "#/components/schemas/" + name}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", gv.file, name, err)
	}
	inlined["properties"].(map[string]any)["metadata"] = map[string]any{"type": "object"}
	nestedMeta := objectMetaPaths(inlined, nil)
	data, err := json.Marshal(inlined)
	if err != nil {
		return nil, err
	}
	v1 := &apiextensionsv1.JSONSchemaProps{}
	if err := json.Unmarshal(data, v1); err != nil {
		return nil, err
	}
	props := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, props, nil); err != nil {
		return nil, err
	}
	s, err := newSchema(gvk, KubernetesModule+"/"+gv.file, gv.namespaced[gvk.Kind], props)
	if err != nil {
		return nil, err
	}
	s.NestedMeta = nestedMeta
	return s, nil
}

func (r *Registry) coreGroupVersion(gv schema.GroupVersion) (*coreGroupVersion, error) {
	if c, ok := r.core[gv]; ok {
		return c, nil
	}
	file := "apis__" + gv.Group + "__" + gv.Version + "_openapi.json"
	if gv.Group == "" {
		file = "api__" + gv.Version + "_openapi.json"
	}
	data, err := os.ReadFile(filepath.Join(r.dirs[KubernetesModule], coreSpecDir, file))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no schema for %s: neither a CRD group of %s, %s or %s nor a group-version of %s (no %s/%s)", gv, ArgoCDModule, ESOModule, KarpenterModule, KubernetesModule, coreSpecDir, file)
	} else if err != nil {
		return nil, err
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]map[string]any }
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	type gvkExt struct {
		GVK *schema.GroupVersionKind `json:"x-kubernetes-group-version-kind"`
	}
	c := &coreGroupVersion{file: coreSpecDir + "/" + file, components: spec.Components.Schemas, kinds: map[string]string{}, namespaced: map[string]bool{}}
	for name, s := range spec.Components.Schemas {
		list, _ := s["x-kubernetes-group-version-kind"].([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			if m["group"] == gv.Group && m["version"] == gv.Version && !strings.HasSuffix(name, "List") {
				if kind, _ := m["kind"].(string); kind != "" && kind != "DeleteOptions" && kind != "WatchEvent" {
					c.kinds[kind] = name
				}
			}
		}
	}
	for p, item := range spec.Paths {
		for _, op := range item {
			var e gvkExt
			if json.Unmarshal(op, &e) == nil && e.GVK != nil && strings.Contains(p, "/namespaces/{namespace}/") {
				c.namespaced[e.GVK.Kind] = true
			}
		}
	}
	r.core[gv] = c
	return c, nil
}

const (
	objectMetaComponent = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	objectMetaMarker    = "x-conformance-objectmeta" // dropped by JSONSchemaProps
)

// objectMetaPaths returns the paths of the nodes of s marked as ObjectMeta.
func objectMetaPaths(s map[string]any, path []string) [][]string {
	var paths [][]string
	if s[objectMetaMarker] == true {
		paths = append(paths, path)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for name, p := range props {
			paths = append(paths, objectMetaPaths(p.(map[string]any), append(slices.Clip(path), name))...)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		paths = append(paths, objectMetaPaths(items, append(slices.Clip(path), itemsStep))...)
	}
	return paths
}

// quantityPattern is how controller-gen types resource.Quantity in CRDs.
const quantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// inline returns node with every $ref replaced by a copy of its target.
func (r *Registry) inline(components map[string]map[string]any, node map[string]any, stack []string) (map[string]any, error) {
	ref, _ := node["$ref"].(string)
	if all, ok := node["allOf"].([]any); ok && len(all) == 1 {
		if m, ok := all[0].(map[string]any); ok {
			ref, _ = m["$ref"].(string)
		}
	}
	if ref != "" {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		switch name {
		case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
			return map[string]any{"x-kubernetes-int-or-string": true}, nil
		case "io.k8s.apimachinery.pkg.api.resource.Quantity":
			return map[string]any{"x-kubernetes-int-or-string": true, "pattern": quantityPattern}, nil
		}
		for _, s := range stack {
			if s == name {
				return nil, fmt.Errorf("recursive schema %s", strings.Join(append(stack, name), " -> "))
			}
		}
		target, ok := components[name]
		if !ok {
			return nil, fmt.Errorf("unresolved $ref %s", ref)
		}
		out, err := r.inline(components, target, append(stack, name))
		if err != nil {
			return nil, err
		}
		if err := r.applyEnums(name, out); err != nil {
			return nil, err
		}
		if name == objectMetaComponent {
			out[objectMetaMarker] = true
		}
		if n, ok := node["nullable"]; ok {
			out["nullable"] = n
		}
		return out, nil
	}
	out := map[string]any{}
	for k, v := range node {
		switch k {
		case "description", "default", "x-kubernetes-group-version-kind", "x-kubernetes-patch-strategy",
			"x-kubernetes-patch-merge-key", "x-kubernetes-unions":
			// documentation, defaults (applied in Go by the API server) and
			// hints for clients: not validation.
		case "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				x, err := r.inline(components, p.(map[string]any), stack)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				props[name] = x
			}
			out[k] = props
		case "items", "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				x, err := r.inline(components, m, stack)
				if err != nil {
					return nil, err
				}
				v = x
			}
			out[k] = v
		case "allOf", "anyOf", "oneOf", "not":
			return nil, fmt.Errorf("unsupported %s in %v", k, node)
		default:
			out[k] = v
		}
	}
	return out, nil
}

// applyEnums sets the enums the API server publishes for component on its
// inlined schema s (the checked-in spec omits them).
func (r *Registry) applyEnums(component string, s map[string]any) error {
	for path, values := range r.enums[component] {
		node := s
		if path != "" {
			for _, step := range strings.Split(path, "/") {
				var next map[string]any
				if step == itemsStep || step == valuesStep {
					next, _ = node[map[string]string{itemsStep: "items", valuesStep: "additionalProperties"}[step]].(map[string]any)
				} else if props, ok := node["properties"].(map[string]any); ok {
					next, _ = props[step].(map[string]any)
				}
				if next == nil {
					return fmt.Errorf("%s: enum for %s: no such field in the OpenAPI spec", component, path)
				}
				node = next
			}
		}
		if _, done := node["enum"]; !done {
			node["enum"] = values
		}
	}
	return nil
}

// Steps of an enum's field path that are not property names.
const (
	itemsStep  = "[]" // the items of an array
	valuesStep = "{}" // the values of a map
)

// loadEnums reads the Enum values of the OpenAPI definitions the API
// server serves, keyed by component name and field path ("policyTypes/[]").
func (r *Registry) loadEnums() error {
	if r.enums != nil {
		return nil
	}
	file := filepath.Join(r.dirs[KubernetesModule], coreGoDefs)
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	defs := map[string]string{} // Go function -> OpenAPI component
	funcs := map[string]*ast.FuncDecl{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		funcs[fd.Name.Name] = fd
		if fd.Name.Name != "GetOpenAPIDefinitions" {
			continue
		}
		ast.Inspect(fd, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if call, ok := kv.Value.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok {
						defs[id.Name] = util.ToRESTFriendlyName(unquote(kv.Key))
					}
				}
			}
			return true
		})
	}
	enums := map[string]map[string][]any{}
	for fn, component := range defs {
		fd := funcs[fn]
		if fd == nil {
			return fmt.Errorf("%s: no func %s", coreGoDefs, fn)
		}
		found := map[string][]any{}
		collectEnums(fd.Body, nil, found)
		if len(found) > 0 {
			enums[component] = found
		}
	}
	if len(enums) == 0 {
		return fmt.Errorf("%s: no enums found", coreGoDefs)
	}
	r.enums = enums
	return nil
}

// collectEnums walks the spec.Schema literals under n, tracking the field
// path through Properties, Items and AdditionalProperties.
func collectEnums(n ast.Node, path []string, out map[string][]any) {
	ast.Inspect(n, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		var step string
		switch key := kv.Key.(type) {
		case *ast.BasicLit: // a property name in a Properties map
			step = unquote(key)
		case *ast.Ident:
			switch key.Name {
			case "Enum":
				var values []any
				for _, e := range kv.Value.(*ast.CompositeLit).Elts {
					lit := e.(*ast.BasicLit)
					if lit.Kind == token.INT {
						i, _ := strconv.ParseInt(lit.Value, 0, 64)
						values = append(values, i)
					} else {
						values = append(values, unquote(lit))
					}
				}
				out[strings.Join(path, "/")] = values
				return false
			case "Items":
				step = itemsStep
			case "AdditionalProperties":
				step = valuesStep
			default:
				return true
			}
		default:
			return true
		}
		collectEnums(kv.Value, append(append([]string(nil), path...), step), out)
		return false
	})
}

func unquote(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok {
		return ""
	}
	s, _ := strconv.Unquote(lit.Value)
	return s
}

// splitYAML splits a multi-document YAML stream, dropping empty documents.
func splitYAML(data []byte) ([][]byte, error) {
	var docs [][]byte
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			docs = append(docs, doc)
		}
	}
}
