package model

// Namespace is the tenant's namespace on every cluster it is placed on.
func (t *Tenant) Namespace() string { return t.Name }

// ServiceAccount is the Kubernetes service account a workload runs as.
func (w *Workload) ServiceAccount() string { return w.Name }
