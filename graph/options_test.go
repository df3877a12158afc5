package graph

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/nodes"
)

var paperMixture = nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)}

// fdCheck compares d Loss / d every learnable of n (epsilon fixed) with a
// central finite difference, at float64.
func fdCheck(t *testing.T, n *Network) {
	t.Helper()
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
	for i, p := range n.Learnables() {
		x := p.Value().Data().([]float64)
		x0 := append([]float64(nil), x...)
		num := fd.Gradient(nil, func(v []float64) float64 { copy(x, v); return eval() }, x0,
			&fd.Settings{Formula: fd.Central, Step: 1e-6})
		copy(x, x0)
		for j := range num {
			if d := math.Abs(num[j] - analytic[i][j]); d > 1e-5*(1+math.Abs(num[j])) {
				t.Errorf("d loss / d %s[%d]: graph %.9g, finite difference %.9g", p.Name(), j, analytic[i][j], num[j])
			}
		}
	}
}

// Every prior × KL × likelihood combination the options allow: the whole
// negative ELBO's gradient (noise_rho included) against finite differences.
func TestOptionsLossGradient(t *testing.T) {
	models := []struct {
		name string
		cfg  Config
	}{
		{"normal-mc", Config{}},
		{"normal-closed", Config{KL: KLClosed, Prior: nodes.Normal{Mu: 0.1, Sigma: 0.7}}},
		{"mixture-mc", Config{Prior: paperMixture}},
		{"mixture-mc-nbatch", Config{Prior: nodes.ScaleMixture{Pi: 0.3, Sigma1: 1.5, Sigma2: 0.05}, NBatch: 3}},
		{"normal-closed-stock", Config{KL: KLClosed, StockOps: true}},
	}
	for _, m := range models {
		for _, lik := range []Likelihood{LikFixed{}, LikLearned{}, LikHetero{}} {
			t.Run(m.name+"-"+lik.String(), func(t *testing.T) {
				c := m.cfg
				c.Layers, c.Hidden, c.LikelihoodSigma, c.Likelihood = 3, 4, 0.5, lik
				if lik == (LikHetero{}) {
					c.Outputs = 2
				}
				n := smallNet(t, c, 13, 5)
				if lik == (LikLearned{}) && n.Learnables()[len(n.Learnables())-1] != n.NoiseRho {
					t.Fatal("noise_rho is not the last learnable")
				}
				fdCheck(t, n)
			})
		}
	}
}

// With KLClosed the KL node is the closed form of every layer's weights and
// biases, whatever epsilon is.
func TestClosedKLNode(t *testing.T) {
	n := smallNet(t, Config{Layers: 2, Hidden: 3, KL: KLClosed, Prior: nodes.Normal{Sigma: 0.8}}, 7, 2)
	var kl G.Value
	G.Read(n.KL, &kl)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, _ := Scalar(kl)
	var want float64
	for _, l := range n.Layers {
		for _, pair := range [][2]*G.Node{{l.WMu, l.WRho}, {l.BMu, l.BRho}} {
			mu, _ := Values(pair[0])
			rho, _ := Values(pair[1])
			for j := range mu {
				s := math.Log1p(math.Exp(rho[j]))
				want += math.Log(0.8/s) + (s*s+mu[j]*mu[j])/(2*0.64) - 0.5
			}
		}
	}
	if !(math.Abs(got-want) <= 1e-9*math.Abs(want)) {
		t.Errorf("closed KL %v, want %v", got, want)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Prior: paperMixture, KL: KLClosed}, "kl closed"},
		{Config{Prior: nodes.ScaleMixture{Pi: 1, Sigma1: 1, Sigma2: 1}}, "ScaleMixture"},
		{Config{Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: math.NaN(), Sigma2: 1}}, "ScaleMixture"},
		{Config{KL: 7}, "kl"},
		{Config{Resident: true, Prior: paperMixture, KL: KLClosed}, "kl closed"},
		{Config{Likelihood: (*LikFixed)(nil)}, "graph: likelihood *graph.LikFixed: a nil value"},
		{Config{Likelihood: LikHetero{}, MinSigma: -1}, "min sigma"},
	} {
		err := tc.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line naming %q", tc.cfg, err, tc.want)
		}
	}
	// The resident graph takes both priors nodes.KLTerm computes, the
	// closed-form KL and local reparameterisation with the Normal, and the
	// KL weight input (minibatches: a scalar of its store).
	for _, c := range []Config{
		{Resident: true, KLWeightInput: true},
		{Resident: true}, {Resident: true, Prior: nodes.Normal{Mu: 0.1, Sigma: 0.8}}, {Resident: true, Prior: paperMixture},
		{Resident: true, KL: KLClosed}, {Resident: true, KL: KLClosed, Estimator: LocalReparam},
	} {
		if err := c.WithDefaults().Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, s := range []string{"mc", "closed"} {
		k, err := ParseKLEstimate(s)
		if err != nil || k.String() != s {
			t.Errorf("ParseKLEstimate(%q) = %v, %v", s, k, err)
		}
	}
	for _, s := range []string{"fixed", "learned", "hetero"} {
		l, err := ParseLikelihood(s)
		if err != nil || l.String() != s {
			t.Errorf("ParseLikelihood(%q) = %v, %v", s, l, err)
		}
	}
	if _, err := ParseLikelihood("student"); err == nil {
		t.Error("ParseLikelihood(student): want an error")
	}
	if _, err := ParseKLEstimate("exact"); err == nil {
		t.Error("ParseKLEstimate(exact): want an error")
	}
}

// A learned scale starts at LikelihoodSigma, and forward networks carry it
// (CopyParams) so predictive sampling can read it.
func TestLearnedNoiseInitAndCopy(t *testing.T) {
	n := smallNet(t, Config{Layers: 2, Hidden: 3, Likelihood: LikLearned{}, LikelihoodSigma: 0.4}, 5, 1)
	z, err := n.Noise()
	if err != nil || math.Abs(z.Sigma-0.4) > 1e-12 {
		t.Fatalf("initial noise %+v, %v: want sigma 0.4", z, err)
	}
	if err := SetValues(n.NoiseRho, []float64{1}); err != nil {
		t.Fatal(err)
	}
	f, err := NewForward(n.Config, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CopyParams(n); err != nil {
		t.Fatal(err)
	}
	z, _ = f.Noise()
	if want := math.Log1p(math.E); !(math.Abs(z.Sigma-want) <= 1e-12) {
		t.Errorf("copied noise sigma %v, want %v", z.Sigma, want)
	}
	h, err := NewForward(Config{Layers: 2, Likelihood: LikHetero{}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if s := h.Output.Shape(); s[0] != 4 || s[1] != 2 {
		t.Errorf("hetero output shape %v, want (4, 2)", s)
	}
}

// With KLWeightInput the loss is NLL + w·KL for the w set, and its
// gradient still checks.
func TestKLWeightInput(t *testing.T) {
	n := smallNet(t, Config{Layers: 2, Hidden: 3, KLWeightInput: true, NBatch: 4, Prior: paperMixture}, 9, 6)
	var loss, nll, kl G.Value
	G.Read(n.Loss, &loss)
	G.Read(n.NLL, &nll)
	G.Read(n.KL, &kl)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	for _, w := range []float64{0.25, 0.7, 1e-3} { // 0.25: the starting 1/NBatch
		if w != 0.25 {
			if err := n.SetKLWeight(w); err != nil {
				t.Fatal(err)
			}
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		l, _ := Scalar(loss)
		nl, _ := Scalar(nll)
		k, _ := Scalar(kl)
		if !(math.Abs(l-(nl+w*k)) <= 1e-9*math.Abs(l)) {
			t.Errorf("w %v: loss %v != NLL %v + w·KL %v", w, l, nl, k)
		}
		vm.Reset()
	}
	fdCheck(t, smallNet(t, Config{Layers: 2, Hidden: 3, KLWeightInput: true, Likelihood: LikLearned{}}, 9, 6))
	if err := smallNet(t, Config{Layers: 1}, 3, 1).SetKLWeight(1); err == nil {
		t.Error("SetKLWeight without KLWeightInput: want an error")
	}
}
