package metrics

import (
	"math"
	"strings"
	"testing"
)

// A hand-made case with known scores: 4 rows, 2 classes.
func TestScoreClasses(t *testing.T) {
	mean := []float64{
		0.9, 0.1, // label 0: right, confidence 0.9
		0.3, 0.7, // label 0: wrong, confidence 0.7
		0.2, 0.8, // label 1: right, confidence 0.8
		0.6, 0.4, // label 1: wrong, confidence 0.6
	}
	first := []float64{1, 0, 1, 0, 1, 0, 1, 0} // always class 0
	s, err := ScoreClasses(mean, first, []int{0, 0, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	nll := -(math.Log(0.9) + math.Log(0.3) + math.Log(0.8) + math.Log(0.4)) / 4
	// Bins of width 1/15: 0.9 → bin 13 (right), 0.7 → bin 10 (wrong),
	// 0.8 → bin 12 (right), 0.6 → bin 9 (wrong): one point per bin.
	ece := (0.1 + 0.7 + 0.2 + 0.6) / 4
	want := ClassScores{Error: 0.5, ErrorSingle: 0.5, NLL: nll, ECE: ece}
	if math.Abs(s.Error-want.Error) > 1e-15 || math.Abs(s.ErrorSingle-want.ErrorSingle) > 1e-15 ||
		math.Abs(s.NLL-want.NLL) > 1e-12 || math.Abs(s.ECE-want.ECE) > 1e-12 {
		t.Errorf("scores %+v, want %+v", s, want)
	}
	// Two points in one bin: |acc − conf| of the bin, not the sum of each.
	s, err = ScoreClasses([]float64{0.95, 0.05, 0.05, 0.95, 0.96, 0.04}, []float64{0, 1, 1, 0, 1, 0}, []int{0, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Confidences 0.95, 0.95, 0.96 all in bin 14; accuracy 2/3.
	if want := math.Abs(2-(0.95+0.95+0.96)) / 3; math.Abs(s.ECE-want) > 1e-12 || math.Abs(s.ErrorSingle-1) > 1e-15 {
		t.Errorf("ECE %v (want %v), single-draw error %v (want 1)", s.ECE, want, s.ErrorSingle)
	}
	if _, err := ScoreClasses([]float64{1, 0}, []float64{1, 0}, []int{2}, 2); err == nil || !strings.Contains(err.Error(), "label 2 of row 0: want 0..1") {
		t.Errorf("label 2 of 2 classes: %v, want an error naming the label, the row and 0..1", err)
	}
	if _, err := ScoreClasses([]float64{1, 0, 0.5, 0.5}, []float64{1, 0, 0.5, math.NaN()}, []int{0, 1}, 2); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("NaN in one draw's probabilities: %v, want an error naming row 1", err)
	}
	if _, err := ScoreClasses(nil, nil, nil, 2); err == nil {
		t.Error("no labels: want an error")
	}
	// NaN (overflowed logits) is an error naming the row, not a bin index.
	if _, err := ScoreClasses([]float64{0.5, 0.5, math.NaN(), 0.5}, []float64{0.5, 0.5, 0.5, 0.5}, []int{0, 1}, 2); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("NaN probability: %v, want an error naming row 1", err)
	}
}

// Probabilities of exactly 0 and 1 are valid (a saturated softmax); a
// confidence of 1 falls in the top bin.
func TestScoreClassesSaturated(t *testing.T) {
	s, err := ScoreClasses([]float64{1, 0, 0, 1}, []float64{1, 0, 0, 1}, []int{0, 0}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Row 0 right at confidence 1, row 1 wrong at confidence 1 (top bin:
	// accuracy 1/2, confidence 1); NLL: -log(1e-300) for row 1.
	if s.Error != 0.5 || math.Abs(s.ECE-0.5) > 1e-15 || math.Abs(s.NLL-(-math.Log(1e-300))/2) > 1e-9 {
		t.Errorf("scores %+v", s)
	}
	for _, bad := range [][]float64{{1.5, -0.5}, {-0.1, 1.1}} {
		if _, err := ScoreClasses(bad, []float64{1, 0}, []int{0}, 2); err == nil {
			t.Errorf("probabilities %v: want an error", bad)
		}
	}
}
