// Package compiler is the platformc pipeline as a library:
//
//	tenants/*.cue, clusters/*.cue + embedded schema
//	  -> load: validated model (positions kept)
//	  -> generators, in a fixed order, each a pure function of the model
//	  -> one in-memory file tree, with a manifest of every file's origin
//
// With caches (WithCaches, OpenCaches), a tenant whose inputs did not
// change since an earlier compilation is neither evaluated, generated nor
// checked again: its model, its files and its policy findings are taken
// from caches keyed by hashes of everything they were computed from
// (incremental.go), and the output is byte for byte that of a compilation
// without them.
//
// Compile, Validate, Lint, Stacks and Load are the pipeline over an fs.FS
// and touch nothing else (but the caches they are given). The operations
// of the commands that work on a platform's folder are here too, so that
// each command only maps its flags to one of them and prints: Build
// (writes out/ and the lock files under a journal, or answers from the
// last build's record), Check (out/ against a fresh build, trusting no
// cache), Compare (the base revision against the work tree, for diff and
// plan). Options (Option) carry what every one of them shares: the date,
// the memory bound, the caches and the AWS side.
package compiler
