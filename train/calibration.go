package train

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/bbb-go/bbb/graph"
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
	b.TotalQ05[i] = selectQuantile(t.draws, 0.05)
	b.TotalQ95[i] = selectQuantile(t.draws, 0.95)
	if y != nil {
		b.PIT[i], b.LogDensity[i] = MixturePIT(t.mu, t.sigma, y[i]), mixtureLogDensity(t.mu, t.sigma, y[i], t.draws)
	}
}

// selectQuantile is Quantile(sorted(v), q), by selection instead of a
// sort (v is reordered): the same order statistics, in linear time.
func selectQuantile(v []float64, q float64) float64 {
	h := q * float64(len(v)-1)
	lo := int(math.Floor(h))
	a := selectK(v, lo)
	if lo >= len(v)-1 {
		return a
	}
	b := slices.Min(v[lo+1:]) // selectK left everything after lo >= a
	return a + (h-float64(lo))*(b-a)
}

// selectK reorders v so that v[k] is the k-th smallest, v[:k] <= v[k] <=
// v[k+1:] (Hoare's quickselect, median-of-three pivots), and returns v[k].
func selectK(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		// (ifs, not a switch: a case line is in no block of Go's coverage
		// profile, so gremlins could not mutate it.)
		if k <= j {
			hi = j
			continue
		}
		if k >= i {
			lo = i
			continue
		}
		return v[k]
	}
	return v[k]
}

// MixturePIT is the CDF at y of (1/S) Σ_s N(mu_s, sigma_s²).
func MixturePIT(mu, sigma []float64, y float64) float64 {
	var c float64
	for s := range mu {
		c += 0.5 * math.Erfc(-(y-mu[s])/(sigma[s]*math.Sqrt2))
	}
	return c / float64(len(mu))
}

// MixtureLogDensity is log (1/S) Σ_s N(y | mu_s, sigma_s²), by log-sum-exp.
func MixtureLogDensity(mu, sigma []float64, y float64) float64 {
	return mixtureLogDensity(mu, sigma, y, make([]float64, len(mu)))
}

// mixtureLogDensity is MixtureLogDensity with scratch space lp (len(mu)).
func mixtureLogDensity(mu, sigma []float64, y float64, lp []float64) float64 {
	same := true // one scale for every pass (fixed, learned): one log
	for _, v := range sigma {
		if v != sigma[0] {
			same = false
			break
		}
	}
	logS := math.Log(sigma[0])
	m := math.Inf(-1)
	for s := range mu {
		z := (y - mu[s]) / sigma[s]
		if !same {
			logS = math.Log(sigma[s])
		}
		lp[s] = -0.5*z*z - logS
		m = math.Max(m, lp[s])
	}
	var sum float64
	for s := range mu {
		sum += math.Exp(lp[s] - m)
	}
	return m + math.Log(sum/float64(len(mu))) - 0.5*math.Log(2*math.Pi)
}

// NLPD is the mean negative log predictive density of the targets.
func NLPD(logDensity []float64) float64 {
	var s float64
	for _, v := range logDensity {
		s -= v
	}
	return s / float64(len(logDensity))
}

// Coverage is the share of targets inside the predictive's central
// interval of probability level (0.9: between its 5% and 95% quantiles),
// from their PITs.
func Coverage(pit []float64, level float64) float64 {
	var in float64
	for _, u := range pit {
		if math.Abs(u-0.5) <= level/2 {
			in++
		}
	}
	return in / float64(len(pit))
}

// CalibrationLevels are the nominal levels of val_calibration: 10%..90%.
var CalibrationLevels = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}

// Calibration is the observed Coverage at each nominal level.
func Calibration(pit []float64, levels []float64) []float64 {
	out := make([]float64, len(levels))
	for k, l := range levels {
		out[k] = Coverage(pit, l)
	}
	return out
}

// Scores are the predictive's quality on one split, noise included.
type Scores struct {
	NLPD                               float64
	Coverage50, Coverage90, Coverage95 float64   // by the predictive mixture's central intervals
	Calibration                        []float64 // observed coverage at CalibrationLevels
	TotalBandWidth                     float64   // mean of TotalQ95 - TotalQ05
}

// Score computes Scores from bands made by Sampler.Score.
func Score(b Bands) Scores {
	s := Scores{NLPD: NLPD(b.LogDensity), Coverage50: Coverage(b.PIT, 0.5), Coverage90: Coverage(b.PIT, 0.9),
		Coverage95: Coverage(b.PIT, 0.95), Calibration: Calibration(b.PIT, CalibrationLevels)}
	for i := range b.TotalQ05 {
		s.TotalBandWidth += b.TotalQ95[i] - b.TotalQ05[i]
	}
	s.TotalBandWidth /= float64(len(b.TotalQ05))
	return s
}
