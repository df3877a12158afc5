package nodes

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// A parameter with ScaleRate(f) takes Adam steps at f times the store's
// rate: Adam.LR, then the rate SetUpdate sets (a schedule scales it too).
// Both dtypes.
func TestScaleRate(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			r := newStoreRig(t, dt)
			if err := r.s.ScaleRate(r.p, 0.25); err != nil {
				t.Fatal(err)
			}
			want := r.values()
			m, v := make([]float64, 6), make([]float64, 6)
			for step := uint64(1); step <= 3; step++ {
				lr := 0.1 // the rig's Adam.LR
				if step == 3 {
					lr = 0.03
					if err := r.s.SetUpdate(0, lr); err != nil {
						t.Fatal(err)
					}
				}
				g := r.run(t, step)
				stepSize, rbc2, _ := r.s.adamScalars(step, 0.25*lr)
				adamUpdate(want, g, m, v, r.s.Adam, stepSize, rbc2)
				closeTo(t, "parameter at a quarter of the rate", r.values(), want)
			}
			if math.Abs(r.values()[0]-(-2.5)) < 1e-3 {
				t.Fatalf("the parameter did not move: %v", r.values())
			}
		})
	}
}

// ScaleRate refuses a node Adam does not update and a factor that is not
// finite and positive, naming the parameter.
func TestScaleRateErrors(t *testing.T) {
	r := newStoreRig(t, tensor.Float32)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"input", r.s.ScaleRate(r.x, 1), "ScaleRate: "},
		{"another store's", r.s.ScaleRate(r.otherNode, 1), "not a Param node of this store"},
		{"zero", r.s.ScaleRate(r.p, 0), "ScaleRate w: factor 0: need a finite value > 0"},
		{"negative", r.s.ScaleRate(r.p, -1), "factor -1"},
		{"infinite", r.s.ScaleRate(r.p, math.Inf(1)), "factor +Inf"},
		{"NaN", r.s.ScaleRate(r.p, math.NaN()), "factor NaN"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}
