package metrics

import (
	"fmt"
	"math"
)

// ClassScores are a classifier's scores on labelled inputs.
type ClassScores struct {
	Error       float64 // share misclassified by the mean probabilities
	ErrorSingle float64 // share misclassified by one weight draw's
	NLL         float64 // mean −log p̄(label | x) under the mean probabilities
	ECE         float64 // expected calibration error (ECEBins bins of the top probability)
}

// ECEBins is the number of equal-width confidence bins of ECE.
const ECEBins = 15

// ScoreClasses scores mean and first (n × k probabilities, row-major: the
// mean over weight draws and the first draw alone) against labels. A
// label's probability is floored at 1e-300 for the NLL, so a confident
// mistake costs 690.8 nats, not +Inf. Probabilities outside [0, 1] or NaN
// (overflowed logits) are an error naming the row.
func ScoreClasses(mean, first []float64, labels []int, k int) (ClassScores, error) {
	n := len(labels)
	if n == 0 || len(mean) != n*k || len(first) != n*k {
		return ClassScores{}, fmt.Errorf("train: scores: %d labels, %d and %d probabilities of %d classes", n, len(mean), len(first), k)
	}
	var s ClassScores
	var binConf, binAcc [ECEBins]float64
	for r, l := range labels {
		if l < 0 || l >= k {
			return ClassScores{}, fmt.Errorf("train: scores: label %d of row %d: want 0..%d", l, r, k-1)
		}
		row := mean[r*k : (r+1)*k]
		for c, p := range row {
			if !(p >= 0 && p <= 1) || math.IsNaN(first[r*k+c]) {
				return ClassScores{}, fmt.Errorf("train: scores: row %d: class %d's probability is %v (the logits overflowed?)", r, c, p)
			}
		}
		pred := Argmax(row)
		if pred != l {
			s.Error++
		}
		if Argmax(first[r*k:(r+1)*k]) != l {
			s.ErrorSingle++
		}
		s.NLL -= math.Log(math.Max(row[l], 1e-300))
		conf := row[pred]
		b := min(int(conf*ECEBins), ECEBins-1)
		binConf[b] += conf
		if pred == l {
			binAcc[b]++
		}
	}
	for b := range binAcc {
		s.ECE += math.Abs(binAcc[b] - binConf[b]) // = n_b·|acc_b − conf_b|
	}
	f := float64(n)
	s.Error, s.ErrorSingle, s.NLL, s.ECE = s.Error/f, s.ErrorSingle/f, s.NLL/f, s.ECE/f
	return s, nil
}

// Argmax is the index of v's largest value, the first of equal ones (0
// for an empty v): the predicted class of a row of probabilities, or the
// label of a one-hot row.
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
