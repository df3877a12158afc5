package nodes

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// Moments reads Adam's moments of a parameter (zeros before its first
// update, then what its updates left, as copies), and SetMoments puts
// moments back (as copies) so that the next update continues from them:
// the update from set moments equals the reference update from the same
// moments. Both dtypes.
func TestMoments(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			r := newStoreRig(t, dt)
			m, v, err := r.s.Moments(r.p)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Shape().Eq(tensor.Shape{2, 3}) || m.Dtype() != dt || v.Dtype() != dt || slices.ContainsFunc(floats(m), nonzero) || slices.ContainsFunc(floats(v), nonzero) {
				t.Fatalf("moments before the first update: %v %v, want zeros of 2×3 %v", m, v, dt)
			}
			wantW := r.values()
			wantM, wantV := make([]float64, 6), make([]float64, 6)
			for step := uint64(1); step <= 2; step++ {
				g := r.run(t, step)
				stepSize, rbc2, _ := r.s.adamScalars(step, r.s.Adam.LR)
				adamUpdate(wantW, g, wantM, wantV, r.s.Adam, stepSize, rbc2)
			}
			if err := r.s.ReadBack(); err != nil {
				t.Fatal(err)
			}
			m, v, err = r.s.Moments(r.p)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "m after 2 updates", floats(m), wantM)
			closeTo(t, "v after 2 updates", floats(v), wantV)
			// A copy: changing it changes nothing in the store.
			_ = m.SetAt(castTo(dt, 99), 0, 0)
			again, _, _ := r.s.Moments(r.p)
			closeTo(t, "m read again", floats(again), wantM)

			setM, setV := []float64{0.1, -0.2, 0.3, 0, 0.5, -0.6}, []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06}
			md, vd := dense23(dt, setM), dense23(dt, setV)
			if err := r.s.SetMoments(r.p, md, vd); err != nil {
				t.Fatal(err)
			}
			_ = md.SetAt(castTo(dt, 7), 0, 0) // a copy was taken
			gotM, gotV, _ := r.s.Moments(r.p)
			closeTo(t, "m as set", floats(gotM), setM)
			closeTo(t, "v as set", floats(gotV), setV)
			wantW = r.values()
			g := r.run(t, 3)
			stepSize, rbc2, _ := r.s.adamScalars(3, r.s.Adam.LR)
			adamUpdate(wantW, g, setM, setV, r.s.Adam, stepSize, rbc2)
			closeTo(t, "parameter after an update from set moments", r.values(), wantW)
			gotM, gotV, _ = r.s.Moments(r.p)
			closeTo(t, "m after it", floats(gotM), setM)
			closeTo(t, "v after it", floats(gotV), setV)
		})
	}
}

// SetMoments and Moments refuse a node that Adam does not update, and
// SetMoments moments of another size or dtype, or none.
func TestMomentsErrors(t *testing.T) {
	r := newStoreRig(t, tensor.Float32)
	ok := dense23(tensor.Float32, make([]float64, 6))
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"input", r.s.SetMoments(r.x, ok, ok), "not a Param node"},
		{"noise", r.s.SetMoments(r.n, ok, ok), "not a Param node"},
		{"other store", r.s.SetMoments(r.otherNode, ok, ok), "not a Param node"},
		{"float64", r.s.SetMoments(r.p, ok, dense23(tensor.Float64, make([]float64, 6))), "float32 tensors of 6"},
		{"size", r.s.SetMoments(r.p, tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(5)), ok), "of 6 elements"},
		{"nil", r.s.SetMoments(r.p, ok, nil), "SetMoments w"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, c.err, c.want)
		}
	}
	if err := r.s.SetMoments(r.p, ok, nil); !errors.Is(err, ErrShape) {
		t.Errorf("nil: %v, want ErrShape", err)
	}
	if _, _, err := r.s.Moments(r.x); err == nil || !strings.Contains(err.Error(), "Moments") {
		t.Errorf("Moments of an input: %v", err)
	}
}

func nonzero(x float64) bool { return x != 0 }

func closeTo(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range got {
		if d := got[i] - want[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}
