// Package cueedit changes a platform's CUE source files the way a careful
// person would: it finds what to change through the CUE syntax tree, changes
// only those bytes (comments, layout and every other line are kept as
// written), lets the caller validate the whole platform with the change in
// memory (Overlay); the caller writes a file only as a whole, atomically
// (atomicfile.WriteFile, atomicfile.Create).
package cueedit
