package metrics

import "math"

// RMSE is the root mean squared error of pred against target (the same
// length): √(Σ (pred_i − target_i)² / n).
func RMSE(pred, target []float64) float64 {
	var s float64
	for i, t := range target {
		d := pred[i] - t
		s += d * d
	}
	return math.Sqrt(s / float64(len(target)))
}

// BandCoverage is the share of the targets y inside their band [lo, hi]
// (both ends in): 0.9 for a calibrated 5%..95% band.
func BandCoverage(y, lo, hi []float64) float64 {
	var in float64
	for i, v := range y {
		if v >= lo[i] && v <= hi[i] {
			in++
		}
	}
	return in / float64(len(y))
}

// MeanWidth is the mean of hi − lo: how sharp a band is.
func MeanWidth(lo, hi []float64) float64 {
	var w float64
	for i := range lo {
		w += hi[i] - lo[i]
	}
	return w / float64(len(lo))
}

// BandScores are the quality figures of a predictive band on one split.
type BandScores struct {
	RMSETrue   float64 // predictive mean vs the noiseless curve (0 where it is unknown)
	RMSENoisy  float64 // predictive mean vs the noisy targets
	Coverage90 float64 // share of noisy targets inside [Q05, Q95]
	BandWidth  float64 // mean of Q95 - Q05
}

// ScoreBand computes BandScores of a band (the predictive mean and its 5%
// and 95% quantiles q05, q95 at each input) against the noisy targets y
// and the noiseless curve yTrue (nil where it is unknown: RMSETrue 0).
func ScoreBand(mean, q05, q95, y, yTrue []float64) BandScores {
	s := BandScores{RMSENoisy: RMSE(mean, y), Coverage90: BandCoverage(y, q05, q95), BandWidth: MeanWidth(q05, q95)}
	if yTrue != nil {
		s.RMSETrue = RMSE(mean, yTrue)
	}
	return s
}
