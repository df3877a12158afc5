package train

import (
	"math/rand/v2"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
)

// Uncertainty in two parts. Each pass s of the predictive gives a mean
// mu_s(x) and a noise scale sigma_s(x) (the likelihood's: fixed, learned
// or per input). The epistemic band is the spread of mu_s over passes
// (Bands.Q05, Q95); the total band holds predictive draws y_s = mu_s +
// sigma_s·z_s, one standard-normal z_s per pass (Bands.TotalQ05, TotalQ95).
// Scores use the predictive mixture p(y|x) = (1/S) Σ_s N(y | mu_s, sigma_s²)
// itself, not a band: its CDF at the target (the PIT) and its log-density.

// totalNoiseKey keys the noise draws of the total band: input i of a
// predictive with seed s draws from PCG(s ^ totalNoiseKey, i), a stream
// apart from the (seed, small stream) ones of streams.go.
const totalNoiseKey = 0x746f74616c6e6f69 // "totalnoi"

// totalScratch holds one input's passes while it is summarised.
type totalScratch struct {
	mu, sigma, draws []float64
	src              *rand.PCG
	rng              *rand.Rand
	seed             uint64
}

func newTotalScratch(samples int, seed uint64) *totalScratch {
	src := rand.NewPCG(0, 0)
	return &totalScratch{mu: make([]float64, samples), sigma: make([]float64, samples),
		draws: make([]float64, samples), src: src, rng: rand.New(src), seed: seed}
}

// load reads input i's mean and scale of every pass from the trace.
func (t *totalScratch) load(trace []float32, samples, n, i int, noise graph.Noise) {
	wd := noise.Width()
	for s := 0; s < samples; s++ {
		row := trace[(s*n+i)*wd : (s*n+i+1)*wd]
		t.mu[s], t.sigma[s] = float64(row[0]), noise.Scale(row)
	}
}

// summarise writes the total band of input i (global index gi) into b and,
// with y, its PIT and log-density.
func (t *totalScratch) summarise(b Bands, i, gi int, y []float64) {
	t.src.Seed(t.seed^totalNoiseKey, uint64(gi))
	for s := range t.draws {
		t.draws[s] = t.mu[s] + t.sigma[s]*t.rng.NormFloat64()
	}
	b.TotalQ05[i] = metrics.SelectQuantile(t.draws, 0.05)
	b.TotalQ95[i] = metrics.SelectQuantile(t.draws, 0.95)
	if y != nil {
		b.PIT[i], b.LogDensity[i] = metrics.MixturePIT(t.mu, t.sigma, y[i]), metrics.MixtureLogDensityScratch(t.mu, t.sigma, y[i], t.draws)
	}
}
