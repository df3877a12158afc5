package bandit

import (
	"math"
	"slices"
	"testing"
	"time"
)

// Progress counts the steps of the slowest agent: one agent far ahead
// reports nothing, and each multiple of the period is reported once, in
// order, even when the slowest agent jumps past several.
func TestProgressIsTheSlowestAgents(t *testing.T) {
	var got []int
	p := newProgress(3, 10, func(n int) { got = append(got, n) })
	for n := 1; n <= 35; n++ {
		p.done(0, n) // the fast agent
	}
	if len(got) != 0 {
		t.Fatalf("reported %v while two agents had done no step", got)
	}
	for n := 1; n <= 12; n++ {
		p.done(1, n)
	}
	p.done(2, 9)
	p.done(2, 10)
	p.done(2, 10) // (again: no second report)
	p.done(2, 31) // agent 1 is at 12
	p.done(1, 30)
	p.done(1, 35)
	if want := []int{10, 30}; !slices.Equal(got, want) {
		t.Errorf("reported %v, want %v", got, want)
	}
}

// The time left at the pace so far: 1000 of 5000 steps in 10 s leave 40 s.
func TestETA(t *testing.T) {
	for _, c := range []struct {
		elapsed     time.Duration
		done, total int
		want        time.Duration
	}{
		{10 * time.Second, 1000, 5000, 40 * time.Second},
		{10 * time.Second, 5000, 5000, 0},
		{3 * time.Second, 2, 3, 1500 * time.Millisecond}, // (rounded half away from zero: 2 s)
		{time.Hour, 1, 1_000_000, 999_999 * time.Hour},
		{time.Hour, 1, 1 << 40, time.Duration(math.MaxInt64)}, // (clamped)
		{time.Second, 0, 10, 0},                               // (no pace yet)
	} {
		if got, want := eta(c.elapsed, c.done, c.total), c.want.Round(time.Second); got != want {
			t.Errorf("eta(%v, %d, %d) = %v, want %v", c.elapsed, c.done, c.total, got, want)
		}
	}
}
