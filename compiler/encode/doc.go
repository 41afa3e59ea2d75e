// Package encode writes values in the canonical forms that platformc
// outputs: YAML with sorted keys and a two-space indent, and indented JSON
// with sorted keys. The same value always encodes to the same bytes.
package encode
