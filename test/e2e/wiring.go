package e2e

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// checkAWSWiring checks, on the API servers, what the AWS controllers
// would act on (issue 16): every tenant Ingress has external-dns publish
// the generation's own name and never its host (one writer per DNS
// name); an EKS Auto Mode generation has its network policy controller
// turned on; and Reloader, which rolls the pods of a rotated secret, is
// installed on every generation by an Application of its chart.
func (w *world) checkAWSWiring(ctx context.Context, m *model.Platform) error {
	var problems []string
	for _, c := range m.Clusters {
		for _, g := range c.Generations() {
			cp := w.cluster(g.Name())
			if cp == nil {
				return fmt.Errorf("no cluster %s", g.Name())
			}
			list, err := cp.Client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for _, in := range list.Items {
				host, source := in.Annotations[naming.ExternalDNSHostname], in.Annotations[naming.ExternalDNSSource]
				if source != "annotation-only" || !strings.HasSuffix(host, "."+g.Domain()) {
					problems = append(problems, fmt.Sprintf("%s: Ingress %s/%s: external-dns would publish %q (source %q), want a name under %s only", g.Name(), in.Namespace, in.Name, host, source, g.Domain()))
				}
			}
			cm, err := cp.Client.CoreV1().ConfigMaps(naming.NetworkPolicyNamespace).Get(ctx, naming.NetworkPolicyConfigMap, metav1.GetOptions{})
			on := err == nil && cm.Data[naming.NetworkPolicyKey] == "true"
			if auto := c.Capacity.Mode == model.AutoMode; on != auto {
				problems = append(problems, fmt.Sprintf("%s (%s): network policy controller ConfigMap present and on: %t", g.Name(), c.Capacity.Mode, on))
			}
			var chart string
			app, err := w.mgmt.Dynamic.Resource(applicationResource).Namespace(w.cfg.argo.Namespace).Get(ctx, "reloader-"+g.Name(), metav1.GetOptions{})
			if err == nil {
				chart, _, _ = unstructured.NestedString(app.Object, "spec", "source", "chart")
			}
			if chart != "reloader" {
				problems = append(problems, fmt.Sprintf("%s: no Application of the reloader chart (%v)", g.Name(), err))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("AWS wiring:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}
