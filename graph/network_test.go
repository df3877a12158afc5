package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// smallNet builds a float64 network on rows random inputs with targets,
// parameters spread wide enough that every ReLU sees both signs, and one
// fixed epsilon draw.
func smallNet(t *testing.T, cfg Config, rows int, seed uint64) *Network {
	t.Helper()
	cfg.Dtype = tensor.Float64
	cfg.Init = Init{WMuStd: 0.7, WRhoMean: -1, WRhoStd: 0.3, BMu: 0.1, BRho: -0.5, Set: true}
	n, err := New(cfg, rows)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, rows*n.Config.Inputs)
	y := make([]float64, rows*n.Config.Outputs)
	for i := range x {
		x[i] = -3 + 6*r.Float64()
	}
	for i := range y {
		y[i] = r.NormFloat64()
	}
	if err := SetValues(n.X, x); err != nil {
		t.Fatal(err)
	}
	if err := SetValues(n.Y, y); err != nil {
		t.Fatal(err)
	}
	if err := n.Init(r); err != nil {
		t.Fatal(err)
	}
	if err := n.FillEps(r); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLossGradientFiniteDifference guards d(negative ELBO)/d(every
// learnable) with epsilon held fixed, against a central finite difference,
// for the fused ops and for Gorgonia's stock ops. (Gorgonia has an open
// report of wrongly accumulated gradients with BindDualValues, #543; this
// project reads the gradient nodes directly and this test is the guard.)
func TestLossGradientFiniteDifference(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		rows int
	}{
		{"fused-seed-depth", Config{Layers: 5, Hidden: 4, LikelihoodSigma: 0.5}, 23},
		{"fused-nbatch-prior", Config{Layers: 3, Hidden: 5, Inputs: 2, Outputs: 2, NBatch: 4, Prior: nodes.Normal{Mu: 0.2, Sigma: 0.5}, LikelihoodSigma: 1}, 17},
		{"fused-one-layer", Config{Layers: 1, LikelihoodSigma: 0.5}, 11},
		{"stock-ops", Config{Layers: 3, Hidden: 4, LikelihoodSigma: 0.5, StockOps: true}, 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := smallNet(t, tc.cfg, tc.rows, 3)
			if err := n.Differentiate(); err != nil {
				t.Fatal(err)
			}
			var loss G.Value
			G.Read(n.Loss, &loss)
			grads := make([]G.Value, len(n.Grads))
			for i, g := range n.Grads {
				G.Read(g, &grads[i])
			}
			vm := G.NewTapeMachine(n.Graph)
			defer vm.Close()
			eval := func() float64 {
				defer vm.Reset()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				v, err := Scalar(loss)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			eval()
			analytic := make([][]float64, len(grads))
			for i, g := range grads {
				var err error
				if analytic[i], err = ValueFloats(g); err != nil {
					t.Fatal(err)
				}
			}
			// Run twice more: gradients must not accumulate across runs.
			eval()
			eval()
			for i, g := range grads {
				again, _ := ValueFloats(g)
				for j := range again {
					if again[j] != analytic[i][j] {
						t.Fatalf("gradient %s[%d] changed between identical runs: %v then %v", n.Learnables()[i].Name(), j, analytic[i][j], again[j])
					}
				}
			}
			checked := 0
			for i, p := range n.Learnables() {
				x := p.Value().Data().([]float64)
				x0 := append([]float64(nil), x...)
				num := fd.Gradient(nil, func(v []float64) float64 { copy(x, v); return eval() }, x0,
					&fd.Settings{Formula: fd.Central, Step: 1e-6})
				copy(x, x0)
				for j := range num {
					checked++
					if d := math.Abs(num[j] - analytic[i][j]); d > 1e-5*(1+math.Abs(num[j])) {
						t.Errorf("d loss / d %s[%d]: graph %.9g, finite difference %.9g", p.Name(), j, analytic[i][j], num[j])
					}
				}
			}
			if checked == 0 {
				t.Fatal("no parameter checked")
			}
		})
	}
}

// The negative ELBO node must equal NLL + KL/NBatch computed by hand from
// the graph's own sampled weights.
func TestLossIsNLLPlusScaledKL(t *testing.T) {
	n := smallNet(t, Config{Layers: 2, Hidden: 3, NBatch: 5, LikelihoodSigma: 0.5}, 9, 4)
	var loss, nll, kl, out G.Value
	G.Read(n.Loss, &loss)
	G.Read(n.NLL, &nll)
	G.Read(n.KL, &kl)
	G.Read(n.Output, &out)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	l, _ := Scalar(loss)
	nl, _ := Scalar(nll)
	k, _ := Scalar(kl)
	if !(math.Abs(l-(nl+k/5)) <= 1e-9*math.Abs(l)) {
		t.Errorf("loss %v != NLL %v + KL %v / 5", l, nl, k)
	}
	// NLL by hand from the output.
	ys, _ := Values(n.Y)
	os, _ := ValueFloats(out)
	var want float64
	for i := range ys {
		r := (ys[i] - os[i]) / 0.5
		want += 0.5*r*r + math.Log(0.5) + 0.5*math.Log(2*math.Pi)
	}
	if !(math.Abs(nl-want) <= 1e-9*math.Abs(want)) {
		t.Errorf("NLL %v, want %v", nl, want)
	}
}

func TestStructure(t *testing.T) {
	n, err := New(Config{}, 16)
	if err != nil {
		t.Fatal(err)
	}
	c := n.Config
	if c.Layers != 5 || c.Hidden != 20 || c.Dtype != tensor.Float32 || c.Prior != (nodes.Normal{Sigma: 1}) || c.LikelihoodSigma != 0.1 || c.NBatch != 1 {
		t.Fatalf("zero Config did not give the seed's defaults: %+v", c)
	}
	if got := len(n.Learnables()); got != 20 {
		t.Errorf("%d learnables, want 20 (4 per layer)", got)
	}
	if got := len(n.Eps()); got != 10 {
		t.Errorf("%d eps nodes, want 10 (2 per layer)", got)
	}
	wantShapes := [][2]int{{1, 20}, {20, 20}, {20, 20}, {20, 20}, {20, 1}}
	for i, l := range n.Layers {
		if s := l.WMu.Shape(); s[0] != wantShapes[i][0] || s[1] != wantShapes[i][1] {
			t.Errorf("layer %d w_mu shape %v, want %v", i, s, wantShapes[i])
		}
		if !l.WEps.IsVar() || l.WEps.Op() != nil {
			t.Errorf("layer %d w_eps is not an input node", i)
		}
	}
	if !n.Output.Shape().Eq(tensor.Shape{16, 1}) {
		t.Errorf("output shape %v", n.Output.Shape())
	}
	dot := n.DOT()
	for _, want := range []string{"w_eps0", "b_rho4", "negative_ELBO", "KL", "NLL", "digraph"} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %q", want)
		}
	}
	// Four hidden layers end in the fused Linear+ReLU, the output layer in
	// the plain Linear (a substring check of "Linear" would pass on either).
	if got := strings.Count(dot, "Linear+ReLU<"); got != 4 {
		t.Errorf("DOT has %d Linear+ReLU nodes, want 4", got)
	}
	if got := strings.Count(dot, "Linear<"); got != 1 {
		t.Errorf("DOT has %d plain Linear nodes, want 1 (the output layer)", got)
	}
	for i, l := range n.Layers {
		want := "Linear+ReLU"
		if i == len(n.Layers)-1 {
			want = "Linear"
		}
		if got := l.Out.Op().String(); !strings.HasPrefix(got, want+"(") && got != want {
			t.Errorf("layer %d ends in %q, want %s", i, got, want)
		}
	}
	f, err := NewForward(Config{}, 16)
	if err != nil {
		t.Fatal(err)
	}
	if f.Loss != nil || f.Y != nil || f.Differentiate() == nil {
		t.Error("forward-only network has a loss or accepts Differentiate")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{Layers: -1}, {Hidden: -3}, {NBatch: -1}, {LikelihoodSigma: math.Inf(1)},
		{Prior: nodes.Normal{Sigma: -1}}, {Dtype: tensor.Int},
	} {
		if _, err := New(c, 4); err == nil {
			t.Errorf("New(%+v) gave no error", c)
		}
	}
	if _, err := New(Config{}, 0); err == nil {
		t.Error("New with 0 rows gave no error")
	}
}

// float32 and float64 graphs agree on the same parameters and inputs.
func TestFloat32MatchesFloat64(t *testing.T) {
	n64 := smallNet(t, Config{Layers: 3, Hidden: 6, LikelihoodSigma: 0.5}, 12, 5)
	n32, err := New(Config{Layers: 3, Hidden: 6, LikelihoodSigma: 0.5, Dtype: tensor.Float32}, 12)
	if err != nil {
		t.Fatal(err)
	}
	copy32 := func(dst, src *G.Node) {
		v, _ := Values(src)
		if err := SetValues(dst, v); err != nil {
			t.Fatal(err)
		}
	}
	copy32(n32.X, n64.X)
	copy32(n32.Y, n64.Y)
	for i, p := range n64.Learnables() {
		copy32(n32.Learnables()[i], p)
	}
	for i, e := range n64.Eps() {
		copy32(n32.Eps()[i], e)
	}
	loss := func(n *Network) float64 {
		var v G.Value
		G.Read(n.Loss, &v)
		vm := G.NewTapeMachine(n.Graph)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		s, _ := Scalar(v)
		return s
	}
	a, b := loss(n64), loss(n32)
	if !(math.Abs(a-b) <= 1e-5*math.Abs(a)) {
		t.Errorf("float64 loss %v, float32 loss %v", a, b)
	}
}
