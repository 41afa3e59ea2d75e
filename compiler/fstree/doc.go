// Package fstree is the in-memory file tree that generators fill and the
// CLI writes, diffs or publishes: slash-separated relative paths mapped to
// bytes, each file tagged with the tenant or cluster it came from.
//
// Write replaces an output folder atomically: the new tree is built beside
// it and swapped in, so a failure leaves the previous folder as it was.
package fstree
