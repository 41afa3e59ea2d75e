package compiler

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/gen"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/compiler/outcache"
	"github.com/platformc/platformc/compiler/policy"
	"github.com/platformc/platformc/internal/pool"
)

// The output cache (Caches.Outputs) keeps, per tenant, what the generators
// that can make their files tenant by tenant (gen.TenantGenerator) made
// for it, and the policy findings over its files, in c; a tenant whose
// part c holds is not generated nor checked again. Other generators run
// as without the cache.
//
// An entry's key is a hash of all it was computed from, taken whole,
// never field by field: the running binary (its build ID, which covers
// the generators and the embedded schema), the generators' names, the
// platform without its tenants as JSON (settings, clusters, versions:
// every field but Today, which generators and per-tenant checks must not
// read — TestTodayIsNoInput checks it — so that a diff's base, checked
// without a date, and the work tree share entries), and the tenant's
// model as JSON; for the findings, also the hashes of the tenant's files
// made by other generators that the policy reads (policy.Reads). Compile with the cache gives the bytes of
// Compile without it.

// A build (options.holds: the output folder it writes) keeps its entries
// in another store, Caches.Files, without the files' bytes: an unchanged
// tenant's files are in out/ already, and the tree takes them from there
// as it takes the unchanged AWS stacks' (fstree.File.Sum). Where out/ does
// not hold one of them byte for byte (a hand edit, a deletion), or the
// policy must read them, the tenant is generated again. At 1,000
// tenants the store so holds 6 MB instead of 33 MB, which every rebuild
// read, hashed and wrote again. The store with bytes serves the
// compilations without an output folder (diff), and a build leaves it
// as it is.

// outputsVersion changes whenever the entries' format or meaning does.
const outputsVersion = "platformc outputs 1"

// cachedFile is a file of a tenant's entry.
type cachedFile struct {
	file fstree.File
	sum  [32]byte
	api  string // apiOf, for checkRemovals
}

// compileCached generates p's files and runs the policy over them, with
// the output cache; the same results as Generate, apisUsed and
// policy.Check.
func compileCached(p *model.Platform, o options) (*fstree.Tree, map[string]string, []policy.Finding, error) {
	id, err := load.BuildID()
	if err != nil {
		// Without a way to tell this binary's generators from another's,
		// no entry may be trusted.
		return compileAll(p, o)
	}
	gens := o.generators()
	shared := *p
	shared.Tenants, shared.Warnings, shared.Today = nil, nil, time.Time{}
	js, err := json.Marshal(shared)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("output cache: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%x\x00", outputsVersion, id)
	for _, g := range gens {
		fmt.Fprintf(h, "%s\x00", g.Name())
	}
	h.Write(js)
	var sharedKey [32]byte
	h.Sum(sharedKey[:0])

	// Every file of the generators that cannot make a tenant's alone (the
	// AWS stacks), made while the platform's and the tenants' files are: a
	// synthesis runs Node.js on a core of its own.
	var split []gen.TenantGenerator
	var whole []gen.Generator
	for _, g := range gens {
		if tg, ok := g.(gen.TenantGenerator); ok {
			split = append(split, tg)
		} else {
			whole = append(whole, g)
		}
	}
	type made struct {
		files []fstree.File
		err   error
	}
	wholes := make(chan made, 1)
	go func() {
		var m made
		for _, g := range whole {
			files, err := g.Generate(p)
			if err != nil {
				m.err = fmt.Errorf("%s: %w", g.Name(), err)
				break
			}
			m.files = append(m.files, files...)
		}
		wholes <- m
	}()
	t := &fstree.Tree{}
	for _, g := range split {
		files, err := g.GeneratePlatform(p)
		if err == nil {
			err = t.Add(files...)
		}
		if err != nil {
			<-wholes
			return nil, nil, nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
	}

	// Each tenant's part, from the cache or made and kept: its files, then,
	// once the other generators are done, the findings over them and
	// those of its files by other generators that the policy reads.
	type part struct {
		files    []cachedFile
		key      outcache.Key
		findings []policy.Finding
	}
	store := o.caches.Outputs
	if o.holds != nil {
		store = o.caches.Files
	}
	parts := make([]part, len(p.Tenants))
	err = eachTenant(len(p.Tenants), func(i int) (err error) {
		parts[i].files, parts[i].key, err = tenantFiles(p, p.Tenants[i], sharedKey, split, store, o.holds != nil)
		return err
	})
	m := <-wholes
	if err := cmp.Or(err, m.err); err != nil {
		return nil, nil, nil, err
	}
	others := map[string][]fstree.File{} // tenant -> its files by other generators, that the policy reads
	for _, f := range m.files {
		if f.Origin.Tenant != "" && policy.Reads(f.Origin.Tenant, f.Path) {
			others[f.Origin.Tenant] = append(others[f.Origin.Tenant], f)
		}
	}
	if err := t.Add(m.files...); err != nil {
		return nil, nil, nil, err
	}
	if err := eachTenant(len(p.Tenants), func(i int) (err error) {
		tn, pt := p.Tenants[i], &parts[i]
		// Files without their bytes that out/ does not hold byte for
		// byte: made again, as they are for the policy if it must run.
		if slices.ContainsFunc(pt.files, func(f cachedFile) bool { return f.file.Sum != nil && !o.holds(f.file.Path, f.sum) }) {
			if pt.files, err = generateTenant(p, tn, split); err != nil {
				return err
			}
		}
		withBytes := func() ([]cachedFile, error) {
			if slices.ContainsFunc(pt.files, func(f cachedFile) bool { return f.file.Sum != nil }) {
				return generateTenant(p, tn, split)
			}
			return pt.files, nil
		}
		pt.findings, err = tenantFindings(p, tn, pt.key, withBytes, others[tn.Name], store)
		return err
	}); err != nil {
		return nil, nil, nil, err
	}
	apis := apisUsed(t) // the platform's files and other generators'
	var findings []policy.Finding
	n := 0
	for _, pt := range parts {
		n += len(pt.files)
	}
	t.Grow(n)
	for _, pt := range parts {
		for _, f := range pt.files {
			if err := t.AddSummed(f.file, f.sum); err != nil {
				return nil, nil, nil, err
			}
			if f.api != "" && (apis[f.api] == "" || f.file.Path < apis[f.api]) {
				apis[f.api] = f.file.Path
			}
		}
		findings = append(findings, pt.findings...)
	}
	if err := t.AddManifest(); err != nil {
		return nil, nil, nil, err
	}
	findings = append(findings, policy.Expired(p, p.Today)...)
	policy.Sort(findings)
	return t, apis, findings, nil
}

// eachTenant calls f(0..n-1) on a few goroutines (pool.Each).
func eachTenant(n int, f func(i int) error) error {
	return pool.Each(n, pool.CPUs(n, 50), f)
}

// tenantFiles returns the files of tn by the generators split, and the
// key of their entry; without bytes (File.Sum), an entry kept so
// (withoutBytes), the files of an entry that has them.
func tenantFiles(p *model.Platform, tn *model.Tenant, sharedKey [32]byte, split []gen.TenantGenerator, c *outcache.Store, withoutBytes bool) ([]cachedFile, outcache.Key, error) {
	var key outcache.Key
	js, err := json.Marshal(tn)
	if err != nil {
		return nil, key, err
	}
	h := sha256.New()
	h.Write(sharedKey[:])
	if withoutBytes {
		h.Write([]byte("files without bytes\x00"))
	} else {
		h.Write([]byte("files\x00"))
	}
	h.Write(js)
	h.Sum(key[:0])
	data, ok, done := c.Claim(key)
	defer done()
	if files, ok := decodeFiles(data, ok, tn.Name); ok {
		if withoutBytes {
			for i := range files {
				files[i].file.Data, files[i].file.Sum = nil, &files[i].sum
			}
		}
		return files, key, nil
	}
	files, err := generateTenant(p, tn, split)
	if err != nil {
		return nil, key, err
	}
	if withoutBytes {
		kept := slices.Clone(files)
		for i := range kept {
			kept[i].file.Data = nil
		}
		c.Put(key, encodeFiles(kept))
		return files, key, nil
	}
	payload := encodeFiles(files)
	c.Put(key, payload)
	// The files' bytes from the payload: one copy of them in memory.
	files, _ = decodeFiles(payload, true, tn.Name)
	return files, key, nil
}

// generateTenant returns the files of tn by the generators split.
func generateTenant(p *model.Platform, tn *model.Tenant, split []gen.TenantGenerator) ([]cachedFile, error) {
	var files []cachedFile
	for _, g := range split {
		fs, err := g.GenerateTenant(p, tn)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name(), err)
		}
		for _, f := range fs {
			if f.Origin.Tenant != tn.Name {
				return nil, fmt.Errorf("%s: %s: made for tenant %s with origin %q", g.Name(), f.Path, tn.Name, f.Origin.Tenant)
			}
			files = append(files, cachedFile{file: f, sum: sha256.Sum256(f.Data), api: apiOfFile(f)})
		}
	}
	return files, nil
}

// tenantFindings returns the policy findings over the files of tn, whose
// entry's key is key (files gives them, with their bytes), and others,
// those of its files by other generators that the policy reads.
func tenantFindings(p *model.Platform, tn *model.Tenant, key outcache.Key, files func() ([]cachedFile, error), others []fstree.File, c *outcache.Store) ([]policy.Finding, error) {
	h := sha256.New()
	h.Write(key[:])
	h.Write([]byte("policy\x00"))
	for _, f := range others {
		sum := sha256.Sum256(f.Data)
		fmt.Fprintf(h, "%s\x00%x\x00", f.Path, sum)
	}
	var pkey outcache.Key
	h.Sum(pkey[:0])
	data, ok, done := c.Claim(pkey)
	defer done()
	if ok {
		var cached cachedFindings
		if err := json.Unmarshal(data, &cached); err == nil && cached.Tenant == tn.Name && !slices.ContainsFunc(cached.Findings, func(f policy.Finding) bool { return f.Tenant != tn.Name }) {
			return cached.Findings, nil
		}
	}
	own := &fstree.Tree{} // what the policy reads of the tenant
	mine, err := files()
	if err != nil {
		return nil, err
	}
	for _, f := range mine {
		if err := own.Add(f.file); err != nil {
			return nil, err
		}
	}
	if err := own.Add(others...); err != nil {
		return nil, err
	}
	findings, err := policy.Tenant(p, tn, own)
	if err != nil {
		return nil, err
	}
	if data, err := json.Marshal(cachedFindings{Tenant: tn.Name, Findings: findings}); err == nil {
		c.Put(pkey, data)
	}
	return findings, nil
}

// cachedFindings is the entry of a tenant's findings.
type cachedFindings struct {
	Tenant   string           `json:"tenant"`   // whose: an entry read under another key does not pass
	Findings []policy.Finding `json:"findings"` // with their positions
}

// apiOfFile is apiOf for the files checkRemovals reads, "" for others.
func apiOfFile(f fstree.File) string {
	if path.Ext(f.Path) != ".yaml" || path.Base(f.Path) == "kustomization.yaml" {
		return ""
	}
	return apiOf(f.Data)
}

// The entry of a tenant's files: a count, then per file its path, tenant,
// cluster, bytes, SHA-256 and API, each string with its length first.

func encodeFiles(files []cachedFile) []byte {
	n := 16
	for _, f := range files {
		n += len(f.file.Path) + len(f.file.Origin.Tenant) + len(f.file.Origin.Cluster) + len(f.file.Data) + len(f.api) + 32 + 25
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(files)))
	str := func(s []byte) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	for _, f := range files {
		str([]byte(f.file.Path))
		str([]byte(f.file.Origin.Tenant))
		str([]byte(f.file.Origin.Cluster))
		str(f.file.Data)
		b = append(b, f.sum[:]...)
		str([]byte(f.api))
	}
	return b
}

var errEntry = errors.New("bad entry")

// decodeFiles reads the entry of tenant's files, if ok; a damaged entry,
// or files that are not the tenant's, read as none.
func decodeFiles(data []byte, ok bool, tenant string) ([]cachedFile, bool) {
	if !ok {
		return nil, false
	}
	n, m := binary.Uvarint(data)
	if m <= 0 || n > uint64(len(data)) {
		return nil, false
	}
	data = data[m:]
	next := func() ([]byte, error) {
		l, m := binary.Uvarint(data)
		if m <= 0 || l > uint64(len(data)-m) {
			return nil, errEntry
		}
		s := data[m : m+int(l) : m+int(l)] // capped: appending to a file must not write into the payload
		data = data[m+int(l):]
		return s, nil
	}
	files := make([]cachedFile, 0, n)
	for range n {
		var f cachedFile
		var parts [4][]byte
		for i := range parts {
			s, err := next()
			if err != nil {
				return nil, false
			}
			parts[i] = s
		}
		if len(data) < 32 {
			return nil, false
		}
		copy(f.sum[:], data[:32])
		data = data[32:]
		api, err := next()
		if err != nil {
			return nil, false
		}
		if string(parts[1]) != tenant {
			return nil, false
		}
		// A tenant's files share a few clusters: one string each.
		var cluster string
		if n := len(files); n > 0 && files[n-1].file.Origin.Cluster == string(parts[2]) {
			cluster = files[n-1].file.Origin.Cluster
		} else {
			cluster = string(parts[2])
		}
		f.file = fstree.File{Path: string(parts[0]), Origin: fstree.Origin{Tenant: tenant, Cluster: cluster}, Data: parts[3]}
		f.api = string(api)
		files = append(files, f)
	}
	return files, len(data) == 0
}
