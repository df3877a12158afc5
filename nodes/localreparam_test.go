package nodes

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The resident ops of local reparameterisation: values against the
// formulas written out, in both dtypes; gradients against finite
// differences; the kernel of every kind defined in bbb.cu.

func TestLocalReparamOpValues(t *testing.T) {
	const rows, cols = 3, 4
	n := rows * cols
	x := seq(n, normals(71, 0, 1))
	rho := seq(n, normals(72, -1, 1.5))
	rho[5] = 22 // softplus's cut: softplus(x) = x past 20
	mean := seq(n, normals(73, 0, 1))
	v := seq(n, func(i int) float64 { return 0.05 + 0.1*float64(i) })
	eps := seq(n, normals(74, 0, 1))
	sp := func(r float64) float64 {
		if r > 20 {
			return r
		}
		return math.Log1p(math.Exp(r))
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-15
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for _, tc := range []struct {
			name string
			op   func(g *G.ExprGraph) (*G.Node, error)
			want func(i int) float64
		}{
			{"Square", func(g *G.ExprGraph) (*G.Node, error) { return Square(dtInput(g, "x", dt, x, rows, cols)) },
				func(i int) float64 { return x[i] * x[i] }},
			{"SoftplusSquare", func(g *G.ExprGraph) (*G.Node, error) { return SoftplusSquare(dtInput(g, "rho", dt, rho, rows, cols)) },
				func(i int) float64 { return sp(rho[i]) * sp(rho[i]) }},
			{"LocalOut", func(g *G.ExprGraph) (*G.Node, error) {
				return LocalOut(dtInput(g, "m", dt, mean, rows, cols), dtInput(g, "v", dt, v, rows, cols), dtInput(g, "e", dt, eps, rows, cols), false)
			}, func(i int) float64 { return mean[i] + math.Sqrt(v[i])*eps[i] }},
			{"LocalOutReLU", func(g *G.ExprGraph) (*G.Node, error) {
				return LocalOut(dtInput(g, "m", dt, mean, rows, cols), dtInput(g, "v", dt, v, rows, cols), dtInput(g, "e", dt, eps, rows, cols), true)
			}, func(i int) float64 { return math.Max(0, mean[i]+math.Sqrt(v[i])*eps[i]) }},
		} {
			g := G.NewGraph()
			out, err := tc.op(g)
			if err != nil {
				t.Fatal(err)
			}
			if !out.Shape().Eq(tensor.Shape{rows, cols}) {
				t.Errorf("%s: shape %v", tc.name, out.Shape())
			}
			zeros := 0
			for i, got := range run(t, g, out) {
				want := tc.want(i)
				zeros += map[bool]int{true: 1}[want == 0]
				if !(math.Abs(got-want) <= tol*(1+math.Abs(want))) {
					t.Errorf("%s %v [%d]: %v, want %v", tc.name, dt, i, got, want)
				}
			}
			if tc.name == "LocalOutReLU" && (zeros == 0 || zeros == n) {
				t.Errorf("LocalOutReLU: %d of %d zeros: the test needs both signs", zeros, n)
			}
		}
	}
}

// LocalOutReLU's zeros are +0, as the host ReLU's (nodes.ReLU): a
// pre-activation of -0 (mean -0, v 0, eps -1) gives +0, not -0.
func TestLocalOutReLUPositiveZero(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		y, err := LocalOut(dtInput(g, "m", dt, []float64{math.Copysign(0, -1)}, 1, 1), dtInput(g, "v", dt, []float64{0}, 1, 1),
			dtInput(g, "e", dt, []float64{-1}, 1, 1), true)
		if err != nil {
			t.Fatal(err)
		}
		if got := run(t, g, y)[0]; got != 0 || math.Signbit(got) {
			t.Errorf("%v: ReLU(-0) = %v (sign bit %v), want +0", dt, got, math.Signbit(got))
		}
	}
}

// Each op's gradient, through a weighted sum, against central differences;
// LocalOut's through both its mean and its variance, with and without
// ReLU (the inputs keep every pre-activation away from ReLU's kink).
func TestGradientLocalReparamOps(t *testing.T) {
	shape := []int{4, 3}
	t.Run("Square", func(t *testing.T) {
		g := G.NewGraph()
		x := input(g, "x", shape, normals(81, 0, 1))
		y, err := Square(x)
		if err != nil {
			t.Fatal(err)
		}
		checkGradient(t, g, weightedSum(t, g, y), G.Nodes{x}, gradTol)
	})
	t.Run("SoftplusSquare", func(t *testing.T) {
		g := G.NewGraph()
		rho := input(g, "rho", shape, normals(82, -1, 2))
		y, err := SoftplusSquare(rho)
		if err != nil {
			t.Fatal(err)
		}
		checkGradient(t, g, weightedSum(t, g, y), G.Nodes{rho}, gradTol)
	})
	for _, relu := range []bool{false, true} {
		t.Run(map[bool]string{false: "LocalOut", true: "LocalOutReLU"}[relu], func(t *testing.T) {
			g := G.NewGraph()
			mean := input(g, "mean", shape, func(i int) float64 { return float64(i%5) - 2.2 })
			v := input(g, "v", shape, func(i int) float64 { return 0.01 + 0.02*float64(i) })
			eps := input(g, "eps", shape, normals(83, 0, 1))
			y, err := LocalOut(mean, v, eps, relu)
			if err != nil {
				t.Fatal(err)
			}
			checkGradient(t, g, weightedSum(t, g, y), G.Nodes{mean, v}, gradTol)
		})
	}
}

// Mismatched shapes or dtypes are errors; a gradient op has no gradient.
func TestLocalReparamOpErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{2, 3}, func(int) float64 { return 1 })
	b := input(g, "b", []int{3, 2}, func(int) float64 { return 1 })
	a32 := dtInput(g, "a32", tensor.Float32, seq(6, func(int) float64 { return 1 }), 2, 3)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := LocalOut(a, b, a, true); return err }(), "LocalOut mean/v"},
		{func() error { _, err := LocalOut(a, a, b, false); return err }(), "LocalOut mean/eps"},
		{func() error { _, err := LocalOut(a, a, a32, false); return err }(), "LocalOut: float64 vs float32"},
		{func() error { _, err := applyMap(&mapSquareGrad, a, b); return err }(), "Square.dx"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want %q", tc.err, tc.want)
		}
	}
	d, err := applyMap(&mapSquareGrad, a, a)
	if err != nil {
		t.Fatal(err)
	}
	op := d.Op().(*mapOp)
	if _, err := op.SymDiff(G.Nodes{a, a}, d, d); err == nil {
		t.Error("Square.dx has a gradient")
	}
	if w := op.DiffWRT(2); w[0] || w[1] {
		t.Errorf("Square.dx DiffWRT %v", w)
	}
	sq, _ := Square(a)
	if w := sq.Op().(*mapOp).DiffWRT(1); !w[0] {
		t.Errorf("Square DiffWRT %v", w)
	}
	lo, _ := LocalOut(a, a, a, true)
	if w := lo.Op().(*mapOp).DiffWRT(3); !w[0] || !w[1] || w[2] {
		t.Errorf("LocalOut DiffWRT %v, want [true true false]", w)
	}
}

// Every kind's CUDA kernel is defined in bbb.cu for both dtypes, with
// the kind's arity: kernel(out, in..., n).
func TestLocalReparamKernels(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("kernels", "bbb.cu"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*mapKind{&mapSquare, &mapSquareGrad, &mapSoftplusSquare, &mapSoftplusSquareGrad, mapLocalOut, mapLocalOutReLU, mapLocalDvar, mapLocalDvarReLU} {
		i := strings.Index(string(src), `extern "C" __global__ void `+k.kernel+"_##S(")
		if i < 0 {
			t.Errorf("%s: bbb.cu defines no %s_##S", k.name, k.kernel)
			continue
		}
		sig := string(src[i:])
		sig = sig[:strings.Index(sig, ")")]
		if got := strings.Count(sig, "const T *"); got != k.arity {
			t.Errorf("%s: kernel %s takes %d inputs, the op %d", k.name, k.kernel, got, k.arity)
		}
	}
}
