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
			if !(math.Abs(got[i]-want[i]) <= 1e-6) {
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

// Adam against PyTorch's formula (written out again below) on two
// parameter tensors at once, over four steps, with gradients from 1e-9 to
// 3: at the small ones ε = 1e-8 decides the step, so ε's place (added to
// √v̂, not inside the root) matters.
func TestAdamSmallGradientsSeveralParams(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		w0 := [][]float64{{0.5, -1, 2, 0.25}, {3, -0.125}}
		grads := [][][]float64{
			{{1e-9, -3e-8, 2e-7, 3}, {-1e-8, 5e-9}},
			{{2e-9, 1e-8, -2e-7, -1}, {-2e-8, 0}},
			{{-1e-9, 2e-8, 1e-7, 0.5}, {3e-8, 1e-9}},
			{{1e-9, -1e-8, 4e-7, 2}, {1e-8, -5e-9}},
		}
		const lr = 0.003
		ws := make([]G.Value, len(w0))
		gs := make([]G.Value, len(w0))
		for i, w := range w0 {
			wt := tensor.New(tensor.Of(dt), tensor.WithShape(len(w)))
			setT(wt, w)
			ws[i] = wt
			gs[i] = tensor.New(tensor.Of(dt), tensor.WithShape(len(w)))
		}
		a, err := NewAdam(lr)
		if err != nil {
			t.Fatal(err)
		}
		for step, g := range grads {
			for i := range gs {
				setT(gs[i].(*tensor.Dense), g[i])
			}
			if err := a.Step(ws, gs); err != nil {
				t.Fatal(err)
			}
			for i := range ws {
				got := getT(ws[i].(*tensor.Dense))
				for j := range got {
					var col []float64
					for s := 0; s <= step; s++ {
						col = append(col, grads[s][i][j])
					}
					want := adamByHand(w0[i][j], col, lr)
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 2e-6
					}
					if !(math.Abs(got[j]-want) <= tol*(1+math.Abs(want))) {
						t.Errorf("%v step %d: w%d[%d] = %v, want %v", dt, step+1, i, j, got[j], want)
					}
				}
			}
		}
	}
}

// adamByHand runs torch.optim.Adam's update (defaults β 0.9/0.999, ε 1e-8)
// on one scalar: m̂ = m/(1-β1^t), v̂ = v/(1-β2^t), w -= lr·m̂/(√v̂ + ε).
func adamByHand(w float64, grads []float64, lr float64) float64 {
	var m, v float64
	for k, g := range grads {
		t := float64(k + 1)
		m = 0.9*m + 0.1*g
		v = 0.999*v + 0.001*g*g
		mhat := m / (1 - math.Pow(0.9, t))
		vhat := v / (1 - math.Pow(0.999, t))
		w -= lr * mhat / (math.Sqrt(vhat) + 1e-8)
	}
	return w
}

// Bias correction, checked by a property instead of the formula: under a
// constant gradient g (|g| ≫ ε) m̂ = g and v̂ = g² exactly, so every step,
// the first included, moves each weight by lr against the sign of g.
// Without the correction the first step would be lr·0.1/√0.001 ≈ 3.2·lr.
func TestAdamConstantGradientStepsByLR(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		const lr = 0.01
		w := tensor.New(tensor.Of(dt), tensor.WithShape(3))
		g := tensor.New(tensor.Of(dt), tensor.WithShape(3))
		setT(w, []float64{1, 1, 1})
		setT(g, []float64{0.5, -2, 0.05})
		a, _ := NewAdam(lr)
		for step := 1; step <= 5; step++ {
			if err := a.Step([]G.Value{w}, []G.Value{g}); err != nil {
				t.Fatal(err)
			}
			got := getT(w)
			for j, want := range []float64{1 - lr*float64(step), 1 + lr*float64(step), 1 - lr*float64(step)} {
				if !(math.Abs(got[j]-want) <= 1e-3*lr) {
					t.Errorf("%v step %d: w[%d] = %v, want %v", dt, step, j, got[j], want)
				}
			}
		}
	}
}
