package train

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Two Adam steps by hand (PyTorch's formula) against Adam.Step.
func TestAdamMatchesPyTorchFormula(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		w := tensor.New(tensor.Of(dt), tensor.WithShape(3))
		g := tensor.New(tensor.Of(dt), tensor.WithShape(3))
		w0 := []float64{0.5, -1, 2}
		grads := [][]float64{{0.1, -2, 3}, {-0.4, 1, 0.5}}
		setT(w, w0)
		a, err := NewAdam(0.01)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]float64(nil), w0...)
		m, v := make([]float64, 3), make([]float64, 3)
		for step, gs := range grads {
			setT(g, gs)
			if err := a.Step([]G.Value{w}, []G.Value{g}); err != nil {
				t.Fatal(err)
			}
			k := float64(step + 1)
			for i, gi := range gs {
				m[i] = 0.9*m[i] + 0.1*gi
				v[i] = 0.999*v[i] + 0.001*gi*gi
				denom := math.Sqrt(v[i])/math.Sqrt(1-math.Pow(0.999, k)) + 1e-8
				want[i] -= 0.01 / (1 - math.Pow(0.9, k)) * m[i] / denom
			}
		}
		got := getT(w)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%v: w[%d] = %v, want %v", dt, i, got[i], want[i])
			}
		}
	}
	if _, err := NewAdam(0); err == nil {
		t.Error("NewAdam(0): no error")
	}
}

func setT(d *tensor.Dense, v []float64) {
	switch s := d.Data().(type) {
	case []float32:
		for i := range s {
			s[i] = float32(v[i])
		}
	case []float64:
		copy(s, v)
	}
}

func getT(d *tensor.Dense) []float64 {
	out := []float64{}
	switch s := d.Data().(type) {
	case []float32:
		for _, x := range s {
			out = append(out, float64(x))
		}
	case []float64:
		out = append(out, s...)
	}
	return out
}
