package fstree

// WriteCrashing is Write, stopped as by a crash before its change number
// n (counting from 0) of an update in place.
func WriteCrashing(dir string, t *Tree, n int) error {
	i := 0
	return write(dir, t, func() bool {
		i++
		return i > n
	})
}
