// Command synth writes a synthetic platform — platform.cue, clusters/*.cue
// and tenants/*.cue — for benchmarks and experiments:
//
//	go run ./internal/synth -tenants 1000 -clusters 3 -out /tmp/platform
//
// The same flags, -seed included, always write the same bytes. The folder
// is created if needed; a non-empty folder is replaced only if synth wrote
// it. Build it with "platformc build --root DIR".
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/platformc/platformc/internal/synth/synth"
)

func main() {
	var c synth.Config
	flag.IntVar(&c.Tenants, "tenants", 100, "number of tenants")
	flag.IntVar(&c.Clusters, "clusters", 3, "number of clusters (from 3 up, about one in five is dedicated)")
	flag.Uint64Var(&c.Seed, "seed", 1, "random seed; the same seed gives the same platform")
	out := flag.String("out", "", "folder to write the platform to (required)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: synth -tenants N -clusters N [-seed S] -out DIR\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() > 0 || c.Tenants < 0 || c.Clusters < 1 {
		flag.Usage()
		os.Exit(2)
	}
	p := synth.New(c)
	if err := p.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d tenants on %d clusters (seed %d)\n", *out, len(p.Tenants), len(p.Clusters), c.Seed)
}
