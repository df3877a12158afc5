package nodes

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
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
