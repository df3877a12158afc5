package nodes

import (
	"testing"

	G "gorgonia.org/gorgonia"
)

// Each building block's symbolic gradient against a central finite
// difference at float64. The cost is a weighted sum so that every output
// element gets a distinct upstream gradient.

const gradTol = 1e-6

// weightedSum returns sum(c ⊙ n) with fixed pseudo-random weights c.
func weightedSum(t *testing.T, g *G.ExprGraph, n *G.Node) *G.Node {
	t.Helper()
	c := input(g, "c_"+n.Name(), n.Shape(), normals(99, 0, 1))
	p, err := G.HadamardProd(n, c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := G.Sum(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGradientSoftplusReparamKL(t *testing.T) {
	g := G.NewGraph()
	shape := []int{3, 4}
	mu := input(g, "mu", shape, normals(1, 0, 0.5))
	rho := input(g, "rho", shape, normals(2, -1, 0.5))
	eps := input(g, "eps", shape, normals(3, 0, 1))
	sigma, err := Softplus(rho)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Reparameterize(mu, sigma, eps)
	if err != nil {
		t.Fatal(err)
	}
	kl, err := KL(w, mu, sigma, Normal{0, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, kl, G.Nodes{mu, rho}, gradTol)
}

func TestGradientNormalLogProb(t *testing.T) {
	g := G.NewGraph()
	shape := []int{5}
	z := input(g, "z", shape, normals(4, 0, 1))
	mu := input(g, "mu", shape, normals(5, 0, 1))
	sigma := input(g, "sigma", shape, func(i int) float64 { return 0.5 + 0.2*float64(i) })
	lp, err := NormalLogProb(z, mu, sigma)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, weightedSum(t, g, lp), G.Nodes{z, mu, sigma}, gradTol)
}

func TestGradientGaussianLogLik(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{8, 1}, normals(6, 0, 1))
	pred := input(g, "pred", []int{8, 1}, normals(7, 0, 1))
	ll, err := GaussianLogLik(y, pred, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, ll, G.Nodes{pred}, gradTol)
}

func TestGradientLinearReLU(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", []int{9, 3}, normals(8, 0, 1))
	w := input(g, "w", []int{3, 4}, normals(9, 0, 1))
	b := input(g, "b", []int{4}, normals(10, 0, 1))
	lin, err := Linear(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReLU(lin)
	if err != nil {
		t.Fatal(err)
	}
	// x, w and b are all learnable here: Linear's three gradient ops are
	// checked, and ReLU's mask (no pre-activation lands within 1e-6 of 0).
	checkGradient(t, g, weightedSum(t, g, r), G.Nodes{x, w, b}, gradTol)
}

func TestGradientFusedLinearReLU(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", []int{9, 3}, normals(11, 0, 1))
	w := input(g, "w", []int{3, 4}, normals(12, 0, 1))
	b := input(g, "b", []int{4}, normals(13, 0, 1))
	r, err := LinearReLU(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, weightedSum(t, g, r), G.Nodes{x, w, b}, gradTol)
}

// The fused op computes exactly ReLU(Linear(·)).
func TestFusedLinearReLUMatchesComposition(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", []int{13, 5}, normals(14, 0, 1))
	w := input(g, "w", []int{5, 6}, normals(15, 0, 1))
	b := input(g, "b", []int{6}, normals(16, 0, 1))
	fused, err := LinearReLU(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := Linear(x, w, b)
	if err != nil {
		t.Fatal(err)
	}
	comp, err := ReLU(lin)
	if err != nil {
		t.Fatal(err)
	}
	var fv G.Value
	G.Read(fused, &fv)
	got := run(t, g, comp)
	for i, v := range fv.Data().([]float64) {
		if v != got[i] {
			t.Fatalf("[%d] fused %v, composed %v", i, v, got[i])
		}
	}
}
