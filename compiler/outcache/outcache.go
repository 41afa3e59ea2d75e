package outcache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/platformc/platformc/internal/atomicfile"
)

// header starts the file of New's store; it changes with the format.
const header = "platformc output cache 2"

// File is the store's file in its folder.
const File = "outputs.cache"

// The file is the header line, then per entry a line of the hex key, the
// hex SHA-256 of the key and the payload together, and the payload's
// length, then the payload and a newline. One file, rather than one per
// entry: creating thousands of files costs seconds on some disks, writing
// tens of megabytes in one file a few tens of milliseconds.

// Key names an entry.
type Key [32]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Store is a set of entries kept in memory and, unless its folder is "",
// in the folder's File, which holds the entries that the last process to
// write it used: it does not grow without bound. A Store is safe for
// concurrent use.
type Store struct {
	dir, file, header string

	mu     sync.Mutex
	mem    map[Key][]byte // entries of this process: read or put
	sums   map[Key][]byte // the checksums of mem's entries read from the file, checked
	disk   map[Key]packed // the file's entries, once read
	loaded bool
	dirty  bool                  // mem has entries the file lacks, or the file is damaged
	busy   map[Key]chan struct{} // entries being computed (Claim)
}

// packed is an entry of the file, checked when first read.
type packed struct {
	sum     []byte // hex
	payload []byte
}

// New returns the store kept in the folder dir ("": in memory only).
func New(dir string) *Store { return NewFile(dir, File, header) }

// NewFile returns a store kept in the file name of the folder dir, which
// starts with the line header: another store of entries of another kind,
// in the same format.
func NewFile(dir, name, header string) *Store {
	return &Store{dir: dir, file: name, header: header, mem: map[Key][]byte{}, sums: map[Key][]byte{}, busy: map[Key]chan struct{}{}}
}

// checksum is an entry's checksum: of its key and payload, so that a
// payload under another key does not pass.
func checksum(k Key, payload []byte) []byte {
	h := sha256.New()
	h.Write(k[:])
	h.Write(payload)
	return []byte(hex.EncodeToString(h.Sum(nil)))
}

// Get returns the payload of the entry k.
func (s *Store) Get(k Key) ([]byte, bool) {
	s.mu.Lock()
	data, ok := s.mem[k]
	var p packed
	if !ok {
		s.load()
		p, ok = s.disk[k]
	}
	s.mu.Unlock()
	if data != nil || !ok {
		return data, ok
	}
	if !bytes.Equal(checksum(k, p.payload), p.sum) {
		s.mu.Lock()
		delete(s.disk, k)
		s.dirty = true
		s.mu.Unlock()
		return nil, false
	}
	s.mu.Lock()
	s.mem[k], s.sums[k] = p.payload, p.sum
	s.mu.Unlock()
	return p.payload, true
}

// Claim returns the payload of the entry k, as Get does; if there is
// none, and another goroutine is computing it (it claimed k), Claim waits
// for it to finish and looks again. When Claim reports false, k is the
// caller's to compute: it must call done (once or more), after Put if it has a payload,
// so that the goroutines waiting for k go on. Two compilations sharing a
// store, such as a diff's, so compute each entry once.
func (s *Store) Claim(k Key) (payload []byte, ok bool, done func()) {
	for {
		if payload, ok := s.Get(k); ok {
			return payload, true, func() {}
		}
		s.mu.Lock()
		wait, busy := s.busy[k]
		if !busy {
			ch := make(chan struct{})
			s.busy[k] = ch
			s.mu.Unlock()
			return nil, false, sync.OnceFunc(func() {
				s.mu.Lock()
				if s.busy[k] == ch {
					delete(s.busy, k)
				}
				s.mu.Unlock()
				close(ch)
			})
		}
		s.mu.Unlock()
		<-wait
	}
}

// Put keeps payload as the entry k.
func (s *Store) Put(k Key, payload []byte) {
	s.mu.Lock()
	s.mem[k] = payload
	delete(s.sums, k)
	s.dirty = true
	s.mu.Unlock()
}

// load reads the file's entries, once; s.mu is held. What cannot be
// parsed ends the reading: the entries after it are lost, not misread.
func (s *Store) load() {
	if s.loaded || s.dir == "" {
		return
	}
	s.loaded = true
	s.disk = map[Key]packed{}
	file := filepath.Join(s.dir, s.file)
	// Only a regular file is read: a symlink could lead anywhere, and a
	// device such as /dev/urandom has no end. Anything else is no cache,
	// which the next flush replaces.
	if fi, err := os.Lstat(file); err != nil || !fi.Mode().IsRegular() {
		s.dirty = err == nil
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	head, data, _ := bytes.Cut(data, []byte("\n"))
	if string(head) != s.header {
		s.dirty = true
		return
	}
	for len(data) > 0 {
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		var keyHex, sumHex string
		var n int
		if _, err := fmt.Sscanf(string(line), "%64s %64s %d", &keyHex, &sumHex, &n); !ok || err != nil || n < 0 || n+1 > len(rest) || rest[n] != '\n' {
			s.dirty = true
			return
		}
		var k Key
		if kb, err := hex.DecodeString(keyHex); err == nil && len(kb) == len(k) {
			copy(k[:], kb)
			s.disk[k] = packed{sum: []byte(sumHex), payload: rest[:n:n]}
		} else {
			s.dirty = true
		}
		data = rest[n+1:]
	}
}

// Flush writes the entries this process used to the file, atomically, if
// it lacks any; a store that cannot be written is only slower.
func (s *Store) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty || s.dir == "" {
		return nil
	}
	keys := make([]Key, 0, len(s.mem))
	for k := range s.mem {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int { return bytes.Compare(a[:], b[:]) })
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	// A cache needs no flush to the disk: a lost one is rebuilt.
	err := atomicfile.Write(filepath.Join(s.dir, s.file), false, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(s.header + "\n")
		for _, k := range keys {
			p, sum := s.mem[k], s.sums[k] // checked when read: not hashed again
			if sum == nil {
				sum = checksum(k, p)
			}
			fmt.Fprintf(w, "%s %s %d\n", k, sum, len(p))
			w.Write(p)
			w.WriteByte('\n')
		}
		return w.Flush()
	})
	if err != nil {
		return err
	}
	s.dirty = false
	return nil
}
