// Package compiler is the platformc pipeline as a library:
//
//	tenants/*.cue, clusters/*.cue + embedded schema
//	  -> load: validated model (positions kept)
//	  -> generators, in a fixed order, each a pure function of the model
//	  -> one in-memory file tree, with a manifest of every file's origin
//
// The command line writes that tree to out/ (fstree.Write), and later
// compares or publishes it. Nothing here touches the disk except through
// the fs.FS it is given.
package compiler
