// Package fstree is the in-memory file tree that generators fill and the
// CLI writes, diffs or publishes: slash-separated relative paths mapped to
// bytes, each file tagged with the tenant or cluster it came from.
//
// Write never leaves a partly written output folder: a first output is
// built beside the folder and renamed into place; later ones change only
// the files whose bytes change, in place, under a journal kept beside the
// folder that undoes a failed or interrupted write (journal.go).
package fstree
