package bandit

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// The BBB agent on the resident graph (Config.Resident, the CUDA build's
// graph, here its ops' Go code) learns what the host graph learns from the
// same epsilons: the host learner drawing its epsilons as the resident
// Noise nodes do (FillEpsAt at the store's seed and the update's step),
// the same interactions and minibatch rows, and every parameter after 30
// steps of 2 updates agrees, the rhos at their own rate included. For each
// prior and likelihood.
func TestResidentMatchesHost(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		prior PriorKind
		lik   graph.Likelihood
	}{
		{"mixture, fixed", PriorMixture, nil},
		{"normal, fixed", PriorNormal, nil},
		{"mixture, learned", PriorMixture, graph.LikLearned{}},
		{"normal, hetero", PriorNormal, graph.LikHetero{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A wide posterior (rho -3) so that epsilon matters, and rates
			// whose steps are visible after 60 updates.
			c := Config{Agents: []Agent{{Name: "bbb", Thompson: true}}, Seed: 7, Hidden: 12, Batch: 16, Updates: 2,
				LR: 1e-2, RhoLR: 2e-3, InitRho: -3, PriorKind: tc.prior, Likelihood: tc.lik,
				Mixture: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.3}}.WithDefaults()
			host, err := newLearner(c, d, c.Agents[0], 0)
			if err != nil {
				t.Fatal(err)
			}
			defer host.close()
			c.Resident = true
			res, err := newLearner(c, d, c.Agents[0], 0)
			if err != nil {
				t.Fatal(err)
			}
			defer res.close()
			if res.net.Store == nil || host.net.Store != nil {
				t.Fatal("want one resident and one host network")
			}
			seed := res.net.Store.Seed
			host.fillEps = func() error { return host.net.FillEpsAt(seed, uint64(host.updates+1)) }
			for i := range 30 {
				m, eats := int32(i*271%d.Len()), i%3 != 0
				reward := 0.0
				if eats {
					reward = 5 - 40*float64(i%2)
				}
				for _, l := range []*learner{host, res} {
					if err := l.learn(context.Background(), m, eats, reward); err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(host.params) != len(res.params) {
				t.Fatalf("%d host parameters, %d resident", len(host.params), len(res.params))
			}
			for i := range host.params {
				h, r := f32(host.params[i]), f32(res.params[i])
				name := res.net.Learnables()[i].Name()
				moved, diff := 0.0, 0.0
				for j := range h {
					diff = math.Max(diff, math.Abs(float64(h[j]-r[j])))
				}
				for j := range h {
					moved = math.Max(moved, math.Abs(float64(h[j])))
				}
				// Two builds of the same float32 sums (fused ops against
				// Gorgonia's): a thousandth of the rate's step.
				if diff > 1e-5 {
					t.Errorf("%s: host and resident differ by %.3g (largest |value| %.3g)", name, diff, moved)
				}
			}
			if s := fmt.Sprint(host.meanSigma()); s != fmt.Sprint(res.meanSigma()) && math.Abs(host.meanSigma()-res.meanSigma()) > 1e-6 {
				t.Errorf("mean sigma: host %v, resident %v", host.meanSigma(), res.meanSigma())
			}
		})
	}
}

// A run with the BBB agent on the resident graph is seeded as the host
// graph's: the same seed twice gives the same regrets, and the twins,
// host graphs still, the host run's exactly; the BBB agent's own draws
// differ from the host graph's (Philox epsilons), and it learns (it pays
// less than a coin-flip policy, about 4.9 a step).
func TestResidentRun(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	run := func(resident bool) *Result {
		c := small(600, 4)
		c.Resident = resident
		r, err := Run(context.Background(), d, c)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, host := run(true), run(true), run(false)
	for i := range a.Agents {
		if !slices.Equal(a.Regret[i], b.Regret[i]) {
			t.Errorf("%s: the resident run twice gave %v and %v", a.Agents[i].Name, a.Regret[i], b.Regret[i])
		}
		if a.Agents[i].variational() == slices.Equal(a.Regret[i], host.Regret[i]) {
			t.Errorf("%s: resident %v, host %v: want the twins' the same and BBB's not", a.Agents[i].Name, a.Regret[i], host.Regret[i])
		}
	}
	if final := a.Regret[0][len(a.Regret[0])-1]; !(final < 0.6*4.9*600) {
		t.Errorf("BBB on the resident graph: regret %v after 600 steps, want well below a coin flip's %v", final, 4.9*600)
	}
}
