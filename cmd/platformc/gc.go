package main

import (
	"os"
	"runtime/debug"
)

// platformc runs for seconds and allocates much (CUE's evaluator above
// all), so it collects garbage less often than Go's default: GOGC=400 cuts
// the CPU of a build by about a quarter. The soft memory limit makes the
// collector work harder as the heap nears it, so that big platforms stay
// well under a gigabyte. GOGC and GOMEMLIMIT in the environment take
// precedence.
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}
