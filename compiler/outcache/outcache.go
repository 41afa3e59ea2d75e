package outcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// header starts every entry file; it changes with the format.
const header = "platformc output cache 1\n"

// An entry file is the header, the hex key and a newline, the hex SHA-256
// of the payload and a newline, then the payload: a file moved or copied
// to another entry's name does not pass for it.

// Key names an entry.
type Key [32]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Store is a folder of entries; "" keeps entries in memory only. A Store
// is safe for concurrent use.
type Store struct {
	dir string

	mu   sync.Mutex
	mem  map[Key][]byte // entries of this process
	used map[Key]bool   // entries read or written by this process
	new  int            // entries written to the folder by this process
}

// New returns the store kept in dir.
func New(dir string) *Store {
	return &Store{dir: dir, mem: map[Key][]byte{}, used: map[Key]bool{}}
}

func (s *Store) file(k Key) string {
	h := k.String()
	return filepath.Join(s.dir, h[:2], h)
}

// Get returns the payload of the entry k.
func (s *Store) Get(k Key) ([]byte, bool) {
	s.mu.Lock()
	data, ok := s.mem[k]
	s.mu.Unlock()
	if ok || s.dir == "" {
		return data, ok
	}
	raw, err := os.ReadFile(s.file(k))
	if err != nil {
		return nil, false
	}
	payload, ok := check(raw, k)
	if !ok {
		os.Remove(s.file(k)) // corrupt: recomputed and written again
		return nil, false
	}
	s.mu.Lock()
	s.used[k] = true
	s.mu.Unlock()
	return payload, true
}

// check returns the payload of the entry file of k, if its header, key
// and checksum are right.
func check(raw []byte, k Key) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(header))
	if !ok || len(rest) < 130 || rest[64] != '\n' || rest[129] != '\n' || string(rest[:64]) != k.String() {
		return nil, false
	}
	sum := sha256.Sum256(rest[130:])
	if hex.EncodeToString(sum[:]) != string(rest[65:129]) {
		return nil, false
	}
	return rest[130:], true
}

// Put stores payload as the entry k, in the folder too; a store that
// cannot be written is only slower.
func (s *Store) Put(k Key, payload []byte) {
	s.mu.Lock()
	s.mem[k] = payload
	s.used[k] = true
	s.mu.Unlock()
	if s.dir == "" {
		return
	}
	file := s.file(k)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return
	}
	sum := sha256.Sum256(payload)
	var b bytes.Buffer
	b.Grow(len(header) + 130 + len(payload))
	b.WriteString(header)
	b.WriteString(k.String())
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	b.WriteByte('\n')
	b.Write(payload)
	f, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	s.mu.Lock()
	s.new++
	s.mu.Unlock()
}

// Prune removes the entries this process did not use, when the folder
// holds more than keep times as many as it used: old entries go, the
// folder does not grow without bound, and a run that wrote nothing new
// costs nothing.
func (s *Store) Prune(keep int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" || s.new == 0 {
		return nil
	}
	var all []string
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			all = append(all, p)
		}
		return nil
	})
	if err != nil || len(all) <= keep*len(s.used) {
		return err
	}
	for _, p := range all {
		var k Key
		if b, err := hex.DecodeString(filepath.Base(p)); err == nil && len(b) == len(k) {
			copy(k[:], b)
			if s.used[k] {
				continue
			}
		}
		os.Remove(p)
	}
	return nil
}
