package nodes

import (
	"errors"
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// recordGraph is a store with one 3-element parameter p and a Record of
// sum(p): its loss at a run is the sum of p's host tensor.
func recordGraph(t *testing.T, dt tensor.Dtype) (*ParamStore, *tensor.Dense, G.VM) {
	t.Helper()
	s, err := NewParamStore(dt, 1, AdamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	step := G.NewVector(g, dt, G.WithShape(1), G.WithName("step"), G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(1))))
	host := tensor.New(tensor.Of(dt), tensor.WithShape(3))
	p, err := s.Param(step, "p", host)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := G.Sum(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(sum); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	t.Cleanup(func() { vm.Close() })
	return s, host, vm
}

// setHost sets every element of a 3-element host tensor to v/3 (sum v).
func setHost(t *testing.T, host *tensor.Dense, v float64) {
	t.Helper()
	for i := 0; i < 3; i++ {
		var err error
		if host.Dtype() == tensor.Float32 {
			err = host.SetAt(float32(v/3), i)
		} else {
			err = host.SetAt(v/3, i)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Record writes each run's loss under its step; Losses returns any range
// of the newest LossLogLen steps, in order, and refuses the others.
func TestRecordLosses(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, host, vm := recordGraph(t, dt)
		run := func(step uint64, loss float64) {
			t.Helper()
			setHost(t, host, loss)
			s.SetStep(step)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			vm.Reset()
		}
		if _, err := s.Losses(1, 1); err == nil {
			t.Errorf("%v: Losses before any run: want an error", dt)
		}
		for step := uint64(1); step <= 5; step++ {
			run(step, 3*float64(step))
		}
		if l, err := s.Losses(1, 1); err != nil || len(l) != 1 || l[0] != 3 {
			t.Errorf("%v: Losses(1, 1) = %v, %v; want [3]", dt, l, err)
		}
		got, err := s.Losses(2, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := []float64{6, 9, 12, 15}
		if len(got) != len(want) {
			t.Fatalf("%v: Losses(2, 5) = %v, want %v", dt, got, want)
		}
		for i := range want {
			if !(math.Abs(got[i]-want[i]) <= 1e-5) {
				t.Errorf("%v: Losses(2, 5) = %v, want %v", dt, got, want)
				break
			}
		}
		for _, r := range [][2]uint64{{0, 1}, {3, 2}, {4, 6}} {
			if _, err := s.Losses(r[0], r[1]); err == nil {
				t.Errorf("%v: Losses(%d, %d): want an error", dt, r[0], r[1])
			}
		}
		// Steps LossLogLen apart share a slot: the older is gone.
		run(LossLogLen+2, 42)
		if l, err := s.Losses(LossLogLen+2, LossLogLen+2); err != nil || l[0] != 42 {
			t.Errorf("%v: Losses at step %d = %v, %v; want [42]", dt, LossLogLen+2, l, err)
		}
		if _, err := s.Losses(2, 2); err == nil {
			t.Errorf("%v: Losses of a step overwritten in the log: want an error", dt)
		}
		if l, err := s.Losses(3, 3); err != nil || math.Abs(l[0]-9) > 1e-5 {
			t.Errorf("%v: Losses(3, 3) = %v, %v; want [9] (its slot was not reused)", dt, l, err)
		}
		// A range that wraps around the end of the log.
		for step := uint64(LossLogLen - 1); step <= LossLogLen+3; step++ {
			run(step, float64(step))
		}
		if l, err := s.Losses(LossLogLen-1, LossLogLen+3); err != nil || len(l) != 5 || l[0] != LossLogLen-1 || l[4] != LossLogLen+3 {
			t.Errorf("%v: Losses across the end of the log = %v, %v", dt, l, err)
		}
		// A run without a step is refused.
		s.SetStep(0)
		if err := vm.RunAll(); err == nil {
			t.Errorf("%v: run at step 0: want an error", dt)
		}
		vm.Reset()
	}
}

// Record takes a scalar node of the store's dtype only.
func TestRecordErrors(t *testing.T) {
	s, err := NewParamStore(tensor.Float32, 1, AdamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	vec := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("v"))
	if _, err := s.Record(vec); !errors.Is(err, ErrShape) {
		t.Errorf("Record of a vector: err = %v, want ErrShape", err)
	}
	f64 := G.NewScalar(g, tensor.Float64, G.WithName("l"))
	if _, err := s.Record(f64); !errors.Is(err, ErrDtype) {
		t.Errorf("Record of a float64 scalar into a float32 store: err = %v, want ErrDtype", err)
	}
	if _, err := s.Record(nil); err == nil {
		t.Error("Record(nil): want an error")
	}
	n, err := s.Record(G.NewScalar(g, tensor.Float32, G.WithName("ok")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Op().Do(G.NewF32(1), G.NewF32(2)); err == nil {
		t.Error("the record op with 2 inputs: want an error")
	}
	// Its output is its input, in the store's dtype, for both dtypes.
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, err := NewParamStore(dt, 1, AdamConfig{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Record(G.NewScalar(g, dt, G.WithName("l"+dt.String())))
		if err != nil {
			t.Fatal(err)
		}
		s.SetStep(1)
		in := G.Value(G.NewF32(2.5))
		if dt == tensor.Float64 {
			in = G.NewF64(2.5)
		}
		out, err := n.Op().Do(in)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := ScalarValue(out); out.Dtype() != dt || v != 2.5 {
			t.Errorf("%v: the record op returned %v (%v), want 2.5 (%v)", dt, out, out.Dtype(), dt)
		}
	}
}

// The slots of a range of steps, in at most two runs: one when they do
// not wrap around the end of the log, two when they do.
func TestLogSegments(t *testing.T) {
	const n = LossLogLen
	for _, c := range []struct {
		from, to uint64
		want     [][2]int
	}{
		{1, 1, [][2]int{{0, 1}}},
		{1, 5, [][2]int{{0, 5}}},
		{1, n, [][2]int{{0, n}}},
		{n, n, [][2]int{{n - 1, n}}},
		{n, n + 1, [][2]int{{n - 1, n}, {0, 1}}},
		{2, n + 1, [][2]int{{1, n}, {0, 1}}},
		{n + 1, 2 * n, [][2]int{{0, n}}},
		{n - 1, n + 3, [][2]int{{n - 2, n}, {0, 3}}},
	} {
		got := logSegments(c.from, c.to)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("logSegments(%d, %d) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
