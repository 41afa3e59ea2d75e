// Package pool runs independent calls on a few goroutines: the one worker
// pool of platformc, used wherever tenants, files or observations are
// processed in parallel. Each caller says how many goroutines suit its
// work (CPU-bound: about one per CPU; waiting on the disk: more).
package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// CPUs is the number of goroutines for CPU-bound work on n items: one per
// CPU, but no more than one per batch items, below which starting one
// costs more than it saves.
func CPUs(n, batch int) int { return min(runtime.GOMAXPROCS(0), n/batch+1) }

// Each calls f(i) for every i in [0, n) on up to workers goroutines (at
// least one), handing out the indexes in increasing order. It returns the
// error of the lowest index that failed; once a call fails, indexes not yet
// handed out are skipped. Results written by f to slot i of a slice are
// gathered in index order by the caller, which is what makes the outcome
// that of calling f for each index one after the other.
func Each(n, workers int, f func(i int) error) error {
	return EachWorker(n, workers, func() func(i int) error { return f })
}

// EachWorker is Each for calls that keep state between them: each
// goroutine calls worker once, and the function it returns for every
// index it is handed. Which goroutine handles which index is not
// determined; f's results must not depend on it.
func EachWorker(n, workers int, worker func() func(i int) error) error {
	var next atomic.Int64
	var failed atomic.Bool
	var mu sync.Mutex
	first, firstErr := n, error(nil) // the lowest index that failed
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			f := worker()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					if i < first {
						first, firstErr = i, err
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
