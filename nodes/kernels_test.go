package nodes

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ReLU mask at every length from 0 to 13, so the float32 kernel's tail
// loop (after its 4-way unroll) runs with 1, 2 and 3 leftovers; out starts
// as garbage, so a kernel that skips an element or accumulates is caught.
func TestReLUMaskEveryLength(t *testing.T) {
	for n := 0; n <= 13; n++ {
		y32, g32, out32 := make([]float32, n), make([]float32, n), make([]float32, n)
		y64, g64, out64 := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			if i%3 != 1 { // a zero at every third place, the tail included
				y32[i], y64[i] = float32(i+1)*0.5, float64(i+1)*0.5
			}
			g32[i], g64[i] = float32(10+i), float64(10+i)
			out32[i], out64[i] = -99, -99
		}
		reluMask32(y32, g32, out32)
		reluMask64(y64, g64, out64)
		for i := 0; i < n; i++ {
			want := float64(10 + i)
			if i%3 == 1 {
				want = 0
			}
			if float64(out32[i]) != want || out64[i] != want {
				t.Errorf("n=%d [%d]: mask32 %v, mask64 %v, want %v", n, i, out32[i], out64[i], want)
			}
		}
	}
}

// The float32 likelihood sums its squares in float64: 200000 float32
// residuals give the float64 reference's log-likelihood to float32's
// precision (a float32 accumulator is off by about 1e-4 relative here).
func TestGaussianLogLikFloat32Accumulates64(t *testing.T) {
	const n, sigma = 200000, 0.1
	y, p := make([]float32, n), make([]float32, n)
	var ss float64
	for i := range y {
		y[i] = float32(math.Sin(float64(i)) * 1.3)
		p[i] = float32(math.Cos(float64(i)*0.7) * 0.9)
		d := float64(y[i] - p[i])
		ss += d * d
	}
	want := -0.5*ss/(sigma*sigma) - n*(math.Log(sigma)+0.5*math.Log(2*math.Pi))
	g := G.NewGraph()
	yn := G.NodeFromAny(g, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y)), G.WithName("y"))
	pn := G.NodeFromAny(g, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(p)), G.WithName("p"))
	ll, err := GaussianLogLik(yn, pn, sigma)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, ll)[0]
	if rel := math.Abs(got-want) / math.Abs(want); rel > 3e-7 {
		t.Errorf("float32 log-likelihood %v, float64 reference %v (relative error %.2g)", got, want, rel)
	}
}

// An op's buffer is reused while dtype and shape stay, and replaced when
// either changes (a new tensor per step would allocate every step).
func TestBufferReuse(t *testing.T) {
	var b buffer
	a := b.get(tensor.Float32, 3, 2)
	if b.get(tensor.Float32, 3, 2) != a {
		t.Error("same dtype and shape: buffer not reused")
	}
	if c := b.get(tensor.Float64, 3, 2); c == a || c.Dtype() != tensor.Float64 {
		t.Error("dtype changed: buffer not replaced")
	}
	c := b.get(tensor.Float64, 3, 2)
	if d := b.get(tensor.Float64, 2, 3); d == c || !d.Shape().Eq(tensor.Shape{2, 3}) {
		t.Error("shape changed: buffer not replaced")
	}
}

// Linear rejects each wrong rank on its own: x, w or b not a matrix,
// matrix and vector, even when the sizes would line up.
func TestLinearRankErrors(t *testing.T) {
	g := G.NewGraph()
	m := func(name string, shape ...int) *G.Node {
		return G.NodeFromAny(g, tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(shape...)), G.WithName(name))
	}
	for _, c := range []struct {
		name    string
		x, w, b *G.Node
	}{
		{"x vector", m("x1", 3), m("w1", 3, 1), m("b1", 1)},
		{"w vector", m("x2", 4, 1), m("w2", 1), m("b2", 1)},
		{"b matrix", m("x3", 4, 3), m("w3", 3, 1), m("b3", 1, 1)},
	} {
		for _, f := range []func(x, w, b *G.Node) (*G.Node, error){Linear, LinearReLU} {
			if _, err := f(c.x, c.w, c.b); !errors.Is(err, ErrShape) {
				t.Errorf("%s: err %v, want ErrShape", c.name, err)
			}
		}
	}
}

// ScalarValue reads a scalar from a Gorgonia scalar or a one-element
// tensor of either dtype, and refuses a longer tensor and no value.
func TestScalarValue(t *testing.T) {
	for _, c := range []struct {
		v    G.Value
		want float64
	}{
		{G.NewF32(1.5), 1.5},
		{G.NewF64(-2.25), -2.25},
		{tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{3.5})), 3.5},
		{tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{-4.75})), -4.75},
	} {
		if got, err := ScalarValue(c.v); err != nil || got != c.want {
			t.Errorf("ScalarValue(%v) = %v, %v; want %v", c.v, got, err, c.want)
		}
	}
	for _, v := range []G.Value{nil, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))} {
		if got, err := ScalarValue(v); err == nil {
			t.Errorf("ScalarValue(%v) = %v, want an error", v, got)
		}
	}
}

// An op writes into the VM's preallocated value when it fits, and refuses
// one of another type, dtype or shape (each on its own).
func TestBufferOutPrealloc(t *testing.T) {
	var b buffer
	fits := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(3, 2))
	if d, err := b.out(fits, tensor.Float32, 3, 2); err != nil || d != fits {
		t.Errorf("fitting prealloc: got %p, %v; want it back", d, err)
	}
	for name, p := range map[string]G.Value{
		"scalar": G.NewF32(1),
		"dtype":  tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(3, 2)),
		"shape":  tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 3)),
	} {
		if _, err := b.out(p, tensor.Float32, 3, 2); err == nil {
			t.Errorf("prealloc of another %s: want an error", name)
		}
	}
	if d, err := b.out(nil, tensor.Float32, 3, 2); err != nil || d == fits || !d.Shape().Eq(tensor.Shape{3, 2}) {
		t.Errorf("no prealloc: got %v, %v; want the op's own 3×2 buffer", d, err)
	}
}

// NewParamStore refuses each bad Adam setting on its own (zero fields are
// PyTorch's defaults, so only negative, infinite, NaN or >= 1 values are
// errors) and a dtype other than float32/float64; Param refuses a host
// tensor of another dtype, and none.
func TestParamStoreErrors(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, a := range []AdamConfig{{LR: -1}, {LR: inf}, {LR: nan}, {Beta1: -0.5}, {Beta1: 1}, {Beta1: nan},
		{Beta2: -0.5}, {Beta2: 1}, {Beta2: nan}, {Eps: -1e-8}, {Eps: nan}} {
		if _, err := NewParamStore(tensor.Float32, 1, a); err == nil {
			t.Errorf("NewParamStore(Adam %+v): want an error", a)
		}
	}
	for _, a := range []AdamConfig{{}, {LR: 0.5, Beta1: 0.25, Beta2: 0.9999999, Eps: 1e-12}, {Beta1: 0.9999999}} {
		if _, err := NewParamStore(tensor.Float64, 1, a); err != nil {
			t.Errorf("NewParamStore(Adam %+v): %v", a, err)
		}
	}
	if _, err := NewParamStore(tensor.Int, 1, AdamConfig{}); !errors.Is(err, ErrDtype) {
		t.Errorf("int store: err %v, want ErrDtype", err)
	}
	s, err := NewParamStore(tensor.Float32, 1, AdamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	step := G.NewVector(g, tensor.Float32, G.WithShape(1), G.WithName("step"))
	for name, host := range map[string]*tensor.Dense{"nil": nil, "float64": tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2))} {
		if _, err := s.Param(step, name, host); !errors.Is(err, ErrDtype) {
			t.Errorf("Param with a %s host: err %v, want ErrDtype", name, err)
		}
	}
	if _, err := s.Param(step, "ok", tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2))); err != nil {
		t.Errorf("Param with a float32 host: %v", err)
	}
}

// AdamUpdate takes only a Param node of its own store (not a data node, a
// plain node or another store's Param), and its op refuses a gradient of
// another dtype or length, for both dtypes.
func TestAdamUpdateErrors(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, err := NewParamStore(dt, 1, AdamConfig{})
		if err != nil {
			t.Fatal(err)
		}
		other, err := NewParamStore(dt, 1, AdamConfig{})
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		step := G.NewVector(g, dt, G.WithShape(1), G.WithName("step"))
		host := func() *tensor.Dense { return tensor.New(tensor.Of(dt), tensor.WithShape(3)) }
		p, err := s.Param(step, "p", host())
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.Data(step, "x", host())
		if err != nil {
			t.Fatal(err)
		}
		q, err := other.Param(step, "q", host())
		if err != nil {
			t.Fatal(err)
		}
		grad := G.NewVector(g, dt, G.WithShape(3), G.WithName("grad"))
		for name, n := range map[string]*G.Node{"data node": d, "plain node": grad, "other store's Param": q} {
			if _, err := s.AdamUpdate(n, grad); err == nil {
				t.Errorf("%v: AdamUpdate of a %s: want an error", dt, name)
			}
		}
		up, err := s.AdamUpdate(p, grad)
		if err != nil {
			t.Fatal(err)
		}
		s.SetStep(1)
		odt := tensor.Float64
		if dt == tensor.Float64 {
			odt = tensor.Float32
		}
		for name, v := range map[string]G.Value{
			"length 2":    tensor.New(tensor.Of(dt), tensor.WithShape(2)),
			"other dtype": tensor.New(tensor.Of(odt), tensor.WithShape(3)),
		} {
			if _, err := up.Op().Do(v); err == nil {
				t.Errorf("%v: Adam op with a gradient of %s: want an error", dt, name)
			}
		}
		if _, err := up.Op().Do(tensor.New(tensor.Of(dt), tensor.WithShape(3))); err != nil {
			t.Errorf("%v: Adam op with a fitting gradient: %v", dt, err)
		}
	}
}

// The resident likelihood refuses a sigma that is zero, negative, NaN or
// infinite, each on its own.
func TestGaussianLogLikResidentSigma(t *testing.T) {
	g := G.NewGraph()
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 1), G.WithName("y"))
	pred := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 1), G.WithName("pred"))
	for _, s := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := GaussianLogLikResident(y, pred, s); err == nil {
			t.Errorf("sigma %v: want an error", s)
		}
	}
	if _, err := GaussianLogLikResident(y, pred, 0.1); err != nil {
		t.Errorf("sigma 0.1: %v", err)
	}
}
