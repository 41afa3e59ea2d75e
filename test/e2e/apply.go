package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// decodeObjects reads a stream of YAML documents.
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, err
		}
		if len(u.Object) > 0 {
			objs = append(objs, &u)
		}
	}
}

// kustomizeBuild renders a kustomization folder, as "kubectl apply -k"
// does.
func kustomizeBuild(dir string) ([]*unstructured.Unstructured, error) {
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	y, err := res.AsYaml()
	if err != nil {
		return nil, err
	}
	return decodeObjects(y)
}

// apply creates or updates objects on cp with server-side apply, as
// "kubectl apply --server-side" does; CRDs first, then namespaces, then
// the rest.
func (cp *controlPlane) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	rank := func(u *unstructured.Unstructured) int {
		switch u.GetKind() {
		case "CustomResourceDefinition":
			return 0
		case "Namespace":
			return 1
		}
		return 2
	}
	for r := 0; r < 3; r++ {
		mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cp.Client.Discovery()))
		for _, u := range objs {
			if rank(u) != r {
				continue
			}
			if err := cp.applyOne(ctx, mapper, u); err != nil {
				return err
			}
		}
		if r == 0 {
			if err := cp.waitCRDs(ctx, objs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cp *controlPlane) applyOne(ctx context.Context, mapper meta.RESTMapper, u *unstructured.Unstructured) error {
	gvk := u.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s: %s %s: %w", cp.Name, gvk.Kind, u.GetName(), err)
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return err
	}
	ri := cp.Dynamic.Resource(m.Resource)
	force := true
	opts := metav1.PatchOptions{FieldManager: "e2e", Force: &force}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		_, err = ri.Namespace(u.GetNamespace()).Patch(ctx, u.GetName(), types.ApplyPatchType, data, opts)
	} else {
		_, err = ri.Patch(ctx, u.GetName(), types.ApplyPatchType, data, opts)
	}
	if err != nil {
		return fmt.Errorf("%s: applying %s %s/%s: %w", cp.Name, gvk.Kind, u.GetNamespace(), u.GetName(), err)
	}
	return nil
}

// waitCRDs waits until the CRDs among objs are established.
func (cp *controlPlane) waitCRDs(ctx context.Context, objs []*unstructured.Unstructured) error {
	crd := cp.Dynamic.Resource(crdResource)
	for _, u := range objs {
		if u.GetKind() != "CustomResourceDefinition" {
			continue
		}
		err := poll(ctx, 200*time.Millisecond, func() (bool, string, error) {
			got, err := crd.Get(ctx, u.GetName(), metav1.GetOptions{})
			if err != nil {
				return false, err.Error(), nil
			}
			return condition(got, "Established") == "True", "CRD " + u.GetName() + " not established", nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// condition returns the status of a condition of u's status.
func condition(u *unstructured.Unstructured, typ string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ {
			s, _ := m["status"].(string)
			return s
		}
	}
	return ""
}

// moduleDir returns the folder of a module in the module cache, as the
// tool module in dir requires it.
func moduleDir(dir, module string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s in %s: %w", module, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}
