// Package atomicfile writes a file whole or not at all: the one helper
// that the output journal and the output cache share.
package atomicfile
