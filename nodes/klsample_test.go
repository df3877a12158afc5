package nodes

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fused KL node against the composition it replaces (NormalLogProb,
// the prior's LogProb, Sub, Sum): value and the three gradients, under a
// scaled upstream gradient, for both priors and both dtypes.
func TestKLFusedMatchesComposed(t *testing.T) {
	for _, prior := range []Prior{Normal{Mu: 0.2, Sigma: 0.7}, ScaleMixture{Pi: 0.3, Sigma1: 1.2, Sigma2: 0.05}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			run := func(fused bool) (float64, [][]float64) {
				g := G.NewGraph()
				mk := func(name string, f func(int) float64) *G.Node {
					v := tensor.New(tensor.Of(dt), tensor.WithShape(9, 11)) // 99: over the C kernels' minimum
					for i := 0; i < 99; i++ {
						if dt == tensor.Float32 {
							v.Float32s()[i] = float32(f(i))
						} else {
							v.Float64s()[i] = f(i)
						}
					}
					return G.NodeFromAny(g, v, G.WithName(name))
				}
				w := mk("w", normals(21, 0, 0.3))
				mu := mk("mu", normals(22, 0, 0.2))
				s := mk("s", func(i int) float64 { return 0.02 + 0.01*float64(i%13) })
				var kl *G.Node
				var err error
				if fused {
					kl, err = KL(w, mu, s, prior)
				} else {
					kl, err = klComposed(w, mu, s, prior)
				}
				if err != nil {
					t.Fatal(err)
				}
				scaled, err := G.Mul(kl, G.NewConstant(castTo(dt, -0.37)))
				if err != nil {
					t.Fatal(err)
				}
				grads, err := G.Grad(scaled, w, mu, s)
				if err != nil {
					t.Fatal(err)
				}
				var kv G.Value
				G.Read(kl, &kv)
				gv := make([]G.Value, 3)
				for i := range grads {
					G.Read(grads[i], &gv[i])
				}
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				v, _ := ScalarValue(kv)
				out := make([][]float64, 3)
				for i, x := range gv {
					out[i] = valueFloats(x)
				}
				return v, out
			}
			v0, g0 := run(false)
			v1, g1 := run(true)
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 2e-5 // float32 sums (composed) against float64 (fused)
			}
			if !(math.Abs(v1-v0) <= tol*math.Max(1, math.Abs(v0))) {
				t.Errorf("%v %v: KL %v, composed %v", prior, dt, v1, v0)
			}
			for k, name := range []string{"w", "mu", "sigma"} {
				for i := range g0[k] {
					if d := math.Abs(g1[k][i] - g0[k][i]); !(d <= tol*math.Max(1, math.Abs(g0[k][i]))) {
						t.Errorf("%v %v: d/d%s[%d] = %v, composed %v", prior, dt, name, i, g1[k][i], g0[k][i])
						break
					}
				}
			}
		}
	}
}

func castTo(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

func valueFloats(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}
