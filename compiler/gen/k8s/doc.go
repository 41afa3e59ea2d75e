// Package k8s holds what every generator of Kubernetes objects shares: the
// object type (a map, so that YAML keys come out sorted), its constructor,
// the labels platformc puts on objects, and file naming.
package k8s
