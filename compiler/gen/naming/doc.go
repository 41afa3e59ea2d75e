// Package naming is how the platform's outputs name and wire what they
// make, shared by the generators, the loader (which refuses names that
// would collide) and the tests: the names of the Kubernetes objects the
// platform owns and the annotations it sets, the Argo CD Applications and
// ApplicationSets, the add-ons' Helm values, and on AWS the IAM roles and
// their ARNs, the tenants' secrets, the SSM parameters, tags, queues and
// log groups. The model (compiler/model) holds the platform's facts
// alone; what a fact is called in an output format is decided here.
package naming
