package graph

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// TestResidentOptionCombinations: each option the resident graph takes was
// matched against the host graph alone; here every combination of them is:
// prior (normal, mixture) x KL (Monte Carlo, closed form where the prior has
// one) x estimator (weight sampling, local reparameterisation where the KL
// is closed) x likelihood (fixed, learned, heteroscedastic, categorical).
// The loss and every gradient equal the host graph's with the same
// parameters and epsilon, in float64 and float32.
func TestResidentOptionCombinations(t *testing.T) {
	priors := []struct {
		name  string
		prior nodes.Prior
	}{{"normal", nodes.Normal{Mu: 0.1, Sigma: 0.8}}, {"mixture", paperMixture}}
	liks := []struct {
		name string
		cfg  Config
	}{
		{"fixed", Config{LikelihoodSigma: 0.3}},
		{"learned", Config{Likelihood: LikLearned{}, LikelihoodSigma: 0.4}},
		{"hetero", Config{Likelihood: LikHetero{}, Outputs: 2, MinSigma: 0.01}},
		{"categorical", Config{Task: Classification, Classes: 3, Inputs: 2}},
	}
	n := 0
	for _, p := range priors {
		for _, kl := range []KLEstimate{KLSample, KLClosed} {
			if _, ok := p.prior.(nodes.ClosedKL); kl == KLClosed && !ok {
				continue
			}
			for _, est := range []Estimator{Reparam, LocalReparam} {
				if est == LocalReparam && kl != KLClosed {
					continue
				}
				for _, l := range liks {
					cfg := l.cfg
					cfg.Layers, cfg.Hidden, cfg.NBatch = 3, 5, 2
					cfg.Prior, cfg.KL, cfg.Estimator = p.prior, kl, est
					for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
						what := fmt.Sprintf("%s prior, kl %v, estimator %v, %s likelihood, %v", p.name, kl, est, l.name, dt)
						res, host := likPair(t, cfg, dt, 19, 3)
						lr, gr := lossAndGrads(t, res)
						lh, gh := lossAndGrads(t, host)
						tol := residentTol(dt)
						if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
							t.Errorf("%s: loss resident %v, host %v", what, lr, lh)
						}
						compareGrads(t, what, host.Learnables(), gr, gh, tol)
						n++
					}
				}
			}
		}
	}
	if n != 32 {
		t.Fatalf("%d combinations run, want 32", n)
	}
}
