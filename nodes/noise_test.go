package nodes

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	G "gorgonia.org/gorgonia"
)

func TestSoftplusInv(t *testing.T) {
	for _, s := range []float64{1e-6, 0.1, 1, 1.5, 30} {
		if got := SoftplusAt(SoftplusInv(s)); !within(got, s, 1e-12) {
			t.Errorf("softplus(softplusInv(%v)) = %v", s, got)
		}
	}
}

func TestLearnedGaussianLogLik(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{7, 1}, normals(21, 0, 2))
	pred := input(g, "pred", []int{7, 1}, normals(22, 0, 2))
	rho := input(g, "rho", []int{1}, func(int) float64 { return 0.3 })
	sigma, err := Softplus(rho)
	if err != nil {
		t.Fatal(err)
	}
	ll, err := LearnedGaussianLogLik(y, pred, sigma)
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, g, ll)[0]
	s := SoftplusAt(0.3)
	var want float64
	ps := pred.Value().Data().([]float64)
	for i, yi := range y.Value().Data().([]float64) {
		want += distuv.Normal{Mu: ps[i], Sigma: s}.LogProb(yi)
	}
	if !within(got, want, oracleTol) {
		t.Errorf("log-likelihood %v, want %v", got, want)
	}
	checkGradient(t, g, ll, G.Nodes{pred, rho}, 1e-6)
}

func TestHeteroGaussianLogLik(t *testing.T) {
	for _, k := range []int{1, 2} {
		g := G.NewGraph()
		y := input(g, "y", []int{5, k}, normals(31, 0, 2))
		out := input(g, "out", []int{5, 2 * k}, normals(32, 0, 1.5))
		ll, err := HeteroGaussianLogLik(y, out, HeteroScale{Min: 0.01, Shift: -0.7})
		if err != nil {
			t.Fatal(err)
		}
		got := run(t, g, ll)[0]
		ys, os := y.Value().Data().([]float64), out.Value().Data().([]float64)
		var want float64
		for r := 0; r < 5; r++ {
			for j := 0; j < k; j++ {
				s := 0.01 + math.Log1p(math.Exp(os[r*2*k+k+j]-0.7))
				want += distuv.Normal{Mu: os[r*2*k+j], Sigma: s}.LogProb(ys[r*k+j])
			}
		}
		if !within(got, want, oracleTol) {
			t.Errorf("k=%d: log-likelihood %v, want %v", k, got, want)
		}
		checkGradient(t, g, ll, G.Nodes{out}, 1e-6)
	}
	g := G.NewGraph()
	y := input(g, "y", []int{5, 1}, normals(1, 0, 1))
	if _, err := HeteroGaussianLogLik(y, y, HeteroScale{}); err == nil {
		t.Error("out of width 1 for 1 target: want an error")
	}
}
