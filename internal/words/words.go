// Package words formats counts for people to read.
package words

import "fmt"

// Plural formats a count of things: "1 error", "2 errors".
func Plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
