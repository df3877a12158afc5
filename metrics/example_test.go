package metrics_test

import (
	"fmt"

	"github.com/bbb-go/bbb/metrics"
)

// A regression predictive of two passes (weight draws) at each of three
// inputs, each pass a Normal of scale 0.5, scored against its targets
// the way bbb writes summary.json.
func Example() {
	mu := [][]float64{{0, 0.2}, {1, 1.2}, {2, 1.6}} // the passes' means at each input
	sigma := []float64{0.5, 0.5}                    // the passes' noise scales
	y := []float64{0.4, 1.9, 1.5}                   // the targets

	pit, logp := make([]float64, len(y)), make([]float64, len(y))
	for i := range y {
		pit[i] = metrics.MixturePIT(mu[i], sigma, y[i])
		logp[i] = metrics.MixtureLogDensity(mu[i], sigma, y[i])
	}
	fmt.Printf("PIT %.3f\n", pit)
	fmt.Printf("NLPD %.4f\n", metrics.NLPD(logp))
	fmt.Printf("coverage of the central 50%%: %.3f, 90%%: %.3f\n", metrics.Coverage(pit, 0.5), metrics.Coverage(pit, 0.9))
	fmt.Printf("calibration at %.1f:\n%.2f\n", metrics.CalibrationLevels, metrics.Calibration(pit, metrics.CalibrationLevels))
	// Output:
	// PIT [0.722 0.942 0.290]
	// NLPD 0.7838
	// coverage of the central 50%: 0.667, 90%: 1.000
	// calibration at [0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9]:
	// [0.00 0.00 0.00 0.00 0.67 0.67 0.67 0.67 1.00]
}

// A band (the predictive mean and its 5% and 95% quantiles) against noisy
// targets and the noiseless curve.
func ExampleScoreBand() {
	mean, q05, q95 := []float64{0, 1.5, 2, 3}, []float64{-1, 1.2, 1, 2.95}, []float64{1, 2, 3, 3.05}
	y, yTrue := []float64{1, 1, 5, 2.95}, []float64{0, 1, 2, 3}
	s := metrics.ScoreBand(mean, q05, q95, y, yTrue)
	fmt.Printf("RMSE %.4f against the targets, %.2f against the curve\n", s.RMSENoisy, s.RMSETrue)
	fmt.Printf("coverage %.2f, mean width %.3f\n", s.Coverage90, s.BandWidth)
	// Output:
	// RMSE 1.6010 against the targets, 0.25 against the curve
	// coverage 0.50, mean width 1.225
}

// Two rows of two classes' probabilities: one right at 0.9, one wrong at
// 0.7 (the label's probability 0.3).
func ExampleScoreClasses() {
	p := []float64{
		0.9, 0.1, // label 0
		0.7, 0.3, // label 1
	}
	s, err := metrics.ScoreClasses(p, p, []int{0, 1}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	// NLL = (−ln 0.9 − ln 0.3)/2; ECE = (|1 − 0.9| + |0 − 0.7|)/2 (bins 13, 10).
	fmt.Printf("error %.2f, NLL %.4f, ECE %.2f, predicted %d and %d\n", s.Error, s.NLL, s.ECE, metrics.Argmax(p[:2]), metrics.Argmax(p[2:]))
	// Output:
	// error 0.50, NLL 0.6547, ECE 0.40, predicted 0 and 0
}

// Quantile interpolates between order statistics as numpy does;
// SelectQuantile gives the same value from unsorted values.
func ExampleQuantile() {
	fmt.Println(metrics.Quantile([]float64{1, 2, 4, 8}, 0.5), metrics.SelectQuantile([]float64{8, 1, 4, 2}, 0.5))
	// Output:
	// 3 3
}
