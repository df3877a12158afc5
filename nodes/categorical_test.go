package nodes

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// oneHot is rows one-hot rows of k classes: row r has class (r*7+3) mod k.
func oneHot(rows, k int) func(i int) float64 {
	return func(i int) float64 {
		if i%k == (i/k*7+3)%k {
			return 1
		}
		return 0
	}
}

func TestGradientCategoricalLogLik(t *testing.T) {
	for _, tc := range []struct {
		name string
		y    func(int) float64
	}{
		{"one-hot", oneHot(6, 4)},
		// Class weights that do not sum to 1 (label smoothing, soft
		// targets): the softmax term scales with the row's mass.
		{"soft", normals(12, 0.5, 0.3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			y := input(g, "y", []int{6, 4}, tc.y)
			z := input(g, "z", []int{6, 4}, normals(11, 0, 2))
			ll, err := CategoricalLogLik(y, z)
			if err != nil {
				t.Fatal(err)
			}
			// Under a scaled upstream gradient, so the g factor is checked.
			s, err := G.Mul(ll, G.NewConstant(-1.7))
			if err != nil {
				t.Fatal(err)
			}
			checkGradient(t, g, s, G.Nodes{z}, gradTol)
		})
	}
}

// The value against the closed form: log p of the labelled class is
// z_c − log Σ exp z, written out here with no shift.
func TestCategoricalLogLikValue(t *testing.T) {
	const rows, k = 5, 3
	g := G.NewGraph()
	yv, zv := make([]float64, rows*k), make([]float64, rows*k)
	draw := normals(13, 0, 1.5) // (stateful: drawn once, into zv)
	for i := range zv {
		yv[i], zv[i] = oneHot(rows, k)(i), draw(i)
	}
	yf, zf := func(i int) float64 { return yv[i] }, func(i int) float64 { return zv[i] }
	y := input(g, "y", []int{rows, k}, yf)
	z := input(g, "z", []int{rows, k}, zf)
	ll, err := CategoricalLogLik(y, z)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, ll)[0]
	var want float64
	for r := 0; r < rows; r++ {
		var s float64
		for c := 0; c < k; c++ {
			s += math.Exp(zf(r*k + c))
		}
		for c := 0; c < k; c++ {
			want += yf(r*k+c) * (zf(r*k+c) - math.Log(s))
		}
	}
	if !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
		t.Errorf("log-likelihood %v, want %v", got, want)
	}
}

// Logits far outside exp's range: the naive formula overflows (exp(1000)
// = +Inf) or underflows to log 0; the stable one gives the exact answer.
func TestCategoricalLogLikStable(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		z := []float64{1000, 990, -1000, -2000, -2010, -3000}
		y := []float64{0, 1, 0, 1, 0, 0}
		mk := func(name string, v []float64) *G.Node {
			tt := tensor.New(tensor.Of(dt), tensor.WithShape(2, 3))
			for i, x := range v {
				if dt == tensor.Float32 {
					tt.Float32s()[i] = float32(x)
				} else {
					tt.Float64s()[i] = x
				}
			}
			return G.NodeFromAny(g, tt, G.WithName(name))
		}
		yn, zn := mk("y", y), mk("z", z)
		ll, err := CategoricalLogLik(yn, zn)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := G.Grad(ll, zn)
		if err != nil {
			t.Fatal(err)
		}
		var gv G.Value
		G.Read(grads[0], &gv)
		got := run(t, g, ll)[0]
		// Row 0: class 1 is 10 below the max; row 1: class 0 is the max, 10 above the next.
		want := (-10 - math.Log1p(math.Exp(-10)+math.Exp(-2000))) + (0 - math.Log1p(math.Exp(-10)+math.Exp(-1000)))
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		if !(math.Abs(got-want) <= tol*math.Abs(want)) {
			t.Errorf("%v: log-likelihood %v, want %v", dt, got, want)
		}
	}
}

// The gradient sums to zero over each row of a one-hot target (softmax
// sums to 1) and is y − softmax: checked at the uniform softmax.
func TestCategoricalLogLikGradientUniform(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{2, 4}, oneHot(2, 4))
	z := input(g, "z", []int{2, 4}, func(int) float64 { return 3 })
	ll, err := CategoricalLogLik(y, z)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(ll, z)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, grads[0])
	yf := oneHot(2, 4)
	for i, v := range got {
		if want := yf(i) - 0.25; !(math.Abs(v-want) <= 1e-15) {
			t.Errorf("gradient[%d] = %v, want %v", i, v, want)
		}
	}
}

func TestCategoricalLogLikErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{3, 4}, normals(1, 0, 1))
	b := input(g, "b", []int{3, 5}, normals(2, 0, 1))
	one := input(g, "one", []int{3, 1}, normals(3, 0, 1))
	vec := input(g, "vec", []int{4}, normals(4, 0, 1))
	f32 := G.NodeFromAny(g, tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(3, 4)), G.WithName("f32"))
	two := input(g, "two", []int{3, 2}, normals(5, 0, 1))
	if _, err := CategoricalLogLik(two, two); err != nil {
		t.Errorf("2 classes: %v", err)
	}
	for _, tc := range []struct {
		name string
		y, z *G.Node
		want error
	}{
		{"shapes differ", a, b, ErrShape},
		{"one class", one, one, ErrShape},
		{"not a matrix", vec, vec, ErrShape},
		{"dtypes differ", a, f32, ErrDtype},
	} {
		if _, err := CategoricalLogLik(tc.y, tc.z); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestLogSoftmax(t *testing.T) {
	z := []float64{1, 2, 3, -1e4, 0, 1e4}
	got := LogSoftmax(z, 3, make([]float64, 6))
	for r := 0; r < 2; r++ {
		var s float64
		for _, v := range got[3*r : 3*r+3] {
			s += math.Exp(v)
		}
		if !(math.Abs(s-1) <= 1e-12) {
			t.Errorf("row %d: softmax sums to %v", r, s)
		}
	}
	if want := 1 - (3 + math.Log(math.Exp(-2)+math.Exp(-1)+1)); !(math.Abs(got[0]-want) <= 1e-12) {
		t.Errorf("log softmax[0] = %v, want %v", got[0], want)
	}
	if got[5] != 0 || got[3] != -2e4 {
		t.Errorf("row with ±1e4: %v, want [-2e4 -1e4 0]", got[3:])
	}
}
