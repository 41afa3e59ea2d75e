// Package conformance checks that every object platformc generates would
// be accepted by a Kubernetes API server with the pinned CRDs installed,
// under strict field validation.
//
// # Running
//
//	cd test/conformance && go test ./...
//
// It is a module of its own, so that the Kubernetes server libraries stay
// out of platformc's go.mod; it uses the platformc module in ../.. through
// a replace directive. The first run downloads the pinned schema modules
// into the Go module cache (about 64 MB of zips) and compiles the
// Kubernetes libraries; after that the suite takes a couple of seconds.
//
// # What is validated
//
// TestGeneratedOutput compiles the repository's sample platform in memory
// (compiler.Compile on ../..) and validates
//   - every object of every generated *.yaml file but kustomization.yaml,
//     as written, and
//   - every object of every kustomization, as kustomize builds it
//     (compiler/kbuild), which is what Argo CD applies.
//
// Objects are dispatched on apiVersion and kind. One that no pinned source
// describes, or whose version a CRD does not serve, fails the test: nothing
// escapes validation. TestValidator feeds minimal correct objects and
// deliberately broken ones (unknown field, missing required field, wrong
// type or enum, bad quantity, bad names and labels) from each source, so
// the validator is known not to be vacuous.
//
// # Schemas, pinned in schemas.go
//
//   - Built-in kinds: the OpenAPI v3 spec of Kubernetes 1.33
//     (k8s.io/kubernetes@v1.33.13, api/openapi-spec/v3/*.json).
//   - Argo CD: the CRDs of github.com/argoproj/argo-cd/v3@v3.2.12,
//     manifests/crds/.
//   - External Secrets Operator: the CRDs of
//     github.com/external-secrets/external-secrets@v0.20.4,
//     config/crds/bases/ (external-secrets.io/v1 is served, v1beta1 is not).
//
// They are read at test time from the module cache, located with
// `go mod download -json module@version`; nothing is copied into the
// repository and they are not requirements in go.mod.
//
// # Engine: the API server's own code
//
// Validation uses k8s.io/apiextensions-apiserver v0.33 (the Kubernetes
// 1.33 release, see TestEngineMatchesKubernetes), the code the API server
// runs for custom resources, in the order it runs it:
//   - decoding: unknown fields are reported as with fieldValidation=Strict
//     (kubectl's default), by pruning against the structural schema;
//     metadata is decoded strictly into ObjectMeta; embedded resources are
//     coerced;
//   - defaulting from the structural schema;
//   - validation: ObjectMeta rules (name, namespace, labels, annotations),
//     the OpenAPI schema (types, required, enum, pattern, formats, int-or-
//     string, nullable, x-kubernetes-preserve-unknown-fields), embedded
//     ObjectMeta, list-type map/set uniqueness, and CEL rules.
//
// This was chosen over converting the schemas to JSON Schema for a generic
// validator (github.com/santhosh-tekuri/jsonschema): for CRDs it is exactly
// what the server does, with no conversion of Kubernetes extensions to get
// subtly wrong, and it builds with Go 1.26.
//
// Built-in kinds are validated in Go by the API server, not from the
// OpenAPI spec. The closest schema check, the one kubectl-validate uses, is
// to treat a kind's OpenAPI schema as a CRD schema: $refs are inlined,
// IntOrString becomes x-kubernetes-int-or-string, resource.Quantity becomes
// int-or-string with the pattern controller-gen gives it, defaults are
// dropped (the server defaults built-in kinds in Go) and the root metadata
// is left to the ObjectMeta checks. The checked-in spec omits enums
// (hack/update-openapi-spec.sh), which the API server does publish; they
// are restored from the definitions it publishes them from, the same
// module's pkg/generated/openapi/zz_generated.openapi.go. Namespace names
// must be DNS labels and Service names DNS-1035 labels, and the labels and
// annotations of pod templates are checked, as the Go validation does.
//
// # Not covered
//
//   - The rest of the built-in kinds' Go validation (for example: the
//     selector matches the template's labels, port ranges, container
//     names, cron syntax, cross-field rules). A floating point quantity
//     (cpu: 0.5) is rejected although the server would accept it.
//   - A namespaced object without a namespace is validated as if in
//     "default", as kubectl and Argo CD give it the destination namespace.
//   - Admission (Pod Security, webhooks) and what the Argo CD and External
//     Secrets controllers check beyond their CRD schemas.
package conformance
