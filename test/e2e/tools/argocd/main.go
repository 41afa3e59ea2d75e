// Command argocd is the part of Argo CD's multi-call binary that the
// end-to-end test runs, built from the pinned github.com/argoproj/argo-cd/v3:
// called as argocd-application-controller, argocd-applicationset-controller,
// argocd-repo-server, argocd-git-ask-pass or argocd-k8s-auth (by a symlink of
// that name, as Argo CD's images do), it runs that program. Argo CD's own
// cmd/main.go does the same for every component; the API server, the UI, Dex
// and the CLI are left out because the test does not run them.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	applicationset "github.com/argoproj/argo-cd/v3/cmd/argocd-applicationset-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	k8sauth "github.com/argoproj/argo-cd/v3/cmd/argocd-k8s-auth/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func main() {
	// As Argo CD's cmd/main.go: klog uses the configured level and format.
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))

	var command *cobra.Command
	switch name := filepath.Base(os.Args[0]); name {
	case "argocd-application-controller":
		command = appcontroller.NewCommand()
	case "argocd-applicationset-controller":
		command = applicationset.NewCommand()
	case "argocd-repo-server":
		command = reposerver.NewCommand()
	case "argocd-git-ask-pass":
		command = gitaskpass.NewCommand()
	case "argocd-k8s-auth":
		command = k8sauth.NewCommand()
	default:
		fmt.Fprintf(os.Stderr, "%s: run me as an Argo CD component\n", name)
		os.Exit(2)
	}
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}
