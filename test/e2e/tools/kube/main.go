// Command kube is a multi-call binary of the Kubernetes programs that the
// end-to-end test runs: called as kube-apiserver, kube-controller-manager,
// etcd or kubectl (by a symlink of that name, as hyperkube was), it runs that
// program, built from the pinned k8s.io/kubernetes and the etcd it is tested
// with. kubectl is there to look into a kept run's clusters.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	switch name := filepath.Base(os.Args[0]); name {
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kubectl":
		os.Exit(cli.Run(kubectl.NewDefaultKubectlCommand()))
	case "etcd":
		etcdmain.Main(os.Args)
	default:
		fmt.Fprintf(os.Stderr, "%s: run me as kube-apiserver, kube-controller-manager, etcd or kubectl\n", name)
		os.Exit(2)
	}
}
