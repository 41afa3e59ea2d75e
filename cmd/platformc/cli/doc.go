// Package cli is the platformc command line: a cobra tree with one file per
// command. Each command has an options struct and a run function; Main
// prints every error exactly once and maps it to a stable exit code:
//
//	0  success
//	1  invalid input or a failed check
//	2  usage error (unknown command or flag, wrong arguments)
//
// The command line's behaviour is specified by the testscript files in
// testdata/script.
package cli
