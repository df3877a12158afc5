//go:build openblas

package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The OpenBLAS build hands Gorgonia (and its tensor package, which G.Use
// also sets) the OpenBLAS-backed BLAS.
func TestGorgoniaUsesOpenBLAS(t *testing.T) {
	if _, ok := G.WhichBLAS().(openBLAS); !ok {
		t.Fatalf("G.WhichBLAS() = %T, want linalg.openBLAS", G.WhichBLAS())
	}
}

// G.Mul and its gradients (products with a transposed operand) through
// the registered BLAS agree with a plain triple loop, for both dtypes.
func TestGorgoniaMulThroughOpenBLAS(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			const m, k, n = 37, 11, 5 // odd sizes: no kernel's blocking fits them exactly
			rng := rand.New(rand.NewPCG(3, 4))
			av, bv := randVals(rng, m*k), randVals(rng, k*n)
			g := G.NewGraph()
			a := G.NewMatrix(g, dt, G.WithShape(m, k), G.WithName("a"), G.WithValue(asTensor(dt, av, m, k)))
			b := G.NewMatrix(g, dt, G.WithShape(k, n), G.WithName("b"), G.WithValue(asTensor(dt, bv, k, n)))
			c, err := G.Mul(a, b)
			if err != nil {
				t.Fatal(err)
			}
			cost, err := G.Sum(c) // ∂cost/∂a = 1·bᵀ, ∂cost/∂b = aᵀ·1: transposed GEMMs
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(cost, a, b); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			want := make([]float64, m*n)
			for i := range m {
				for j := range n {
					for p := range k {
						want[i*n+j] += av[i*k+p] * bv[p*n+j]
					}
				}
			}
			checkClose(t, "a·b", floats(c.Value()), want, tol)
			ga, _ := a.Grad()
			gb, _ := b.Grad()
			wantGA := make([]float64, m*k) // row i of ∂a is b's row sums
			for i := range m {
				for p := range k {
					for j := range n {
						wantGA[i*k+p] += bv[p*n+j]
					}
				}
			}
			wantGB := make([]float64, k*n) // column j of ∂b is a's column sums
			for p := range k {
				for j := range n {
					for i := range m {
						wantGB[p*n+j] += av[i*k+p]
					}
				}
			}
			checkClose(t, "∂a", floats(ga), wantGA, tol)
			checkClose(t, "∂b", floats(gb), wantGB, tol)
		})
	}
}

// Shapes OpenBLAS must not see stay with gonum: an empty inner dimension
// scales C by beta, and a slice too short for its shape panics with
// gonum's message instead of a read past its end.
func TestOpenBLASFallsBackToGonum(t *testing.T) {
	c := []float64{1, 2, 3, 4}
	openBLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 2, 2, 0, 1, make([]float64, 1), 1, nil, 2, 0.5, c, 2)
	checkClose(t, "k = 0", c, []float64{0.5, 1, 1.5, 2}, 0)

	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "insufficient length of a") {
			t.Fatalf("short A: recovered %v, want gonum's panic about a short slice", r)
		}
	}()
	c32 := make([]float32, 4)
	openBLAS{}.Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, c32, 2)
}

func TestGemmFits(t *testing.T) {
	N, T := blas.NoTrans, blas.Trans
	for _, c := range []struct {
		name                 string
		tA, tB               blas.Transpose
		m, n, k              int
		la, lda, lb, ldb, lc int
		ldc                  int
		want                 bool
	}{
		{"exact 2x3·3x4", N, N, 2, 4, 3, 6, 3, 12, 4, 8, 4, true},
		{"padded rows", N, N, 2, 4, 3, 8, 5, 12, 4, 8, 4, true},     // (2-1)·5+3 = 8
		{"A one short", N, N, 2, 4, 3, 5, 3, 12, 4, 8, 4, false},    // needs 6
		{"lda below cols", N, N, 2, 4, 3, 6, 2, 12, 4, 8, 4, false}, // rows would overlap
		{"A transposed 3x2", T, N, 2, 4, 3, 6, 2, 12, 4, 8, 4, true},
		{"A transposed short", T, N, 2, 4, 3, 5, 2, 12, 4, 8, 4, false},
		{"B transposed 4x3", N, T, 2, 4, 3, 6, 3, 12, 3, 8, 4, true},
		{"B transposed short", N, T, 2, 4, 3, 6, 3, 11, 3, 8, 4, false},
		{"C short", N, N, 2, 4, 3, 6, 3, 12, 4, 7, 4, false},
		{"k = 0", N, N, 2, 4, 0, 0, 1, 0, 4, 8, 4, false},
		{"m = 0", N, N, 0, 4, 3, 0, 3, 12, 4, 0, 4, false},
		{"bad transpose", blas.Transpose('x'), N, 2, 4, 3, 6, 3, 12, 4, 8, 4, false},
	} {
		if got := gemmFits(c.tA, c.tB, c.m, c.n, c.k, c.la, c.lda, c.lb, c.ldb, c.lc, c.ldc); got != c.want {
			t.Errorf("%s: gemmFits = %v, want %v", c.name, got, c.want)
		}
	}
}

func randVals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*2 - 1
	}
	return v
}

func asTensor(dt tensor.Dtype, v []float64, r, c int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(append([]float64(nil), v...)))
}

func floats(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	}
	return nil
}

func checkClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}
