package nodes

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Bad scales and shapes are errors (each condition on its own, so that a
// mutant weakening one of them fails).
func TestNoiseValidation(t *testing.T) {
	for _, h := range []HeteroScale{{-1, 0}, {math.Inf(1), 0}, {math.NaN(), 0}, {0, math.NaN()}, {0, math.Inf(1)}, {0, math.Inf(-1)}} {
		if h.Validate() == nil {
			t.Errorf("%+v.Validate(): want an error", h)
		}
	}
	for _, h := range []HeteroScale{{0, 0}, {0.01, -3}} {
		if err := h.Validate(); err != nil {
			t.Errorf("%+v.Validate(): %v", h, err)
		}
	}
	for _, p := range []Normal{{0, 0}, {0, -1}, {0, math.Inf(1)}, {math.NaN(), 1}, {math.Inf(-1), 1}} {
		if p.Validate() == nil {
			t.Errorf("%+v.Validate(): want an error", p)
		}
	}
	g := G.NewGraph()
	y := input(g, "y", []int{4, 1}, normals(1, 0, 1))
	for _, shape := range [][]int{{4, 1}, {3, 2}, {4, 3}, {4}} {
		out := input(g, "out", shape, normals(2, 0, 1))
		if _, err := HeteroGaussianLogLik(y, out, HeteroScale{0, 0}); err == nil {
			t.Errorf("HeteroGaussianLogLik y (4, 1), out %v: want a shape error", shape)
		}
	}
}

// The logistic function holds at both tails (one of its two forms
// overflows there: exp(1000)/(1+exp(1000)) is NaN).
func TestSigmoidAtTails(t *testing.T) {
	for _, tc := range []struct{ x, want float64 }{{1000, 1}, {-1000, 0}, {0, 0.5}, {2, 1 / (1 + math.Exp(-2))}, {-2, 1 / (1 + math.Exp(2))}} {
		if got := sigmoidAt(tc.x); !(math.Abs(got-tc.want) <= 1e-15) {
			t.Errorf("sigmoidAt(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

// The learned likelihood's gradients scale with the upstream gradient (a
// cost of 0.37·loglik, not loglik itself, which cannot tell g·x from x/g).
func TestLearnedLogLikScaledGradient(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{6, 1}, normals(3, 0, 1))
	pred := input(g, "pred", []int{6, 1}, normals(4, 0, 1))
	sigma := input(g, "sigma", []int{1}, func(int) float64 { return 0.8 })
	ll, err := LearnedGaussianLogLik(y, pred, sigma)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Mul(ll, G.NewConstant(0.37))
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, cost, G.Nodes{pred, sigma}, 1e-5)
}

// The heteroscedastic likelihood's gradients (means and raw scales) scale
// with the upstream gradient: a cost of 0.37·loglik.
func TestHeteroLogLikScaledGradient(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{4, 2}, normals(5, 0, 1.5))
	out := input(g, "out", []int{4, 4}, normals(6, 0, 1))
	ll, err := HeteroGaussianLogLik(y, out, HeteroScale{Min: 0.05, Shift: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Mul(ll, G.NewConstant(0.37))
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, cost, G.Nodes{out}, 1e-5)
}

// The learned likelihoods keep their float64 scratch (input copies and
// gradient) from run to run at the same sizes, and grow it when the sizes
// grow (the ops run every training step).
func TestLossScratchReused(t *testing.T) {
	vec := func(vs ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(vs)), tensor.WithBacking(vs))
	}
	dst := floatsOf(nil, []*tensor.Dense{vec(1, 2, 3), vec(4, 5)})
	p0, p1 := &dst[0][0], &dst[1][0]
	dst = floatsOf(dst, []*tensor.Dense{vec(6, 7, 8), vec(9, 10)})
	if &dst[0][0] != p0 || &dst[1][0] != p1 {
		t.Error("floatsOf reallocated its copies at the same sizes")
	}
	dst = floatsOf(dst, []*tensor.Dense{vec(1, 2, 3, 4), vec(5)})
	if len(dst[0]) != 4 || dst[0][3] != 4 || len(dst[1]) != 1 || dst[1][0] != 5 {
		t.Errorf("floatsOf after a resize: %v", dst)
	}

	op := &lossGradOp{opBase: opBase{"scratch"}, k: learnedLL{}, dims: []int{1, 1, 1}, which: 1}
	grad := func(y, p []float64) []float64 {
		out, err := op.Do(vec(y...), vec(p...), vec(0.5), G.NewF64(1))
		if err != nil {
			t.Fatal(err)
		}
		return out.Data().([]float64)
	}
	grad([]float64{1, 2}, []float64{0, 0})
	tmp := &op.tmp[0]
	if g := grad([]float64{1, 2}, []float64{1, 1}); &op.tmp[0] != tmp || g[0] != 0 || g[1] != 4 {
		t.Errorf("second run: gradient %v, scratch reused %v", g, &op.tmp[0] == tmp)
	}
	if g := grad([]float64{1, 2, 3}, []float64{0, 0, 0}); len(g) != 3 || g[2] != 12 {
		t.Errorf("longer input: gradient %v, want [4 8 12]", g)
	}
}

// A loss gradient op called with the wrong number of inputs says how many
// it wants (the inputs plus the upstream gradient).
func TestLossGradArity(t *testing.T) {
	op := &lossGradOp{opBase: opBase{"arity"}, k: learnedLL{}, dims: []int{1, 1, 1}, which: 1}
	v := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	_, err := op.Do(v, v, v)
	if err == nil || !strings.Contains(err.Error(), "want 4 inputs, got 3") {
		t.Errorf("3 inputs: err %v, want \"want 4 inputs, got 3\"", err)
	}
}
