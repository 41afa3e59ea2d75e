// Command platformc compiles a platform's CUE sources into Kubernetes,
// Argo CD, External Secrets and AWS CDK outputs. Run "platformc help".
package main

import (
	"os"

	"github.com/platformc/platformc/cmd/platformc/cli"
)

func main() { os.Exit(cli.Main()) }
