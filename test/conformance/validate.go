package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// ParseYAML decodes a (multi-document) YAML stream the way the API server
// decodes a YAML request body: duplicate keys are errors and numbers
// become int64 or float64.
func ParseYAML(data []byte) ([]map[string]any, error) {
	docs, err := splitYAML(data)
	if err != nil {
		return nil, err
	}
	var objs []map[string]any
	for i, doc := range docs {
		j, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		var obj map[string]any
		if err := utiljson.Unmarshal(j, &obj); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if obj != nil { // a document of comments only
			objs = append(objs, obj)
		}
	}
	return objs, nil
}

// Normalize re-decodes an object built elsewhere (kustomize's maps) into
// the JSON types ParseYAML gives.
func Normalize(obj map[string]any) (map[string]any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, utiljson.Unmarshal(data, &out)
}

// Describe names an object for messages: "apps/v1 Deployment ns/name".
func Describe(obj map[string]any) string {
	u := unstructured.Unstructured{Object: obj}
	name := u.GetName()
	if ns := u.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return fmt.Sprintf("%s %s %s", u.GetAPIVersion(), u.GetKind(), name)
}

// Validate checks obj as the API server would on a create with
// fieldValidation=Strict, and returns every violation, sorted. It does not
// change obj.
//
// The steps follow k8s.io/apiextensions-apiserver: the decoder's
// unstructuredSchemaCoercer (unknown fields in metadata and in the body,
// ObjectMeta decoding, embedded resources), structural defaulting, then
// customResourceStrategy.Validate (ObjectMeta rules, the OpenAPI schema,
// embedded ObjectMeta, list-type map/set invariants, CEL rules).
func (r *Registry) Validate(obj map[string]any) []string {
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(obj)}
	apiVersion, kind := u.GetAPIVersion(), u.GetKind()
	if apiVersion == "" || kind == "" {
		return []string{"apiVersion and kind are required"}
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return []string{"apiVersion: " + err.Error()}
	}
	s, err := r.Lookup(gv.WithKind(kind))
	if err != nil {
		return []string{err.Error()}
	}
	var errs field.ErrorList
	var unknown []string

	// Decoding.
	meta, found, metaUnknown, err := objectmeta.GetObjectMetaWithOptions(u.Object, objectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return []string{"metadata: " + err.Error()}
	}
	unknown = append(unknown, metaUnknown...)
	unknown = append(unknown, pruning.PruneWithOptions(u.Object, s.Structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	defaulting.PruneNonNullableNullsWithoutDefaults(u.Object, s.Structural)
	ferr, embeddedUnknown := objectmeta.CoerceWithOptions(nil, u.Object, s.Structural, false, objectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		errs = append(errs, ferr)
	}
	unknown = append(unknown, embeddedUnknown...)
	if found {
		if err := objectmeta.SetObjectMeta(u.Object, meta); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("metadata"), nil, err.Error()))
		}
	}
	defaulting.Default(u.Object, s.Structural)

	// Validation. A namespaced object without a namespace gets the one it
	// is applied to (kubectl's context, Argo CD's destination).
	if s.Namespaced && u.GetNamespace() == "" {
		u.SetNamespace("default")
	}
	errs = append(errs, validation.ValidateObjectMetaAccessor(u, s.Namespaced, s.NameFn, field.NewPath("metadata"))...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, s.Validator)...)
	errs = append(errs, objectmeta.Validate(nil, u.Object, s.Structural, false)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, s.Structural, u.Object)...)
	for _, p := range s.NestedMeta {
		errs = append(errs, validateNestedMeta(u.Object, nil, p)...)
	}
	if s.CEL != nil {
		if blocking(errs) {
			errs = append(errs, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
		} else {
			celErrs, _ := s.CEL.Validate(context.Background(), nil, s.Structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
			errs = append(errs, celErrs...)
		}
	}

	var out []string
	for _, p := range unknown {
		out = append(out, fmt.Sprintf("%s: unknown field", p))
	}
	for _, e := range errs {
		out = append(out, e.Error())
	}
	sort.Strings(out)
	return out
}

// blocking mirrors hasBlockingErr in the apiextensions-apiserver's
// customResourceStrategy: CEL rules are skipped after these errors.
func blocking(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// validateNestedMeta checks the labels and annotations of the ObjectMeta
// at path below x, as the built-in kinds' Go validation does for pod
// templates (ValidatePodTemplateSpec).
func validateNestedMeta(x any, fld *field.Path, path []string) field.ErrorList {
	if len(path) == 0 {
		m, _ := x.(map[string]any)
		return append(metav1validation.ValidateLabels(stringMap(m["labels"]), fld.Child("labels")),
			validation.ValidateAnnotations(stringMap(m["annotations"]), fld.Child("annotations"))...)
	}
	var errs field.ErrorList
	switch x := x.(type) {
	case map[string]any:
		if path[0] != itemsStep {
			if v, ok := x[path[0]]; ok {
				errs = append(errs, validateNestedMeta(v, fld.Child(path[0]), path[1:])...)
			}
		}
	case []any:
		if path[0] == itemsStep {
			for i, v := range x {
				errs = append(errs, validateNestedMeta(v, fld.Index(i), path[1:])...)
			}
		}
	}
	return errs
}

// stringMap keeps the string values of a map; the schema reports others.
func stringMap(x any) map[string]string {
	m, _ := x.(map[string]any)
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
