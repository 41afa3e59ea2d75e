// Package schema embeds the CUE definitions of the platformc input contract:
// clusters (clusters/<name>.cue) and tenants (tenants/<name>.cue). The
// constraints live in CUE, next to the fields they constrain, each with a
// message for the person editing the file; the loader in compiler/load
// unifies every input file with them.
package schema
