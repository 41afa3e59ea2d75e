// Package argocd generates the Argo CD objects (argoproj.io/v1alpha1) that
// apply the manifest repository, and the cluster registrations they
// target:
//
//	bootstrap/                 the app-of-apps: an Application in its own
//	                           locked-down project, applied once by hand
//	argocd/                    what that Application applies to the
//	                           management cluster:
//	  platform/                the platform project and the ApplicationSet
//	                           that puts every tenant namespace and its guard
//	                           rails on every cluster generation
//	  tenants/<t>/             per tenant: an AppProject that confines it to
//	                           its namespace, and an ApplicationSet that
//	                           deploys its overlay to each of its clusters
//	  clusters/<c>/            per cluster generation: an ExternalSecret that
//	                           assembles the Argo CD cluster Secret from the
//	                           endpoint and CA the cluster's stack publishes
//	  registry/                the store those values are read from
//	  addons/                  the platform's add-ons: their project and,
//	                           per add-on, an ApplicationSet that installs
//	                           its Helm chart on every generation whose
//	                           cluster Secret has its label, at the chart
//	                           version the Secret's annotations give for
//	                           the generation's Kubernetes version
//
// Isolation is built in, not templated: every project name and destination
// namespace is a constant in the generated YAML, never a template
// expression; tenant projects allow no cluster-scoped kind and deny the
// kinds the platform owns. ApplicationSets select clusters by the
// platformc.io/cluster label, so that every generation of a logical
// cluster (blue and green during an upgrade) is selected with no change to
// the ApplicationSet.
//
// Deletion is real: the Applications of tenants, namespaces and
// Karpenter's configuration carry Argo CD's resources finalizer, so that
// when their ApplicationSet stops selecting a generation (a tenant leaves
// it, or it retires: RetiringLabel) Argo CD deletes what they applied
// first, each object's own finalizers included; add-on charts are
// preserved, to release what those objects held, until the generation's
// cluster is destroyed.
package argocd
