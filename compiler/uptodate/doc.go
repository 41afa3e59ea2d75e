// Package uptodate tells, without compiling, that a build would change
// nothing: that the sources read by the last build are byte for byte the
// same, that the output folder still holds exactly what it wrote
// (fstree.Seal), and that the binary and the settings are the same. A
// rebuild with nothing changed then costs reading the sources and a lstat
// per output file, instead of a compilation.
//
// What the last build read is recorded as it reads (Inputs, an fs.FS that
// the compiler reads the platform through): every file's bytes, every
// folder's listing and every file's type, whatever the loader asks for,
// so that the record never misses a source it does not know of. A record
// is one file of a cache folder, checked by its SHA-256, written
// atomically, and trusted only when every one of its observations is made
// again and matches: a record that cannot be read, or is of another
// binary, date or setting, is not used, and the build runs as without it.
package uptodate
