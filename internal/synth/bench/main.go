// Command bench measures the platformc binary on synthetic platforms
// (internal/synth) and prints a Markdown table: for each size, a cold
// build (no output folder, no tenant cache), a rebuild with nothing
// changed, a rebuild after one tenant changed, and "platformc diff"
// between two commits that differ in one tenant, without and with the
// tenant cache; the wall time (median of the runs, and the range), the CPU time
// (user + system), the peak RSS, and the files and objects written.
//
//	go run ./internal/synth/bench -platformc bin/platformc -sizes 100x3,1000x3,5000x3
//
// "make bench" runs it. The AWS stacks are left out (PLATFORMC_AWS=off):
// the figures are those of the Kubernetes, Argo CD and External Secrets
// outputs. With -aws, the AWS stacks are in, as "platformc build" makes
// them by default: the rebuilds after a change and the diffs are measured
// for a change that no stack's input sees (a service's replicas) and for
// one that a stack's does (a service with AWS access added: one Node.js
// start), and the
// diffs run in a repository whose commits hold out/, as a platform's do. Every cold build writes into a folder of its own, and nothing
// is deleted until the end: on ext4 without a journal, creating files
// right after deleting many is several times slower, which would measure
// the benchmark's own clean-up. The figures are for comparison, not tests.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/platformc/platformc/internal/synth/synth"
)

type size struct{ tenants, clusters int }

func (s size) String() string { return fmt.Sprintf("%d x %d", s.tenants, s.clusters) }

// sample is one run of the binary.
type sample struct {
	wall, cpu time.Duration
	rss       int64 // bytes
}

// row is one measured operation at one size.
type row struct {
	size    size
	what    string
	samples []sample
	files   int
	objects int
	target  string // "<= 3 s": what the issue asks, if anything
	limit   time.Duration
}

func main() {
	bin := flag.String("platformc", "bin/platformc", "the platformc binary to measure")
	sizesFlag := flag.String("sizes", "100x3,1000x3,5000x3", "comma-separated TENANTSxCLUSTERS")
	runs := flag.Int("runs", 3, "runs of each measurement; the table shows the median")
	work := flag.String("work", "", "folder for the platforms and outputs (default: a new temporary folder, removed at the end)")
	seed := flag.Uint64("seed", 1, "seed of the synthetic platforms")
	aws := flag.Bool("aws", false, "build the AWS stacks too, as platformc build does by default")
	flag.Parse()
	sizes, err := parseSizes(*sizesFlag)
	if err != nil || *runs < 1 {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	abs, err := filepath.Abs(*bin)
	check(err)
	*bin = abs
	dir := *work
	if dir == "" {
		dir, err = os.MkdirTemp("", "platformc-bench-")
		check(err)
		defer os.RemoveAll(dir)
	}
	start := machine(dir)
	var rows []row
	for _, s := range sizes {
		if *aws {
			rows = append(rows, measureAWS(*bin, dir, s, *runs, *seed)...)
		} else {
			rows = append(rows, measure(*bin, dir, s, *runs, *seed)...)
		}
	}
	fmt.Print(table(rows, sizes, start, *runs, *aws))
}

func parseSizes(flagValue string) ([]size, error) {
	var out []size
	for _, f := range strings.Split(flagValue, ",") {
		var s size
		if _, err := fmt.Sscanf(strings.TrimSpace(f), "%dx%d", &s.tenants, &s.clusters); err != nil || s.tenants < 1 || s.clusters < 1 {
			return nil, fmt.Errorf("-sizes: %q is not TENANTSxCLUSTERS", f)
		}
		out = append(out, s)
	}
	return out, nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run runs the binary in dir with the tenant cache in cache ("off": none)
// and the AWS stacks left out, and measures it; the output is discarded
// unless it fails.
func run(bin, dir, cache string, args ...string) sample {
	return runWith(bin, dir, []string{"PLATFORMC_AWS=off", "PLATFORMC_CACHE=" + cache}, args...)
}

// runAWS is run with the AWS stacks.
func runAWS(bin, dir, cache string, args ...string) sample {
	return runWith(bin, dir, []string{"PLATFORMC_CACHE=" + cache}, args...)
}

func runWith(bin, dir string, env []string, args ...string) sample {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 0 {
			fmt.Fprintf(os.Stderr, "bench: %s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, tail(out.String()))
			os.Exit(1)
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{
		wall: wall,
		cpu:  time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		rss:  ru.Maxrss * 1024, // kilobytes on Linux
	}
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

func git(dir string, args ...string) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		check(fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out))
	}
}

// measure runs every measurement of one size.
func measure(bin, dir string, s size, runs int, seed uint64) []row {
	name := fmt.Sprintf("%dx%d", s.tenants, s.clusters)
	fmt.Fprintf(os.Stderr, "bench: %s: generating the platform\n", name)
	p := synth.New(synth.Config{Tenants: s.tenants, Clusters: s.clusters, Seed: seed})
	root := filepath.Join(dir, "platform-"+name)
	check(p.Write(root))

	cache := filepath.Join(dir, "cache-"+name)
	cold := row{size: s, what: "build, cold (no out/, no cache)"}
	if s.tenants == 1000 {
		cold.target, cold.limit = "≤ 3 s", 3*time.Second
	}
	if s.tenants == 5000 {
		cold.target, cold.limit = "≤ 15 s", 15*time.Second
	}
	out := coldBuilds(&cold, run, bin, dir, name, root, cache, runs)

	warm := row{size: s, what: "rebuild, nothing changed (warm cache)", files: cold.files, objects: cold.objects}
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: %s: rebuild %d/%d\n", name, i+1, runs)
		warm.samples = append(warm.samples, run(bin, root, cache, "build", "--out", out))
	}

	one := row{size: s, what: "rebuild, one tenant changed (warm cache)"}
	if s.tenants == 1000 {
		one.target, one.limit = "≤ 0.3 s", 300*time.Millisecond
	}
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: %s: rebuild after a change %d/%d\n", name, i+1, runs)
		p.ChangeTenant((i*7919 + len(p.Tenants)/2) % len(p.Tenants))
		check(p.Write(root))
		one.samples = append(one.samples, run(bin, root, cache, "build", "--out", out))
	}
	one.files, one.objects = count(out)

	// diff: two commits of the platform that differ in one tenant.
	repo := filepath.Join(dir, "repo-"+name)
	check(p.Write(repo))
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "base")
	p.ChangeTenant(len(p.Tenants) / 3)
	check(p.Write(repo))
	git(repo, "commit", "-q", "-a", "-m", "change one tenant")
	rows := []row{cold, warm, one}
	for _, c := range []struct{ what, cache string }{{"diff, one tenant changed, no cache (CI)", "off"}, {"diff, one tenant changed, warm cache", cache}} {
		diff := row{size: s, what: c.what}
		if s.tenants == 1000 {
			diff.target, diff.limit = "≤ 1 s", time.Second
		}
		for i := range runs {
			fmt.Fprintf(os.Stderr, "bench: %s: %s %d/%d\n", name, c.what, i+1, runs)
			diff.samples = append(diff.samples, run(bin, repo, c.cache, "diff", "--base", "HEAD~1"))
		}
		rows = append(rows, diff)
	}
	return rows
}

// measureAWS runs the measurements of one size with the AWS stacks.
func measureAWS(bin, dir string, s size, runs int, seed uint64) []row {
	name := fmt.Sprintf("%dx%d-aws", s.tenants, s.clusters)
	fmt.Fprintf(os.Stderr, "bench: %s: generating the platform\n", name)
	p := synth.New(synth.Config{Tenants: s.tenants, Clusters: s.clusters, Seed: seed, AWS: true})
	root := filepath.Join(dir, "platform-"+name)
	check(p.Write(root))
	thousand := s.tenants == 1000
	cache := filepath.Join(dir, "cache-"+name)
	cold := row{size: s, what: "build, cold (no out/, no cache)"}
	out := coldBuilds(&cold, runAWS, bin, dir, name, root, cache, runs)
	if thousand {
		cold.target = "≤ 1 GiB"
	}
	warm := row{size: s, what: "rebuild, nothing changed", files: cold.files, objects: cold.objects}
	if thousand {
		warm.target, warm.limit = "≤ 0.5 s", 500*time.Millisecond
	}
	// The first rebuild after a build that wrote files reads back those
	// files; the ones after it are what a CI job that builds twice sees.
	runAWS(bin, root, cache, "build", "--out", out)
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: %s: rebuild %d/%d\n", name, i+1, runs)
		warm.samples = append(warm.samples, runAWS(bin, root, cache, "build", "--out", out))
	}
	k8s := row{size: s, what: "rebuild, one tenant's replicas changed (no stack input)"}
	if thousand {
		k8s.target, k8s.limit = "≤ 0.3 s", 300*time.Millisecond
	}
	stack := row{size: s, what: "rebuild, one tenant's service with AWS access added (its stacks synthesised)"}
	if thousand {
		stack.target = "≤ jsii start + 0.3 s"
	}
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: %s: rebuilds after a change %d/%d\n", name, i+1, runs)
		p.ChangeReplicas((i*7919 + len(p.Tenants)/2) % len(p.Tenants))
		check(p.Write(root))
		k8s.samples = append(k8s.samples, runAWS(bin, root, cache, "build", "--out", out))
		p.AddAccessingService((i*7919 + len(p.Tenants)/3) % len(p.Tenants))
		check(p.Write(root))
		stack.samples = append(stack.samples, runAWS(bin, root, cache, "build", "--out", out))
	}
	k8s.files, k8s.objects = count(out)
	stack.files, stack.objects = count(out)
	rows := []row{cold, warm, k8s, stack}

	// diff: a repository whose commit holds the platform and its out/, and
	// a work tree that changes one tenant without building.
	repo := filepath.Join(dir, "repo-"+name)
	check(p.Write(repo))
	fmt.Fprintf(os.Stderr, "bench: %s: building the repository's out/\n", name)
	runAWS(bin, repo, cache, "build")
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "base")
	for _, change := range []struct {
		what string
		edit func() string
	}{
		{"replicas changed (no stack input)", func() string { return p.ChangeReplicas(len(p.Tenants) / 5) }},
		{"service with AWS access added (its stacks synthesised)", func() string { return p.AddAccessingService(len(p.Tenants) / 7) }},
	} {
		git(repo, "checkout", "-q", "--", ".")
		change.edit()
		check(p.Write(repo))
		for _, c := range []struct{ what, cache string }{{"no cache (CI)", "off"}, {"warm cache", cache}} {
			diff := row{size: s, what: "diff, one tenant's " + change.what + ", " + c.what}
			for i := range runs {
				fmt.Fprintf(os.Stderr, "bench: %s: %s %d/%d\n", name, diff.what, i+1, runs)
				diff.samples = append(diff.samples, runAWS(bin, repo, c.cache, "diff", "--base", "HEAD"))
			}
			rows = append(rows, diff)
		}
	}
	return rows
}

// coldBuilds measures runs cold builds of the platform at root with run,
// each into a new folder of dir after emptying the cache, into r, and
// returns the last output folder.
func coldBuilds(r *row, run func(bin, dir, cache string, args ...string) sample, bin, dir, name, root, cache string, runs int) string {
	var out string
	for i := range runs {
		fmt.Fprintf(os.Stderr, "bench: %s: cold build %d/%d\n", name, i+1, runs)
		out = filepath.Join(dir, fmt.Sprintf("out-%s-%d", name, i))
		check(os.RemoveAll(cache))
		r.samples = append(r.samples, run(bin, root, cache, "build", "--out", out))
	}
	r.files, r.objects = count(out)
	return out
}

// count returns the files under dir and the Kubernetes objects among them:
// one per YAML file that is not a kustomization.
func count(dir string) (files, objects int) {
	check(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		if strings.HasSuffix(p, ".yaml") && d.Name() != "kustomization.yaml" {
			objects++
		}
		return nil
	}))
	return files, objects
}

func median(ss []sample, f func(sample) float64) (med, lo, hi float64) {
	var xs []float64
	for _, s := range ss {
		xs = append(xs, f(s))
	}
	slices.Sort(xs)
	return xs[len(xs)/2], xs[0], xs[len(xs)-1]
}

func table(rows []row, sizes []size, start string, runs int, aws bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", start)
	stacks := "the AWS stacks are left out (PLATFORMC_AWS=off)"
	if aws {
		stacks = "with the AWS stacks, as platformc build makes them by default"
	}
	fmt.Fprintf(&b, "Median of %d runs (range in brackets); CPU is user + system time; %s.\n\n", runs, stacks)
	b.WriteString("| tenants x clusters | operation | wall | CPU | peak RSS | files | objects | target |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	walls := map[size]float64{}
	for _, r := range rows {
		w, lo, hi := median(r.samples, func(s sample) float64 { return s.wall.Seconds() })
		c, _, _ := median(r.samples, func(s sample) float64 { return s.cpu.Seconds() })
		m, _, _ := median(r.samples, func(s sample) float64 { return float64(s.rss) })
		if strings.HasPrefix(r.what, "build, cold") {
			walls[r.size] = w
		}
		files, objects := "", ""
		if r.files > 0 {
			files, objects = fmt.Sprint(r.files), fmt.Sprint(r.objects)
		}
		target := r.target
		if r.limit > 0 {
			if w <= r.limit.Seconds() {
				target += " ✓"
			} else {
				target += fmt.Sprintf(" ✗ (+%.0f%%)", 100*(w/r.limit.Seconds()-1))
			}
		}
		if strings.HasPrefix(r.what, "build, cold") && r.size.tenants == 1000 {
			switch {
			case m > 1<<30 && strings.Contains(target, "GiB"):
				target += " ✗"
			case m > 1<<30:
				target += ", RSS ✗"
			case strings.Contains(target, "GiB"):
				target += " ✓"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f s [%.2f–%.2f] | %.2f s | %.0f MiB | %s | %s | %s |\n", r.size, r.what, w, lo, hi, c, m/(1<<20), files, objects, target)
	}
	for _, s := range sizes {
		for _, base := range sizes {
			if base.tenants*5 == s.tenants && base.clusters == s.clusters && walls[base] > 0 {
				ratio := walls[s] / walls[base]
				verdict := "✓"
				if ratio > 6 {
					verdict = "✗"
				}
				fmt.Fprintf(&b, "\nScaling: a cold build of %s costs %.1fx one of %s (target ≤ 6x) %s\n", s, ratio, base, verdict)
			}
		}
	}
	return b.String()
}

// machine describes where the benchmark runs.
func machine(dir string) string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	kernel := ""
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(data))
	}
	load := ""
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load average " + strings.Join(strings.Fields(string(data))[:3], " ") + " at the start"
	}
	fsType := ""
	if out, err := exec.Command("df", "--output=fstype", dir).Output(); err == nil {
		if f := strings.Fields(string(out)); len(f) == 2 {
			fsType = ", outputs on " + f[1]
		}
	}
	return fmt.Sprintf("Machine: %s, %d cores%s%s, %s%s%s; %s.", cpu, runtime.NumCPU(), mem, kernel, runtime.Version(), fsType, load, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}
