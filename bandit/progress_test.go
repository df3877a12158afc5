package bandit

import (
	"slices"
	"testing"
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
