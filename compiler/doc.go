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
// The command line writes that tree to out/ (fstree.Write), and later
// compares or publishes it. Nothing here touches the disk except through
// the fs.FS it is given.
package compiler
