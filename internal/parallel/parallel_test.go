package parallel

import (
	"fmt"
	"sync"
	"testing"
)

func TestForCoversEachIndexOnce(t *testing.T) {
	defer SetWorkers(1)
	for _, w := range []int{1, 2, 3, 8} {
		SetWorkers(w)
		for _, n := range []int{0, 1, MinChunk - 1, 2*MinChunk - 1, 2 * MinChunk, 3*MinChunk + 7, 20 * MinChunk} {
			seen := make([]int32, n)
			var mu sync.Mutex
			calls := 0
			For(n, func(lo, hi int) {
				mu.Lock()
				calls++
				mu.Unlock()
				if hi-lo < MinChunk && hi-lo != n {
					t.Errorf("workers %d, n %d: range [%d, %d) shorter than MinChunk", w, n, lo, hi)
				}
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			for i, s := range seen {
				if s != 1 {
					t.Fatalf("workers %d, n %d: index %d visited %d times", w, n, i, s)
				}
			}
			if want := max(1, min(w, n/MinChunk)); calls != want {
				t.Errorf("workers %d, n %d: %d calls, want %d", w, n, calls, want)
			}
		}
	}
}

func TestSetWorkers(t *testing.T) {
	defer SetWorkers(1)
	if got := SetWorkers(3); got != 3 || Workers() != 3 {
		t.Errorf("SetWorkers(3) = %d, Workers() = %d", got, Workers())
	}
	if got := SetWorkers(0); got < 1 || Workers() != got {
		t.Errorf("SetWorkers(0) = %d, Workers() = %d", got, Workers())
	}
	defer func() {
		if recover() == nil {
			t.Error("SetWorkers(-1) did not panic")
		}
	}()
	SetWorkers(-1)
}

// For over a slice: each worker its own range.
func ExampleFor() {
	x := make([]float64, 100000)
	For(len(x), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] = 2 * float64(i)
		}
	})
	fmt.Println(x[99999])
	// Output: 199998
}
