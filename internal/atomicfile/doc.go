// Package atomicfile writes a file whole or not at all: the one helper
// that the output journal, the caches and the edits of the sources share.
package atomicfile
