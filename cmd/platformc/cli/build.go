package cli

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/uptodate"
	"github.com/platformc/platformc/internal/cueedit"
	"github.com/platformc/platformc/internal/words"
)

type buildOptions struct {
	out   string
	check bool
}

func newBuildCmd(e *env, rf *rootFlags) *cobra.Command {
	var opts buildOptions
	cmd := &cobra.Command{
		Use:   "build [--out DIR]",
		Short: "Validate the platform and write every output to out/",
		Long: `build validates the platform's sources and writes the generated outputs to
the output folder (out/ under the platform's root unless --out says
otherwise).

Only the files whose bytes change are written, under a journal kept beside
the folder: a build that fails for any reason leaves it exactly as it
was, and the next platformc command undoes a build that was interrupted.
Files that are no longer generated, or were added by hand, are removed;
files edited by hand are written again. out/platformc.json lists every
file with the tenant and cluster it came from. build refuses to replace a
non-empty folder that has no platformc.json, so it never deletes a folder
it did not write. One platformc at a time uses an output folder: build and
publish hold a lock on it (.out.lock beside it), and another one fails at
once with a message naming the holder.

Each tenant's evaluation, generated files and policy findings are kept in
a cache, keyed by the content they were computed from, so that a build
after a change redoes only the tenants it touched. A build also records
every source it read and seals the output folder; when nothing it read
changed and the folder still holds exactly what it wrote, the next build
(same binary, date and PLATFORMC_AWS) says what it said then and stops.
PLATFORMC_CACHE names the cache's folder (default: platformc/ in the
user's cache folder; "off" for none); it is safe to delete at any time.

With --check, build writes nothing: it exits 1 and lists the files of the
output folder that differ from a fresh build — the CI gate against hand
edits and stale outputs. It uses no cache and synthesises every AWS stack:
it trusts nothing it did not compute.`,
		Example: `  # Build the platform of the current repository into out/
  platformc build

  # Build into another folder
  platformc build --out /tmp/manifests

  # In CI: fail if the committed out/ is not what the sources produce
  platformc build --check`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fail(buildRun(e, rf, &opts))
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "output folder (default: out/ under the platform's root)")
	cmd.Flags().BoolVar(&opts.check, "check", false, "write nothing; fail if the output folder is not what a build would write")
	return cmd
}

func buildRun(e *env, rf *rootFlags, opts *buildOptions) error {
	root, err := rf.platformRoot(e)
	if err != nil {
		return err
	}
	out := filepath.Join(root, "out")
	if opts.out != "" {
		out = abs(e, opts.out)
	}
	what := "build"
	if opts.check {
		what = "build --check"
	}
	unlock, err := fstree.Lock(out, what)
	if err != nil {
		return err
	}
	defer unlock()
	if opts.check {
		// The gate trusts nothing that it did not compute: not the caches,
		// which anyone who can write them can forge, nor the stacks of out/,
		// which a pull request can.
		tree, p, err := compileUncached(e, os.DirFS(root), withAWS(e, nil)...)
		if err != nil {
			return err
		}
		locks, err := load.Locks(p)
		if err != nil {
			return err
		}
		return check(e, root, out, tree, locks)
	}
	// Nothing changed since the last build: its report is the answer.
	records, settings := e.caches().Builds, e.settings()
	if r, ok := records.Current(os.DirFS(root), root, out, settings); ok {
		for _, w := range r.Warnings {
			fmt.Fprintln(e.stderr, w)
		}
		built(e, out, r.Files, r.Tenants, r.Clusters)
		return nil
	}
	// What out/ holds is read while the platform compiles.
	prepared := fstree.Prepare(out)
	defer prepared.Close()
	inputs := uptodate.Watch(os.DirFS(root))
	tree, p, err := compile(e, inputs, withAWS(e, prepared.ReadFolder)...)
	if err != nil {
		return err
	}
	locks, err := load.Locks(p)
	if err != nil {
		return err
	}
	// The lock files first, once out/ is known to be writable: should
	// writing it fail later, the next build derives the same generations
	// from them again.
	if err := prepared.Err(); err != nil {
		return err
	}
	relocked, err := writeLocks(root, locks)
	if err != nil {
		return err
	}
	if err := prepared.Write(tree); err != nil {
		return err
	}
	report := uptodate.Report{Files: tree.Len(), Tenants: len(p.Tenants), Clusters: len(p.Clusters)}
	for _, w := range p.Warnings {
		report.Warnings = append(report.Warnings, fmt.Sprint(w))
	}
	// A build that changed a lock file read another one: the next build,
	// from the lock files as they are now, answers for itself.
	var record *uptodate.Record
	if seal, err := prepared.Seal(tree); err == nil && seal != nil && !relocked {
		record = &uptodate.Record{Settings: settings, Inputs: inputs.Observations(), Seal: seal, Report: report}
	}
	records.Save(root, out, record) // else only slower next time
	built(e, out, report.Files, report.Tenants, report.Clusters)
	return nil
}

func built(e *env, out string, files, tenants, clusters int) {
	fmt.Fprintf(e.stdout, "built %s: %s for %s on %s\n", rel(e, out), words.Plural(files, "file"), words.Plural(tenants, "tenant"), words.Plural(clusters, "cluster"))
}

// check compares the output folder and the lock files with a fresh build.
func check(e *env, root, out string, tree *fstree.Tree, locks map[string][]byte) error {
	have, err := fstree.Read(out)
	if err != nil {
		return err
	}
	diffs := fstree.Differences(tree, have)
	for _, name := range slices.Sorted(maps.Keys(locks)) {
		cur, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || !bytes.Equal(cur, locks[name]) {
			fmt.Fprintf(e.stderr, "%-8s %s\n", "stale", rel(e, filepath.Join(root, name)))
			diffs = append(diffs, fstree.Difference{Path: name, How: "stale"})
		}
	}
	if len(diffs) == 0 {
		fmt.Fprintf(e.stdout, "%s is up to date: %s\n", rel(e, out), words.Plural(tree.Len(), "file"))
		return nil
	}
	for _, d := range diffs {
		fmt.Fprintf(e.stderr, "%-8s %s\n", d.How, filepath.Join(rel(e, out), d.Path))
	}
	return fmt.Errorf("%s is not what the sources produce (%s): run 'platformc build' and commit the result", rel(e, out), words.Plural(len(diffs), "file"))
}

// writeLocks writes the lock files that changed, each atomically as the
// other edits of the sources are (cueedit.WriteFile), and reports whether
// any did.
func writeLocks(root string, locks map[string][]byte) (changed bool, err error) {
	for _, name := range slices.Sorted(maps.Keys(locks)) {
		file := filepath.Join(root, filepath.FromSlash(name))
		if cur, err := os.ReadFile(file); err == nil && bytes.Equal(cur, locks[name]) {
			continue
		}
		changed = true
		if err := cueedit.WriteFile(file, locks[name]); err != nil {
			return changed, err
		}
	}
	return changed, nil
}
