package nodes

import (
	"errors"
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The batched predictive ops against plain loops, for both dtypes (train's
// resident Predict runs them; graph's TestPredictiveMatchesForward checks
// them as a whole graph).

// dtInput is a node of dtype dt and the given shape holding vals.
func dtInput(g *G.ExprGraph, name string, dt tensor.Dtype, vals []float64, shape ...int) *G.Node {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(vals[i])
		}
	case []float64:
		copy(d, vals)
	}
	return G.NodeFromAny(g, t, G.WithName(name))
}

func seq(n int, f func(i int) float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}

func closeAll(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestBatchedOpsMatchLoops(t *testing.T) {
	const k, rows, nin, nout = 3, 4, 2, 5
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			mu := seq(nin*nout, func(i int) float64 { return 0.3*float64(i) - 1 })
			rho := seq(nin*nout, func(i int) float64 { return -2 + 0.25*float64(i) })
			eps := seq(k*nin*nout, func(i int) float64 { return math.Sin(float64(i) + 0.5) })
			aK := seq(k*rows*nin, func(i int) float64 { return math.Cos(0.7 * float64(i)) })
			aS := seq(rows*nin, func(i int) float64 { return 1.5 - 0.4*float64(i) })
			bias := seq(k*nout, func(i int) float64 { return 0.2*float64(i) - 1.1 })

			g := G.NewGraph()
			w, err := SampleBatch(dtInput(g, "mu", dt, mu, nin, nout), dtInput(g, "rho", dt, rho, nin, nout), dtInput(g, "eps", dt, eps, k, nin, nout))
			if err != nil {
				t.Fatal(err)
			}
			perK, err := BatchedMatMul(dtInput(g, "aK", dt, aK, k, rows, nin), w)
			if err != nil {
				t.Fatal(err)
			}
			shared, err := BatchedMatMul(dtInput(g, "aS", dt, aS, rows, nin), w)
			if err != nil {
				t.Fatal(err)
			}
			bn := dtInput(g, "b", dt, bias, k, nout)
			relu, err := BiasActBatch(perK, bn, true)
			if err != nil {
				t.Fatal(err)
			}
			ident, err := BiasActBatch(shared, bn, false)
			if err != nil {
				t.Fatal(err)
			}
			var vw, vk, vs, vr, vi G.Value
			G.Read(w, &vw)
			G.Read(perK, &vk)
			G.Read(shared, &vs)
			G.Read(relu, &vr)
			G.Read(ident, &vi)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			for run := 0; run < 2; run++ { // a second run reuses the buffers
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				wantW := make([]float64, k*nin*nout)
				for b := 0; b < k; b++ {
					for j := 0; j < nin*nout; j++ {
						wantW[b*nin*nout+j] = mu[j] + math.Log1p(math.Exp(rho[j]))*eps[b*nin*nout+j]
					}
				}
				mm := func(a []float64, sharedA bool) []float64 {
					out := make([]float64, k*rows*nout)
					for b := 0; b < k; b++ {
						for r := 0; r < rows; r++ {
							for o := 0; o < nout; o++ {
								var s float64
								for i := 0; i < nin; i++ {
									ai := a[r*nin+i]
									if !sharedA {
										ai = a[(b*rows+r)*nin+i]
									}
									s += ai * wantW[(b*nin+i)*nout+o]
								}
								out[(b*rows+r)*nout+o] = s
							}
						}
					}
					return out
				}
				wantK, wantS := mm(aK, false), mm(aS, true)
				act := func(a []float64, relu bool) []float64 {
					out := make([]float64, len(a))
					for i := range a {
						b, o := i/(rows*nout), i%nout
						out[i] = a[i] + bias[b*nout+o]
						if relu && out[i] < 0 {
							out[i] = 0
						}
					}
					return out
				}
				for _, c := range []struct {
					name string
					v    G.Value
					want []float64
				}{
					{"SampleBatch", vw, wantW},
					{"BatchedMatMul per k", vk, wantK},
					{"BatchedMatMul shared", vs, wantS},
					{"BiasActBatch relu", vr, act(wantK, true)},
					{"BiasActBatch identity", vi, act(wantS, false)},
				} {
					if c.v.Dtype() != dt {
						t.Errorf("%s: dtype %v", c.name, c.v.Dtype())
					}
					got := floats(c.v.(*tensor.Dense))
					closeAll(t, fmt.Sprintf("run %d %s", run, c.name), got, c.want, tol)
				}
				vm.Reset()
			}
		})
	}
}

// ReLU in BiasActBatch gives +0 for a sum of -0 (and for 0 and negatives).
func TestBiasActBatchReLUZeros(t *testing.T) {
	nz := math.Copysign(0, -1)
	g := G.NewGraph()
	a := dtInput(g, "a", tensor.Float64, []float64{nz, 0, -1, 2}, 1, 1, 4)
	b := dtInput(g, "b", tensor.Float64, []float64{nz, 0, 0.5, -1}, 1, 4)
	r, err := BiasActBatch(a, b, true)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, r)
	for i, want := range []float64{0, 0, 0, 1} {
		if got[i] != want || math.Signbit(got[i]) {
			t.Errorf("[%d] = %v, want +%v", i, got[i], want)
		}
	}
}

func TestBatchedOpsShapeErrors(t *testing.T) {
	g := G.NewGraph()
	f := func(name string, shape ...int) *G.Node {
		return dtInput(g, name, tensor.Float64, make([]float64, tensor.Shape(shape).TotalSize()), shape...)
	}
	f32 := dtInput(g, "f32", tensor.Float32, make([]float64, 2*3), 2, 3)
	f32k := dtInput(g, "f32k", tensor.Float32, make([]float64, 4*2*3), 4, 2, 3)
	for _, c := range []struct {
		name string
		err  error
	}{
		{"SampleBatch rho shape", errOf(SampleBatch(f("m", 2, 3), f("r", 3, 2), f("e", 4, 2, 3)))},
		{"SampleBatch eps dims", errOf(SampleBatch(f("m", 2, 3), f("r", 2, 3), f("e", 2, 3)))},
		{"SampleBatch eps shape", errOf(SampleBatch(f("m", 2, 3), f("r", 2, 3), f("e", 4, 3, 2)))},
		{"SampleBatch dtype", errOf(SampleBatch(f32, f("r", 2, 3), f32k))},
		{"BatchedMatMul w dims", errOf(BatchedMatMul(f("a", 4, 2), f("w", 2, 3)))},
		{"BatchedMatMul a dims", errOf(BatchedMatMul(f("a", 4), f("w", 1, 4, 3)))},
		{"BatchedMatMul a 4 dims", errOf(BatchedMatMul(f("a", 1, 1, 4, 2), f("w", 1, 2, 3)))},
		{"BatchedMatMul inner", errOf(BatchedMatMul(f("a", 4, 3), f("w", 2, 2, 3)))},
		{"BatchedMatMul K", errOf(BatchedMatMul(f("a", 3, 4, 2), f("w", 2, 2, 3)))},
		{"BatchedMatMul dtype", errOf(BatchedMatMul(f32, f("w", 2, 3, 3)))},
		{"BiasActBatch a dims", errOf(BiasActBatch(f("a", 4, 3), f("b", 2, 3), true))},
		{"BiasActBatch a 4 dims", errOf(BiasActBatch(f("a", 2, 4, 3, 1), f("b", 2, 3), true))},
		{"BiasActBatch b dims", errOf(BiasActBatch(f("a", 2, 4, 3), f("b", 3), true))},
		{"BiasActBatch K", errOf(BiasActBatch(f("a", 2, 4, 3), f("b", 3, 3), true))},
		{"BiasActBatch cols", errOf(BiasActBatch(f("a", 2, 4, 3), f("b", 2, 4), true))},
		{"BiasActBatch dtype", errOf(BiasActBatch(f("a", 4, 2, 3), f32k, false))},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		} else if strings := c.err.Error(); !errors.Is(c.err, ErrShape) && !errors.Is(c.err, ErrDtype) {
			t.Errorf("%s: %s: want ErrShape or ErrDtype", c.name, strings)
		}
	}
	// The valid edge shapes build.
	if _, err := BatchedMatMul(f("a", 1, 4, 2), f("w", 1, 2, 3)); err != nil {
		t.Error(err)
	}
}

func errOf(_ *G.Node, err error) error { return err }

// BiasAct: ReLU gives +0 for a sum of -0 (its gradient masks by the
// output's bits, so a -0 would pass the gradient), and each wrong shape
// (a not a matrix, b not a vector, widths that differ) is an error on its own.
func TestBiasActZerosAndShapes(t *testing.T) {
	nz := math.Copysign(0, -1)
	g := G.NewGraph()
	a := dtInput(g, "a", tensor.Float64, []float64{nz, 0, -1, 2}, 1, 4)
	b := dtInput(g, "b", tensor.Float64, []float64{nz, 0, 0.5, -1}, 4)
	r, err := BiasAct(a, b, true)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, r)
	for i, want := range []float64{0, 0, 0, 1} {
		if got[i] != want || math.Signbit(got[i]) {
			t.Errorf("[%d] = %v, want +%v", i, got[i], want)
		}
	}
	f := func(name string, shape ...int) *G.Node {
		return dtInput(g, name, tensor.Float64, make([]float64, tensor.Shape(shape).TotalSize()), shape...)
	}
	for name, c := range map[string][2]*G.Node{
		"a vector": {f("a1", 3), f("b1", 3)},
		"b matrix": {f("a2", 2, 3), f("b2", 1, 3)},
		"widths":   {f("a3", 2, 3), f("b3", 2)},
		"a 3 dims": {f("a4", 1, 2, 3), f("b4", 3)},
	} {
		if _, err := BiasAct(c[0], c[1], true); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err %v, want ErrShape", name, err)
		}
	}
}

// softplus64 is log1p(exp(x)) up to x = 20 included (20 + 2e-9 there) and
// x itself only above, where the two agree to the last bit.
func TestSoftplus64Cutoff(t *testing.T) {
	for _, x := range []float64{-30, -1, 0, 1, 19.5, 20} {
		if got, want := softplus64(x), math.Log1p(math.Exp(x)); got != want {
			t.Errorf("softplus64(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{20.5, 40, 800} {
		if got := softplus64(x); got != x {
			t.Errorf("softplus64(%v) = %v, want %v", x, got, x)
		}
	}
}
