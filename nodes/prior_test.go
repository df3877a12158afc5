package nodes

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	G "gorgonia.org/gorgonia"
)

var mixtures = []ScaleMixture{
	{0.5, 1, math.Exp(-6)}, // the paper's and --prior mixture's defaults
	{0.25, 1.5, 0.1},
	{0.75, 0.3, math.Exp(-8)},
}

// mixtureOracle is log(pi·N(w|0,s1²) + (1-pi)·N(w|0,s2²)) from distuv's
// densities (fine where they do not underflow).
func mixtureOracle(p ScaleMixture, w float64) float64 {
	return math.Log(p.Pi*distuv.Normal{Sigma: p.Sigma1}.Prob(w) + (1-p.Pi)*distuv.Normal{Sigma: p.Sigma2}.Prob(w))
}

func TestScaleMixtureMatchesDistuv(t *testing.T) {
	for _, p := range mixtures {
		g := G.NewGraph()
		// Points on the scale of both components.
		z := input(g, "z", []int{12}, func(i int) float64 {
			if i%2 == 0 {
				return normals(uint64(i+1), 0, p.Sigma1)(0)
			}
			return normals(uint64(i+1), 0, 2*p.Sigma2)(0)
		})
		lp, err := p.LogProb(z)
		if err != nil {
			t.Fatal(err)
		}
		got := run(t, g, lp)
		for i, zi := range z.Value().Data().([]float64) {
			if want := mixtureOracle(p, zi); !within(got[i], want, oracleTol) {
				t.Errorf("%v: log p(%v) = %v, want %v", p, zi, got[i], want)
			}
		}
	}
}

// Far from zero the narrow component's density underflows (log(pdf1+pdf2)
// is -Inf at s2 = exp(-8) for |w| beyond ~0.01 once pdf1 underflows too);
// the log-sum-exp stays finite and equals the wide component's log-density.
func TestScaleMixtureFiniteFarOut(t *testing.T) {
	p := ScaleMixture{0.5, 1, math.Exp(-8)}
	for _, w := range []float64{0, 1e-4, 0.01, 1, 40, -40, 1e3, -1e5} {
		lp, d := p.LogProbAt(w), p.dLogProbAt(w)
		if math.IsNaN(lp) || math.IsInf(lp, 0) || math.IsNaN(d) || math.IsInf(d, 0) {
			t.Errorf("w = %v: log p %v, d/dw %v: want finite", w, lp, d)
		}
		if math.Abs(w) >= 1 {
			want := math.Log(p.Pi) + distuv.Normal{Sigma: p.Sigma1}.LogProb(w)
			if !within(lp, want, 1e-12) {
				t.Errorf("w = %v: log p %v, want the wide component's %v", w, lp, want)
			}
		}
	}
	// The node too, in float32 and float64.
	g := G.NewGraph()
	z := input(g, "z", []int{4}, func(i int) float64 { return []float64{1e3, -50, 0, 3e-4}[i] })
	lp, err := p.LogProb(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range run(t, g, lp) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("node value %v: want finite", v)
		}
	}
}

func TestScaleMixtureGradient(t *testing.T) {
	for _, p := range mixtures {
		g := G.NewGraph()
		z := input(g, "z", []int{3, 4}, func(i int) float64 {
			if i%3 == 0 {
				return normals(uint64(i+9), 0, 3*p.Sigma2)(0)
			}
			return normals(uint64(i+9), 0, p.Sigma1)(0)
		})
		lp, err := p.LogProb(z)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Sum(lp)
		if err != nil {
			t.Fatal(err)
		}
		checkGradient(t, g, cost, G.Nodes{z}, 1e-5)
	}
}

func TestParsePriorRoundTrip(t *testing.T) {
	for _, p := range []Prior{Normal{0, 1}, Normal{0.5, 0.25}, ScaleMixture{0.5, 1, math.Exp(-6)}, mixtures[2]} {
		q, err := ParsePrior(p.String())
		if err != nil || q != p {
			t.Errorf("ParsePrior(%q) = %v, %v; want %v", p.String(), q, err, p)
		}
	}
	for _, s := range []string{"", "normal", "normal:0", "normal:0,-1", "mixture:0,1,1", "mixture:1,1,1", "mixture:0.5,1,NaN", "mixture:0.5,Inf,1", "cauchy:0,1", "mixture:0.5,x,1"} {
		if _, err := ParsePrior(s); err == nil {
			t.Errorf("ParsePrior(%q): want an error", s)
		}
	}
}

// KLNormal is the closed form (the one TestKLEstimatorMeanIsClosedForm
// checks the Monte-Carlo estimator's mean against, within 4 standard errors).
func TestKLNormalIsClosedForm(t *testing.T) {
	for _, p := range []Normal{{0, 1}, {0.5, 0.4}} {
		g := G.NewGraph()
		mu := input(g, "mu", []int{4, 3}, normals(11, 0.2, 0.6))
		rho := input(g, "rho", []int{4, 3}, normals(12, -1, 0.8))
		sigma, err := Softplus(rho)
		if err != nil {
			t.Fatal(err)
		}
		kl, err := p.KLNormal(mu, sigma)
		if err != nil {
			t.Fatal(err)
		}
		got := run(t, g, kl)[0]
		muV, sV := mu.Value().Data().([]float64), make([]float64, 12)
		for i, r := range rho.Value().Data().([]float64) {
			sV[i] = math.Log1p(math.Exp(r))
		}
		if want := closedFormKL(muV, sV, p); !within(got, want, 1e-12) {
			t.Errorf("%v: KL %v, want %v", p, got, want)
		}
		checkGradient(t, g, kl, G.Nodes{mu, rho}, 1e-5)
	}
}

// The gradient of KLNormal scales with the upstream gradient element by
// element (a sum of the terms weighted by w, not w = 1, which cannot tell
// g·x from x/g).
func TestKLNormalGradientWeighted(t *testing.T) {
	p := Normal{Mu: 0.3, Sigma: 0.7}
	g := G.NewGraph()
	mu := input(g, "mu", []int{4, 3}, normals(21, 0.2, 0.6))
	rho := input(g, "rho", []int{4, 3}, normals(22, -1, 0.8))
	w := input(g, "w", []int{4, 3}, normals(23, 0.5, 2))
	sigma, err := Softplus(rho)
	if err != nil {
		t.Fatal(err)
	}
	kl, err := p.KLNormal(mu, sigma)
	if err != nil {
		t.Fatal(err)
	}
	weighted, err := G.HadamardProd(kl, w)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(weighted)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, cost, G.Nodes{mu, rho}, 1e-5)
}

// Priors print every digit of their parameters (one spelling for flags,
// DOT labels and summary.json), and a mixture refuses a zero scale, each
// on its own.
func TestPriorStringAndZeroScales(t *testing.T) {
	for _, c := range []struct {
		p    Prior
		want string
	}{
		{Normal{-0.125, 1.75}, "normal:-0.125,1.75"},
		{ScaleMixture{0.25, 1.5, 0.0025}, "mixture:0.25,1.5,0.0025"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.p, got, c.want)
		}
	}
	for _, p := range []ScaleMixture{{0.5, 0, 1}, {0.5, 1, 0}, {0, 1, 1}, {1, 1, 1}} {
		if p.Validate() == nil {
			t.Errorf("%+v.Validate(): want an error", p)
		}
	}
}

// logAddExp at the infinities: a mixture's density at w = ±Inf is 0
// (log -Inf, not NaN from -Inf - -Inf), and one -Inf term drops out.
func TestLogAddExpInfinities(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct{ a, b, want float64 }{
		{-inf, -inf, -inf}, {-inf, 0.5, 0.5}, {0.5, -inf, 0.5}, {1, 2, math.Log(math.E + math.E*math.E)},
	} {
		if got := logAddExp(c.a, c.b); !(got == c.want || math.Abs(got-c.want) <= 1e-15) {
			t.Errorf("logAddExp(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	p := ScaleMixture{0.5, 1, math.Exp(-6)}
	for _, w := range []float64{inf, -inf} {
		if got := p.LogProbAt(w); !math.IsInf(got, -1) {
			t.Errorf("%v.LogProbAt(%v) = %v, want -Inf", p, w, got)
		}
	}
}

// The mixture's gradient scales with the upstream gradient element by
// element: a cost of Σ w ⊙ log p(z), not Σ log p(z), which cannot tell
// g·x from x/g.
func TestScaleMixtureGradientWeighted(t *testing.T) {
	p := mixtures[0]
	g := G.NewGraph()
	z := input(g, "z", []int{3, 4}, normals(31, 0, p.Sigma1))
	w := input(g, "w", []int{3, 4}, normals(32, 0.5, 2))
	lp, err := p.LogProb(z)
	if err != nil {
		t.Fatal(err)
	}
	wl, err := G.HadamardProd(lp, w)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(wl)
	if err != nil {
		t.Fatal(err)
	}
	checkGradient(t, g, cost, G.Nodes{z}, 1e-5)
}

// The host forms of the Normal prior: LogProbAt against gonum's density
// and against LogProb's node, KLNormalAt against KLNormal's node (one
// weight at a time), off zero and off unit scale.
func TestNormalHostForms(t *testing.T) {
	for _, p := range []Normal{{0, 1}, {0.3, 0.5}, {-1.2, 2.5}} {
		ws := []float64{-3, -0.4, 0, 0.25, 1.7, 6}
		g := G.NewGraph()
		z := input(g, "z", []int{len(ws)}, func(i int) float64 { return ws[i] })
		lp, err := p.LogProb(z)
		if err != nil {
			t.Fatal(err)
		}
		node := run(t, g, lp)
		for i, w := range ws {
			got, want := p.LogProbAt(w), distuv.Normal{Mu: p.Mu, Sigma: p.Sigma}.LogProb(w)
			if !within(got, want, oracleTol) || !within(got, node[i], oracleTol) {
				t.Errorf("%v: LogProbAt(%v) = %v, want %v (node %v)", p, w, got, want, node[i])
			}
		}
		for _, q := range [][2]float64{{0, 1}, {0.3, 0.2}, {-2, 3}, {1.1, 0.05}} {
			g := G.NewGraph()
			mu := input(g, "mu", []int{1}, func(int) float64 { return q[0] })
			s := input(g, "s", []int{1}, func(int) float64 { return q[1] })
			kl, err := p.KLNormal(mu, s)
			if err != nil {
				t.Fatal(err)
			}
			want := run(t, g, kl)[0]
			if got := p.KLNormalAt(q[0], q[1]); !within(got, want, oracleTol) {
				t.Errorf("%v: KLNormalAt(%v, %v) = %v, KLNormal %v", p, q[0], q[1], got, want)
			}
		}
	}
	// Both implement the interfaces graph and train read the prior through.
	var _ Prior = Normal{}
	var _ Prior = ScaleMixture{}
	var _ ClosedKLAt = Normal{}
}
