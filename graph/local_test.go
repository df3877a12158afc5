package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
)

// Local reparameterisation: the negative ELBO's gradient against finite
// differences (fused and stock ops, each likelihood, with a KL weight
// input), and fused and stock graphs agree.
func TestLocalReparamGradient(t *testing.T) {
	for _, lik := range []Likelihood{LikFixed{}, LikLearned{}, LikHetero{}} {
		for _, stock := range []bool{false, true} {
			c := Config{Layers: 3, Hidden: 4, Estimator: LocalReparam, KL: KLClosed, Likelihood: lik, LikelihoodSigma: 0.5, StockOps: stock, KLWeightInput: lik == LikLearned{}}
			fdCheck(t, smallNet(t, c, 11, 8))
		}
	}
}

func TestLocalReparamFusedMatchesStock(t *testing.T) {
	c := Config{Layers: 3, Hidden: 5, Estimator: LocalReparam, KL: KLClosed}
	var losses [2]float64
	for k, stock := range []bool{false, true} {
		c.StockOps = stock
		n := smallNet(t, c, 9, 3) // same seed: same parameters, data and eps
		var loss G.Value
		G.Read(n.Loss, &loss)
		vm := G.NewTapeMachine(n.Graph)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		losses[k], _ = Scalar(loss)
		vm.Close()
	}
	if !(math.Abs(losses[0]-losses[1]) <= 1e-10*math.Abs(losses[0])) {
		t.Errorf("fused %v, stock %v", losses[0], losses[1])
	}
}

// A one-layer network's output is x·W + b; by local reparameterisation its
// per-input mean and variance over eps are x·μW + μb and (x⊙x)·σW² + σb²,
// exactly those of weight sampling.
func TestLocalReparamMoments(t *testing.T) {
	n := smallNet(t, Config{Layers: 1, Estimator: LocalReparam, KL: KLClosed}, 3, 4)
	x, _ := Values(n.X)
	wmu, _ := Values(n.Layers[0].WMu)
	wrho, _ := Values(n.Layers[0].WRho)
	bmu, _ := Values(n.Layers[0].BMu)
	brho, _ := Values(n.Layers[0].BRho)
	sp := func(r float64) float64 { return math.Log1p(math.Exp(r)) }
	var out G.Value
	G.Read(n.Output, &out)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	rng := rand.New(rand.NewPCG(9, 9))
	const draws = 4000
	sum, sq := make([]float64, 3), make([]float64, 3)
	for d := 0; d < draws; d++ {
		if err := n.FillEps(rng); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		o, _ := ValueFloats(out)
		for i := range o {
			sum[i] += o[i]
			sq[i] += o[i] * o[i]
		}
		vm.Reset()
	}
	for i := range sum {
		mean, v := x[i]*wmu[0]+bmu[0], x[i]*x[i]*sp(wrho[0])*sp(wrho[0])+sp(brho[0])*sp(brho[0])
		m := sum[i] / draws
		ev := sq[i]/draws - m*m
		if math.Abs(m-mean) > 4*math.Sqrt(v/draws) || math.Abs(ev-v) > 4*v*math.Sqrt(2.0/draws) {
			t.Errorf("input %d: mean %v var %v, want %v and %v", i, m, ev, mean, v)
		}
	}
	if _, err := New(Config{Estimator: LocalReparam}, 3); err == nil || !strings.Contains(err.Error(), "kl closed") {
		t.Errorf("local reparameterisation with MC KL: error %v, want one naming kl closed", err)
	}
	// The resident graph builds it too (TestResidentMatchesHostGraph checks
	// that it computes the same).
	if _, err := New(Config{Estimator: LocalReparam, KL: KLClosed, Resident: true}, 3); err != nil {
		t.Errorf("local reparameterisation on the resident graph: %v", err)
	}
}
