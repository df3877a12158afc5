package nodes

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	G "gorgonia.org/gorgonia"
)

const oracleTol = 1e-12

func within(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func TestSoftplusMatchesLog1pExp(t *testing.T) {
	g := G.NewGraph()
	xs := []float64{-30, -2.5, -1, 0, 0.5, 3, 12}
	rho := input(g, "rho", []int{len(xs)}, func(i int) float64 { return xs[i] })
	s, err := Softplus(rho)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, s)
	for i, x := range xs {
		if want := math.Log1p(math.Exp(x)); !within(got[i], want, oracleTol) {
			t.Errorf("softplus(%v) = %v, want %v", x, got[i], want)
		}
	}
}

func TestNormalLogProbMatchesDistuv(t *testing.T) {
	g := G.NewGraph()
	shape := []int{4, 3}
	z := input(g, "z", shape, normals(1, 0, 2))
	mu := input(g, "mu", shape, normals(2, 0, 1))
	sigma := input(g, "sigma", shape, func(i int) float64 { return 0.1 + 0.3*float64(i) })
	lp, err := NormalLogProb(z, mu, sigma)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, lp)
	zs, ms, ss := z.Value().Data().([]float64), mu.Value().Data().([]float64), sigma.Value().Data().([]float64)
	for i := range got {
		want := distuv.Normal{Mu: ms[i], Sigma: ss[i]}.LogProb(zs[i])
		if !within(got[i], want, oracleTol) {
			t.Errorf("[%d] log N(%v | %v, %v) = %v, want %v", i, zs[i], ms[i], ss[i], got[i], want)
		}
	}
}

func TestPriorLogProbMatchesDistuv(t *testing.T) {
	for _, p := range []Normal{{0, 1}, {0, 0.3}, {1.5, 2}} {
		g := G.NewGraph()
		z := input(g, "z", []int{6}, normals(3, 0, 1.5))
		lp, err := p.LogProb(z)
		if err != nil {
			t.Fatal(err)
		}
		got := run(t, g, lp)
		for i, zi := range z.Value().Data().([]float64) {
			if want := (distuv.Normal{Mu: p.Mu, Sigma: p.Sigma}).LogProb(zi); !within(got[i], want, oracleTol) {
				t.Errorf("%+v: log p(%v) = %v, want %v", p, zi, got[i], want)
			}
		}
	}
}

func TestReparameterizeAndKLMatchDistuv(t *testing.T) {
	g := G.NewGraph()
	shape := []int{5, 4}
	mu := input(g, "mu", shape, normals(4, 0, 0.5))
	rho := input(g, "rho", shape, normals(5, -1, 0.5))
	eps := input(g, "eps", shape, normals(6, 0, 1))
	sigma, err := Softplus(rho)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Reparameterize(mu, sigma, eps)
	if err != nil {
		t.Fatal(err)
	}
	prior := Normal{0, 1}
	kl, err := KL(w, mu, sigma, prior)
	if err != nil {
		t.Fatal(err)
	}
	var wv G.Value
	G.Read(w, &wv)
	got := run(t, g, kl)[0]
	ms, rs, es := mu.Value().Data().([]float64), rho.Value().Data().([]float64), eps.Value().Data().([]float64)
	ws := wv.Data().([]float64)
	var want float64
	for i := range ms {
		s := math.Log1p(math.Exp(rs[i]))
		if wi := ms[i] + s*es[i]; !within(ws[i], wi, oracleTol) {
			t.Errorf("w[%d] = %v, want %v", i, ws[i], wi)
		}
		want += distuv.Normal{Mu: ms[i], Sigma: s}.LogProb(ws[i]) - distuv.UnitNormal.LogProb(ws[i])
	}
	if !within(got, want, 1e-10) {
		t.Errorf("KL sample = %v, want %v", got, want)
	}
}

func TestGaussianLogLikMatchesDistuv(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{50, 1}, normals(7, 0, 3))
	pred := input(g, "pred", []int{50, 1}, normals(8, 0, 3))
	const sigma = 0.1
	ll, err := GaussianLogLik(y, pred, sigma)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, ll)[0]
	var want float64
	ps := pred.Value().Data().([]float64)
	for i, yi := range y.Value().Data().([]float64) {
		want += distuv.Normal{Mu: ps[i], Sigma: sigma}.LogProb(yi)
	}
	if !within(got, want, 1e-10) {
		t.Errorf("log-likelihood = %v, want %v", got, want)
	}
}

func TestLinearAndReLUForward(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", []int{7, 3}, normals(9, 0, 1))
	w := input(g, "w", []int{3, 4}, normals(10, 0, 1))
	b := input(g, "b", []int{4}, normals(11, 0, 1))
	lin, err := Linear(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReLU(lin)
	if err != nil {
		t.Fatal(err)
	}
	var lv G.Value
	G.Read(lin, &lv)
	got := run(t, g, r)
	xs, ws, bs := x.Value().Data().([]float64), w.Value().Data().([]float64), b.Value().Data().([]float64)
	ls := lv.Data().([]float64)
	for i := 0; i < 7; i++ {
		for j := 0; j < 4; j++ {
			want := bs[j]
			for k := 0; k < 3; k++ {
				want += xs[i*3+k] * ws[k*4+j]
			}
			if !within(ls[i*4+j], want, 1e-12) {
				t.Errorf("linear[%d,%d] = %v, want %v", i, j, ls[i*4+j], want)
			}
			if !within(got[i*4+j], math.Max(want, 0), 1e-12) {
				t.Errorf("relu[%d,%d] = %v, want %v", i, j, got[i*4+j], math.Max(want, 0))
			}
		}
	}
}

func TestConstructorErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{2, 3}, func(int) float64 { return 1 })
	b := input(g, "b", []int{3, 2}, func(int) float64 { return 1 })
	v := input(g, "v", []int{5}, func(int) float64 { return 1 })
	if _, err := Reparameterize(a, b, a); err == nil {
		t.Error("Reparameterize with mismatched shapes: no error")
	}
	if _, err := NormalLogProb(a, a, b); err == nil {
		t.Error("NormalLogProb with mismatched shapes: no error")
	}
	if _, err := Linear(a, b, v); err == nil {
		t.Error("Linear with a bias of the wrong width: no error")
	}
	if _, err := Linear(a, a, v); err == nil {
		t.Error("Linear with inner dimensions 3 vs 2: no error")
	}
	if _, err := GaussianLogLik(a, a, 0); err == nil {
		t.Error("GaussianLogLik with sigma 0: no error")
	}
	if _, err := (Normal{0, -1}).LogProb(a); err == nil {
		t.Error("Normal with sigma -1: no error")
	}
}

func TestReLUKernelEdgeCases(t *testing.T) {
	in32 := []float32{-1, float32(math.Copysign(0, -1)), 0, 1e-45, -1e-45, 2.5, float32(math.Inf(1)), float32(math.Inf(-1))}
	want32 := []float32{0, 0, 0, 1e-45, 0, 2.5, float32(math.Inf(1)), 0}
	out32 := make([]float32, len(in32))
	relu32(in32, out32)
	in64 := make([]float64, len(in32))
	for i, v := range in32 {
		in64[i] = float64(v)
	}
	out64 := make([]float64, len(in64))
	relu64(in64, out64)
	for i := range in32 {
		if out32[i] != want32[i] || math.Signbit(float64(out32[i])) {
			t.Errorf("relu32(%v) = %v, want %v", in32[i], out32[i], want32[i])
		}
		if out64[i] != float64(want32[i]) || math.Signbit(out64[i]) {
			t.Errorf("relu64(%v) = %v, want %v", in64[i], out64[i], want32[i])
		}
	}
	g32 := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	m32 := make([]float32, len(g32))
	reluMask32(out32, g32, m32)
	g64 := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	m64 := make([]float64, len(g64))
	reluMask64(out64, g64, m64)
	for i := range out32 {
		want := 0.0
		if out32[i] > 0 {
			want = g64[i]
		}
		if float64(m32[i]) != want || m64[i] != want {
			t.Errorf("mask at y=%v: got %v/%v, want %v", out32[i], m32[i], m64[i], want)
		}
	}
}

func TestHostCopies(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", []int{2, 3}, normals(1, 0, 1))
	s, err := G.Sum(x)
	if err != nil {
		t.Fatal(err)
	}
	hx, err := Host(x)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := Host(s)
	if err != nil {
		t.Fatal(err)
	}
	var sv G.Value
	G.Read(hs, &sv)
	got := run(t, g, hx)
	want := x.Value().Data().([]float64)
	var sum float64
	for i := range want {
		sum += want[i]
		if got[i] != want[i] {
			t.Fatalf("[%d] %v, want %v", i, got[i], want[i])
		}
	}
	if !(math.Abs(sv.Data().(float64)-sum) <= 1e-12) {
		t.Errorf("host sum %v, want %v", sv.Data(), sum)
	}
}

// The stock-ops graph's sample (Gorgonia's HadamardProd and Add) has the
// fused node's values and gradients, and refuses what it refuses.
func TestStockReparameterizeMatchesFused(t *testing.T) {
	var vals [2][]float64
	for k, reparam := range []func(mu, sigma, eps *G.Node) (*G.Node, error){Reparameterize, StockReparameterize} {
		g := G.NewGraph()
		shape := []int{5, 4}
		mu := input(g, "mu", shape, normals(4, 0, 0.5))
		sigma := input(g, "sigma", shape, func(i int) float64 { return 0.1 + 0.05*float64(i) })
		eps := input(g, "eps", shape, normals(6, 0, 1))
		w, err := reparam(mu, sigma, eps)
		if err != nil {
			t.Fatal(err)
		}
		cost := weightedSum(t, g, w)
		grads, err := G.Grad(cost, mu, sigma)
		if err != nil {
			t.Fatal(err)
		}
		outs := make([]G.Value, 3)
		for i, n := range []*G.Node{w, grads[0], grads[1]} {
			G.Read(n, &outs[i])
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Close()
		for _, v := range outs {
			vals[k] = append(vals[k], v.Data().([]float64)...)
		}
	}
	for i := range vals[0] {
		if !within(vals[0][i], vals[1][i], 1e-14) {
			t.Fatalf("value %d: fused %v, stock %v", i, vals[0][i], vals[1][i])
		}
	}
	g := G.NewGraph()
	a := input(g, "a", []int{2, 3}, func(int) float64 { return 1 })
	b := input(g, "b", []int{3, 2}, func(int) float64 { return 1 })
	f32 := G.NewMatrix(g, G.Float32, G.WithShape(2, 3), G.WithName("f32"))
	for _, in := range [][3]*G.Node{{a, b, a}, {a, a, b}, {a, a, f32}} {
		if _, err := StockReparameterize(in[0], in[1], in[2]); err == nil {
			t.Errorf("StockReparameterize(%v, %v, %v): no error", in[0].Shape(), in[1].Shape(), in[2].Dtype())
		}
	}
}
