package nodes

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// Hold keeps the held elements of a parameter at their value after every
// Adam update and those of a noise at 0 after every draw, while the
// others draw and train as without it (the reference: adamUpdate on the
// same gradient, the held noise 0, then the held values put back); an
// empty index list ends the hold. Both dtypes.
func TestHold(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			r := newStoreRig(t, dt)
			if err := r.s.Hold(r.p, []int{4, 1, 4}, -2); err != nil {
				t.Fatal(err)
			}
			if err := r.s.Hold(r.n, []int{5, 0}, 0); err != nil {
				t.Fatal(err)
			}
			want := r.values()
			want[1], want[4] = -2, -2
			_ = r.host.SetAt(castTo(dt, -2), 0, 1)
			_ = r.host.SetAt(castTo(dt, -2), 1, 1)
			m, v := make([]float64, 6), make([]float64, 6)
			for step := uint64(1); step <= 3; step++ {
				got := r.run(t, step)
				draw := make([]float64, 6)
				FillNoise(draw, r.s.Seed, 0, step)
				draw[0], draw[5] = 0, 0
				for i := range draw {
					if !(math.Abs(got[i]-draw[i]) <= 1e-6*(1+math.Abs(draw[i]))) {
						t.Fatalf("step %d: noise %v, want %v (0 at 0 and 5)", step, got, draw)
					}
				}
				stepSize, rbc2, _ := r.s.adamScalars(step, r.s.Adam.LR)
				adamUpdate(want, got, m, v, r.s.Adam, stepSize, rbc2)
				want[1], want[4] = -2, -2
				vals := r.values()
				if vals[1] != -2 || vals[4] != -2 {
					t.Fatalf("step %d: held elements %v, %v; want -2 exactly", step, vals[1], vals[4])
				}
				for i := range want {
					if !(math.Abs(vals[i]-want[i]) <= 1e-5*(1+math.Abs(want[i]))) {
						t.Fatalf("step %d: parameter %v, want %v", step, vals, want)
					}
				}
			}
			if err := r.s.Hold(r.p, nil, 0); err != nil {
				t.Fatal(err)
			}
			if err := r.s.Hold(r.n, []int{}, 0); err != nil {
				t.Fatal(err)
			}
			got := r.run(t, 4)
			if got[0] == 0 || got[5] == 0 {
				t.Errorf("noise after the hold ended: %v", got)
			}
			if vals := r.values(); vals[1] == -2 || vals[4] == -2 {
				t.Errorf("parameter after the hold ended: %v", vals)
			}
		})
	}
}

// Hold refuses what it cannot hold, naming it: a value that is not finite,
// an element outside the tensor, an input, a node of another store or of
// no store.
func TestHoldErrors(t *testing.T) {
	r := newStoreRig(t, tensor.Float64)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"NaN", r.s.Hold(r.p, []int{0}, math.NaN()), "finite"},
		{"+Inf", r.s.Hold(r.p, []int{0}, math.Inf(1)), "finite"},
		{"-Inf", r.s.Hold(r.n, []int{0}, math.Inf(-1)), "finite"},
		{"past the end", r.s.Hold(r.p, []int{6}, 0), "element 6 of 6"},
		{"negative", r.s.Hold(r.n, []int{-1}, 0), "element -1 of 6"},
		{"input", r.s.Hold(r.x, []int{0}, 0), "not a parameter"},
		{"other store", r.s.Hold(r.otherNode, []int{0}, 0), "not a parameter"},
		{"not a store node", r.s.Hold(r.step, []int{0}, 0), "not a Param or Noise"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, c.err, c.want)
		}
	}
	if err := r.s.Hold(r.p, []int{6}, 0); !errors.Is(err, ErrShape) {
		t.Errorf("past the end: %v, want ErrShape", err)
	}
	// A refused hold leaves the store as it was: nothing held.
	before := r.values()
	r.run(t, 1)
	if after := r.values(); after[0] == before[0] {
		t.Errorf("element 0 did not train after refused holds: %v", after)
	}
}

// A Noise node of another store is refused too.
func TestHoldOtherStoreNoise(t *testing.T) {
	a, b := newStoreRig(t, tensor.Float32), newStoreRig(t, tensor.Float32)
	if err := a.s.Hold(b.n, []int{0}, 0); err == nil || !strings.Contains(err.Error(), "not a Noise node of this store") {
		t.Errorf("%v", err)
	}
}
