// Package outcache is a content-addressed store of byte strings in a
// folder, one file per entry, for the compiler's per-tenant results (see
// compiler.WithOutputCache). Entries are named by their key, a hash of
// everything they were computed from, so an entry is never stale: a
// changed input is another key. Each file carries a header and a checksum
// of its payload; one that fails them is ignored and removed, so a
// corrupt store costs recomputation, never a wrong result. The folder is
// safe to delete at any time.
package outcache
