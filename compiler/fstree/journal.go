package fstree

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/platformc/platformc/internal/atomicfile"
	"github.com/platformc/platformc/internal/pool"
)

// An update in place of an output folder dir is recorded, before anything
// in dir changes, in the journal file ".<dir>.journal" beside it; each
// file it replaces or removes is moved into the folder ".<dir>.undo"
// beside it. The journal lists, one per line:
//
//	b N "path"   the file (or foreign folder) at path was moved to undo/N
//	c "path"     the file at path is created
//	d "path"     the folder at path is created
//
// The update is done when the journal is removed; the undo folder is then
// only clutter. Until then, Recover puts dir back as it was. The journal is
// written to a temporary name and renamed, so it is whole or absent.
const journalHeader = "platformc write journal 1"

func journalPaths(dir string) (journal, undo string) {
	parent, base := filepath.Split(filepath.Clean(dir))
	return filepath.Join(parent, "."+base+".journal"), filepath.Join(parent, "."+base+".undo")
}

// journal is the plan of an update.
type journal struct {
	backups []string // paths moved aside, to undo/<index>
	creates []string // files created
	mkdirs  []string // folders created, parents first
}

func (j *journal) encode() []byte {
	var b bytes.Buffer
	b.WriteString(journalHeader + "\n")
	for i, p := range j.backups {
		fmt.Fprintf(&b, "b %d %s\n", i, strconv.Quote(p))
	}
	for _, p := range j.creates {
		fmt.Fprintf(&b, "c %s\n", strconv.Quote(p))
	}
	for _, p := range j.mkdirs {
		fmt.Fprintf(&b, "d %s\n", strconv.Quote(p))
	}
	return b.Bytes()
}

func decodeJournal(data []byte) (*journal, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != journalHeader {
		return nil, errors.New("not a platformc write journal")
	}
	j := &journal{}
	for sc.Scan() {
		op, rest, _ := strings.Cut(sc.Text(), " ")
		if op == "b" {
			n, q, _ := strings.Cut(rest, " ")
			if i, err := strconv.Atoi(n); err != nil || i != len(j.backups) {
				return nil, fmt.Errorf("bad line %q", sc.Text())
			}
			rest = q
		}
		p, err := strconv.Unquote(rest)
		if err != nil || CheckPath(p) != nil {
			return nil, fmt.Errorf("bad line %q", sc.Text())
		}
		switch op {
		case "b":
			j.backups = append(j.backups, p)
		case "c":
			j.creates = append(j.creates, p)
		case "d":
			j.mkdirs = append(j.mkdirs, p)
		default:
			return nil, fmt.Errorf("bad line %q", sc.Text())
		}
	}
	return j, sc.Err()
}

// undo puts dir back as it was before the update j, whatever part of it
// was done: it removes what was created and moves back what was moved
// aside. It can run any number of times.
func (j *journal) undo(dir, undoDir string) error {
	var errs []error
	for _, p := range j.creates {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscallENOTDIR) {
			errs = append(errs, err)
		}
	}
	for _, p := range slices.Backward(j.mkdirs) {
		d := filepath.Join(dir, filepath.FromSlash(p))
		if fi, err := os.Lstat(d); err != nil || !fi.IsDir() {
			continue // not made, or a file that stood in the way
		}
		if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for i, p := range j.backups {
		saved := filepath.Join(undoDir, strconv.Itoa(i))
		if _, err := os.Lstat(saved); errors.Is(err, fs.ErrNotExist) {
			continue // not moved yet
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			errs = append(errs, err)
			continue
		}
		if fi, err := os.Lstat(dst); err == nil && fi.IsDir() {
			os.RemoveAll(dst)
		}
		if err := os.Rename(saved, dst); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Recover finishes with an update of the output folder dir that was
// interrupted, by a crash or a failure to undo it: it puts dir back as it
// was before the update, from the journal beside it. Without a journal it
// only removes what a finished update left behind. Write and Read call it
// first.
func Recover(dir string) error {
	jfile, undoDir := journalPaths(dir)
	data, err := os.ReadFile(jfile)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(undoDir); err == nil {
			os.RemoveAll(undoDir)
		}
		return nil
	}
	if err != nil {
		return err
	}
	j, err := decodeJournal(data)
	if err != nil {
		return fmt.Errorf("%s: %v: %s may be partly written; remove it and build again", jfile, err, dir)
	}
	if err := j.undo(dir, undoDir); err != nil {
		return fmt.Errorf("undoing the interrupted write of %s (journal %s): %w", dir, jfile, err)
	}
	if err := os.Remove(jfile); err != nil {
		return err
	}
	os.RemoveAll(undoDir)
	return nil
}

// readBytes is what was read of a file: its change time (changeTime)
// before it was read, and the hex SHA-256 of the bytes read.
type readBytes struct {
	change time.Time
	sum    string
}

// onDisk is what update found in dir.
type onDisk struct {
	sums   map[string]string // file -> hex SHA-256 of its bytes, where known
	unsure []string          // files that changed since the manifest: read them
	extra  []string          // entries the manifest does not list
}

// survey finds the state of dir, which old, its manifest written at
// stamp, describes. The manifest was read as manifest says: a manifest
// unchanged since has those bytes, and is not read again.
func survey(dir string, old *Manifest, stamp time.Time, manifest readBytes) (*onDisk, error) {
	order := old.paths()
	files := make([]string, 0, len(order)+1)
	for _, p := range order {
		if CheckPath(p) == nil {
			files = append(files, p)
		}
	}
	files = append(files, ManifestName)
	dirs := map[string]bool{".": true}
	for _, p := range files {
		for d := path.Dir(p); !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	dirList := make([]string, 0, len(dirs))
	for d := range dirs {
		dirList = append(dirList, d)
	}
	depth := func(d string) int {
		if d == "." {
			return -1
		}
		return strings.Count(d, "/")
	}
	slices.SortFunc(dirList, func(a, b string) int { // parents first
		return cmp.Or(cmp.Compare(depth(a), depth(b)), strings.Compare(a, b))
	})
	// Folders: real, missing, or something else in their place. A symlink
	// where the manifest has a folder is never followed: the files it would
	// reach are outside dir, and the symlink itself goes (extra).
	const (
		real = iota
		missing
		other
	)
	kind := make([]byte, len(dirList))
	changed := make([]bool, len(dirList)) // changed since the manifest: may hold unlisted entries
	err := parallel(len(dirList), func(i int) error {
		st, err := lstat(filepath.Join(dir, filepath.FromSlash(dirList[i])))
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR):
			kind[i] = missing
		case err != nil:
			return err
		case !st.isDir():
			kind[i] = other
		default:
			changed[i] = !st.change.Before(stamp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	usable := make(map[string]bool, len(dirList)) // a real folder, under real folders
	d := &onDisk{sums: make(map[string]string, len(files))}
	for i, dd := range dirList {
		parentOK := dd == "." || usable[path.Dir(dd)]
		switch {
		case !parentOK:
			changed[i] = false
		case kind[i] == real:
			usable[dd] = true
		case kind[i] == other:
			d.extra = append(d.extra, dd)
		}
	}
	// Files: present and unchanged since the manifest, changed, or gone.
	state := make([]byte, len(files)) // 0 gone, 1 as listed, 2 unsure, 3 not a file
	err = parallel(len(files), func(i int) error {
		if !usable[path.Dir(files[i])] {
			return nil // gone: its folder is not there, or is not a folder
		}
		st, err := lstat(filepath.Join(dir, filepath.FromSlash(files[i])))
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR):
			state[i] = 0
		case err != nil:
			return err
		case !st.isRegular():
			state[i] = 3
		case files[i] == ManifestName:
			if st.change.Equal(manifest.change) {
				state[i] = 1 // as read, before the survey
			} else {
				state[i] = 2
			}
		case st.change.Before(stamp):
			state[i] = 1
		default:
			state[i] = 2
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, p := range files {
		switch state[i] {
		case 1:
			d.sums[p] = old.Files[p].SHA256
			if p == ManifestName {
				d.sums[p] = manifest.sum
			}
		case 2:
			d.unsure = append(d.unsure, p)
		case 3:
			d.extra = append(d.extra, p)
		}
	}
	listed := map[string]bool{}
	for _, p := range files {
		listed[p] = true
	}
	var toRead []string
	for i, dd := range dirList {
		if changed[i] {
			toRead = append(toRead, dd)
		}
	}
	extra := make([][]string, len(toRead))
	err = parallel(len(toRead), func(i int) error {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(toRead[i])))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := path.Join(toRead[i], e.Name())
			if (e.IsDir() && dirs[p]) || (!e.IsDir() && listed[p]) {
				continue
			}
			extra[i] = append(extra[i], p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.extra = append(d.extra, slices.Concat(extra...)...)
	return d, nil
}

// update makes the folder of w, which its manifest describes, hold t,
// changing only what differs, under a journal.
func update(w *Prepared, t *Tree, crash func() bool) error {
	dir, disk, stamp, start := w.dir, w.disk, w.stamp, w.start
	// Once dir is as the manifest says, the manifest's time is set back to
	// when the reading of dir started: whatever changed since will be read
	// next time.
	restamp := func() {
		if start.After(stamp) {
			os.Chtimes(filepath.Join(dir, ManifestName), start, start) // else only slower next time
		}
	}
	t.sumAll()
	// Files that changed since the manifest are read and compared.
	for _, p := range disk.unsure {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		disk.sums[p] = hexSum(data)
	}
	var j journal
	var writes []string
	paths := t.Paths()
	const (
		unchanged = iota
		created
		changed
	)
	what := make([]byte, len(paths))
	parallel(len(paths), func(i int) error {
		switch have, ok := disk.sums[paths[i]]; {
		case !ok:
			what[i] = created
		case !sameSum(have, t.sums[paths[i]]):
			what[i] = changed
		}
		return nil
	})
	for i, p := range paths {
		switch what[i] {
		case created:
			j.creates = append(j.creates, p)
		case changed:
			j.backups = append(j.backups, p)
		default:
			continue
		}
		writes = append(writes, p)
	}
	// Files of dir that t does not have: some unless t has every one.
	if len(paths)-len(j.creates) < len(disk.sums) {
		for p := range disk.sums {
			if _, ok := t.files[p]; !ok {
				j.backups = append(j.backups, p)
			}
		}
	}
	j.backups = append(j.backups, disk.extra...)
	slices.Sort(j.backups)
	j.backups = slices.Compact(j.backups)
	w.touched = append(slices.Clone(writes), disk.unsure...)
	if len(writes) == 0 && len(j.backups) == 0 {
		if len(disk.unsure) > 0 {
			restamp()
		}
		return nil
	}
	// Folders that t needs and that are missing.
	moved := make(map[string]bool, len(j.backups))
	for _, p := range j.backups {
		moved[p] = true
	}
	movedWith := func(d string) bool { // d or a folder above it is moved away
		for ; d != "."; d = path.Dir(d) {
			if moved[d] {
				return true
			}
		}
		return false
	}
	made := map[string]bool{}
	for _, p := range writes {
		for d := path.Dir(p); d != "." && !made[d]; d = path.Dir(d) {
			if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(d))); err == nil && fi.IsDir() && !movedWith(d) {
				break
			}
			made[d] = true
			j.mkdirs = append(j.mkdirs, d)
		}
	}
	slices.Sort(j.mkdirs) // parents first

	jfile, undoDir := journalPaths(dir)
	if err := writeJournal(jfile, j.encode()); err != nil {
		return err
	}
	if err := apply(dir, undoDir, t, &j, writes, crash); err != nil {
		if errors.Is(err, errCrash) {
			return err
		}
		if uerr := j.undo(dir, undoDir); uerr != nil {
			return fmt.Errorf("%w; undoing it failed too (%v): the next build will retry", err, uerr)
		}
		os.Remove(jfile)
		os.RemoveAll(undoDir)
		return err
	}
	if err := os.Remove(jfile); err != nil {
		return err
	}
	os.RemoveAll(undoDir)
	restamp()
	return nil
}

// errCrash stops a write as a crash would (tests).
var errCrash = errors.New("simulated crash")

// apply carries out the journal j.
func apply(dir, undoDir string, t *Tree, j *journal, writes []string, crash func() bool) error {
	step := func() error {
		if crash != nil && crash() {
			return errCrash
		}
		return nil
	}
	if err := os.Mkdir(undoDir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	for i, p := range j.backups {
		if err := step(); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(dir, filepath.FromSlash(p)), filepath.Join(undoDir, strconv.Itoa(i))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, d := range j.mkdirs {
		if err := step(); err != nil {
			return err
		}
		if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	// The manifest last, so that every file written is older than it.
	manifest := slices.Contains(writes, ManifestName)
	writes = slices.DeleteFunc(slices.Clone(writes), func(p string) bool { return p == ManifestName })
	var crashed atomic.Bool
	err := parallel(len(writes), func(i int) error {
		if crash != nil && (crashed.Load() || crash()) {
			crashed.Store(true)
			return errCrash
		}
		f := t.files[writes[i]]
		if f.unread() {
			// Its bytes were taken to be in dir already: dir changed
			// during the build.
			return fmt.Errorf("%s changed while platformc was building: build again", filepath.Join(dir, filepath.FromSlash(f.Path)))
		}
		return os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data, 0o644)
	})
	if err != nil {
		return err
	}
	if manifest {
		if err := step(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, ManifestName), t.files[ManifestName].Data, 0o644); err != nil {
			return err
		}
	}
	// Folders left empty by removed files go; the folders of t's files,
	// all written, are not empty.
	gone := map[string]bool{}
	for _, p := range j.backups {
		for d := path.Dir(p); d != "." && !gone[d]; d = path.Dir(d) {
			if os.Remove(filepath.Join(dir, filepath.FromSlash(d))) != nil {
				break
			}
			gone[d] = true
		}
	}
	return nil
}

// writeJournal writes data to file atomically and durably.
func writeJournal(file string, data []byte) error {
	return atomicfile.Write(file, true, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// parallel runs f(0..n-1), calls that mostly wait on the disk, on a few
// goroutines (pool.Each): the first error by index, after which the
// remaining calls are skipped.
func parallel(n int, f func(i int) error) error {
	return pool.Each(n, min(runtime.GOMAXPROCS(0)*2, 8, n/64+1), f)
}

func hexSum(data []byte) string { return hexSum32(sha256sum(data)) }

func hexSum32(s [32]byte) string { return hex.EncodeToString(s[:]) }

// sameSum reports whether have is the hex of sum, without allocating.
func sameSum(have string, sum [32]byte) bool {
	var buf [64]byte
	hex.Encode(buf[:], sum[:])
	return have == string(buf[:])
}
