package schema

import "embed"

// FS holds the schema's CUE files.
//
//go:embed *.cue
var FS embed.FS
