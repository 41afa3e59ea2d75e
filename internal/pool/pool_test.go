package pool_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/platformc/platformc/internal/pool"
)

func TestEach(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 64} {
		for _, n := range []int{0, 1, 7, 1000} {
			got := make([]int, n)
			var calls atomic.Int64
			if err := pool.Each(n, workers, func(i int) error {
				calls.Add(1)
				got[i] = i * i
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != int64(n) {
				t.Errorf("n=%d workers=%d: %d calls", n, workers, calls.Load())
			}
			for i, v := range got {
				if v != i*i {
					t.Fatalf("n=%d workers=%d: slot %d = %d", n, workers, i, v)
				}
			}
		}
	}
}

// TestEachFirstError: the error returned is that of the lowest index that
// failed, whatever the order in which calls end, and calls stop after it.
func TestEachFirstError(t *testing.T) {
	for _, workers := range []int{1, 4} {
		var calls atomic.Int64
		err := pool.Each(10000, workers, func(i int) error {
			calls.Add(1)
			if i == 10 || i == 11 {
				return fmt.Errorf("failed at %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "failed at 10" {
			t.Errorf("workers=%d: got %v, want the error of index 10", workers, err)
		}
		if c := calls.Load(); c >= 10000 {
			t.Errorf("workers=%d: %d calls: the failure stopped nothing", workers, c)
		}
	}
	if err := pool.Each(3, 2, func(i int) error { return errors.New("x") }); err == nil {
		t.Error("no error")
	}
}

// TestEachWorker gives each goroutine state of its own: a counter that
// is not synchronised (go test -race reports sharing), which counts
// exactly the indexes its worker was handed.
func TestEachWorker(t *testing.T) {
	const n = 1000
	var mu sync.Mutex
	var counts []*int
	owner := make([]int, n) // the worker of each index, from 1
	err := pool.EachWorker(n, 4, func() func(i int) error {
		count := new(int)
		mu.Lock()
		counts = append(counts, count)
		id := len(counts)
		mu.Unlock()
		return func(i int) error {
			*count++
			owner[i] = id
			return nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) < 1 || len(counts) > 4 {
		t.Fatalf("%d workers, want 1 to 4", len(counts))
	}
	handed := make([]int, len(counts))
	for i, id := range owner {
		if id == 0 {
			t.Fatalf("index %d never handled", i)
		}
		handed[id-1]++
	}
	for w, c := range counts {
		if *c != handed[w] {
			t.Errorf("worker %d counted %d calls but was handed %d indexes", w+1, *c, handed[w])
		}
	}
}
