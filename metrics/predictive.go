package metrics

import "math"

// MixturePIT is the CDF at y of (1/S) Σ_s N(mu_s, sigma_s²): the
// probability integral transform of a target under the predictive
// mixture, uniform on [0, 1] over targets when the predictive is
// calibrated.
func MixturePIT(mu, sigma []float64, y float64) float64 {
	var c float64
	for s := range mu {
		c += 0.5 * math.Erfc(-(y-mu[s])/(sigma[s]*math.Sqrt2))
	}
	return c / float64(len(mu))
}

// MixtureLogDensity is log (1/S) Σ_s N(y | mu_s, sigma_s²), by log-sum-exp
// (finite far in the tails, where each density underflows).
func MixtureLogDensity(mu, sigma []float64, y float64) float64 {
	return MixtureLogDensityScratch(mu, sigma, y, make([]float64, len(mu)))
}

// MixtureLogDensityScratch is MixtureLogDensity with scratch space lp
// (len(mu) values, overwritten) in place of an allocation, for a loop over
// many targets.
func MixtureLogDensityScratch(mu, sigma []float64, y float64, lp []float64) float64 {
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

// NLPD is the mean negative log predictive density of the targets, from
// their log-densities: the proper score that rewards a predictive for
// being both sharp and right.
func NLPD(logDensity []float64) float64 {
	var s float64
	for _, v := range logDensity {
		s -= v
	}
	return s / float64(len(logDensity))
}

// Coverage is the share of targets inside the predictive's central
// interval of probability level (0.9: between its 5% and 95% quantiles),
// from their PITs; both ends of the interval are in it.
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

// Calibration is the observed Coverage at each nominal level: a
// calibrated predictive gives the levels back.
func Calibration(pit []float64, levels []float64) []float64 {
	out := make([]float64, len(levels))
	for k, l := range levels {
		out[k] = Coverage(pit, l)
	}
	return out
}

// Scores are a predictive's quality on one split, noise included.
type Scores struct {
	NLPD                               float64
	Coverage50, Coverage90, Coverage95 float64   // by the predictive mixture's central intervals
	Calibration                        []float64 // observed coverage at CalibrationLevels
	TotalBandWidth                     float64   // mean of totalHi - totalLo
}

// Score computes Scores from each target's PIT and log-density under the
// predictive (MixturePIT, MixtureLogDensity) and the total band, the 5%
// and 95% quantiles of predictive draws (totalLo, totalHi).
func Score(pit, logDensity, totalLo, totalHi []float64) Scores {
	return Scores{NLPD: NLPD(logDensity), Coverage50: Coverage(pit, 0.5), Coverage90: Coverage(pit, 0.9),
		Coverage95: Coverage(pit, 0.95), Calibration: Calibration(pit, CalibrationLevels),
		TotalBandWidth: MeanWidth(totalLo, totalHi)}
}
