// Package outcache is a content-addressed store of byte strings, kept in
// one file, for the compiler's per-tenant results (see
// compiler.WithCaches) and the loader's evaluated tenants (see
// load.Cache). Entries are named by their key, a hash of
// everything they were computed from, so an entry is never stale: a
// changed input is another key. Each entry carries a checksum of its key
// and payload; one that fails it is ignored, so a corrupt store costs
// recomputation, never a wrong result. The file is safe to delete at any
// time.
package outcache
