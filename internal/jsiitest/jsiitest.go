// Package jsiitest runs the tests of a package that synthesises AWS
// stacks (jsiisynth) as good neighbours, and faster.
//
// jsii's Node.js process extracts aws-cdk-lib (about 180 MB) into a
// package cache, by default in the user's home ($HOME/.cache/aws/jsii),
// so that the next process links it instead, with the runtime index
// that the first synthesis writes (jsiisynth.Index), which makes the
// next start 1.9 s faster. Main puts that cache in a temporary folder of
// the test binary's own, shared by every test and by the platformc
// processes the tests start (CacheEnv names it), fills it once before the
// tests run, so that no two processes extract it at once, and removes
// it, and jsii's runtime, when they are done.
package jsiitest

import (
	"fmt"
	"os"

	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
)

// CacheEnv is the environment variable that names jsii's package cache.
const CacheEnv = jsiisynth.CacheRootEnv

// M is what a TestMain runs: *testing.M.
type M interface{ Run() int }

// Main runs m's tests with jsii's package cache in a temporary folder,
// and returns their exit code.
func Main(m M) int {
	dir, err := os.MkdirTemp("", "platformc-jsii-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsiitest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv(CacheEnv, dir)
	defer jsiisynth.Close()
	// Starting Node.js with no stack loads aws-cdk-lib: the cache is
	// complete before any test starts another process.
	if _, err := (jsiisynth.Synthesizer{}).Synth(nil); err != nil {
		fmt.Fprintln(os.Stderr, "jsiitest: starting the AWS CDK:", err)
		return 1
	}
	return m.Run()
}
