package layout_test

import (
	"fmt"

	"github.com/platformc/platformc/compiler/gen/layout"
)

func Example() {
	fmt.Println(layout.AppOverlay("billing", "prod-shared-1-35"))
	fmt.Println(layout.NamespaceOverlay("billing", "prod-shared-1-35"))
	fmt.Println(layout.Cluster("prod-shared-1-35"))
	fmt.Println(layout.Addon("karpenter", "prod-shared-1-35"))
	fmt.Println(layout.ArgoCDTenant("billing"))
	fmt.Println(layout.ArgoCDCluster("prod-shared"))
	// Output:
	// tenants/billing/app/overlays/prod-shared-1-35
	// tenants/billing/namespace/overlays/prod-shared-1-35
	// clusters/prod-shared-1-35
	// addons/karpenter/prod-shared-1-35
	// argocd/tenants/billing
	// argocd/clusters/prod-shared
}
