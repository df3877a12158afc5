package linalg

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// SetThreads reports the count in effect, and a product large enough for
// OpenBLAS to split over threads still matches the triple loop.
func TestSetThreads(t *testing.T) {
	defer SetThreads(1)
	if !ThreadsSettable() {
		if got, want := SetThreads(3), runtime.GOMAXPROCS(0); got != want || Threads() != want {
			t.Fatalf("%s: SetThreads(3) = %d, Threads() = %d, want GOMAXPROCS %d", Backend(), got, Threads(), want)
		}
	} else {
		for _, n := range []int{1, 2, 1} {
			if got := SetThreads(n); got != n || Threads() != n {
				t.Fatalf("SetThreads(%d) = %d, Threads() = %d", n, got, Threads())
			}
		}
		if got := SetThreads(0); got != runtime.NumCPU() {
			t.Fatalf("SetThreads(0) = %d, want NumCPU %d", got, runtime.NumCPU())
		}
	}
	SetThreads(0)
	const m, n, k = 300, 260, 280
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := make([]float64, m*k), make([]float64, k*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	want, got := make([]float64, m*n), make([]float64, m*n)
	naive(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	Gemm(false, false, m, n, k, 1, a, k, b, n, 0, got, n)
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= 1e-10*(1+math.Abs(want[i]))) {
			t.Fatalf("[%d] got %v want %v with %d threads", i, got[i], want[i], Threads())
		}
	}
}

func TestSetThreadsNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("SetThreads(-1) did not panic")
		}
	}()
	SetThreads(-1)
}
