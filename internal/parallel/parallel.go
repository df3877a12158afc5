package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// MinChunk is the fewest indices one worker gets: below twice that a loop
// runs on the caller alone (starting a goroutine costs about a
// microsecond, a few thousand elements of a kernel).
const MinChunk = 1 << 14

var workers atomic.Int32

func init() { workers.Store(1) }

// SetWorkers sets how many goroutines For may use, n >= 1, or one per core
// for n == 0; it returns the count now in effect. It panics on a negative n.
func SetWorkers(n int) int {
	if n < 0 {
		panic("parallel: negative worker count")
	}
	if n == 0 {
		n = runtime.NumCPU()
	}
	workers.Store(int32(n))
	return n
}

// Workers is the count SetWorkers set (1 until it is called).
func Workers() int { return int(workers.Load()) }

// For calls f on consecutive ranges [lo, hi) that cover [0, n) once each,
// over up to Workers() goroutines (the caller's among them), each range at
// least MinChunk long, and returns when every call has.
func For(n int, f func(lo, hi int)) { ForChunk(n, MinChunk, f) }

// ForChunk is For with ranges of at least minChunk indices (>= 1).
func ForChunk(n, minChunk int, f func(lo, hi int)) {
	parts := min(Workers(), n/max(minChunk, 1))
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	lo := 0
	for p := range parts - 1 {
		hi := n * (p + 1) / parts
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, hi)
		lo = hi
	}
	f(lo, n)
	wg.Wait()
}
