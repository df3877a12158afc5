package job

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// predValQuantiles are pred_val.csv's quantiles: bbb predict's default
// --quantiles, so that the file is what bbb predict writes for these
// inputs.
var predValQuantiles = []float64{0.05, 0.5, 0.95}

// CheckInputNames refuses input column names that a predictions file
// (WritePredictions, with quantile levels) names its own columns: mean,
// std_epistemic, std_total and qLEVEL. The file would hold the name twice,
// and bbb (or pandas) could not read it back as written.
func CheckInputNames(names []string, levels []float64) error {
	own := []string{"mean", "std_epistemic", "std_total"}
	for _, q := range levels {
		own = append(own, quantileColumn(q))
	}
	for _, n := range names {
		if slices.Contains(own, n) {
			return fmt.Errorf("input column %q: the predictions name a column of their own so (%s)", n, strings.Join(own, ", "))
		}
	}
	return nil
}

// quantileColumn is the predictions' column of quantile level q.
func quantileColumn(q float64) string { return "q" + strconv.FormatFloat(q, 'g', -1, 64) }

// WritePredictions writes one CSV row per input: the inputs (x holds
// len(names) values per row), the predictive mean, the standard deviation
// of the passes (std_epistemic) and with the likelihood's noise of scale
// noiseStd (std_total), and a column per quantile of b.Levels, all in the
// data's units. It is pred_val.csv's format, and bbb predict's.
func WritePredictions(w io.Writer, names []string, x []float64, b train.Bands, noiseStd float64) error {
	head := append(slices.Clone(names), "mean", "std_epistemic", "std_total")
	for _, q := range b.Levels {
		head = append(head, quantileColumn(q))
	}
	hw := csv.NewWriter(w) // (a column name may hold a comma or a quote)
	if err := hw.Write(head); err != nil {
		return err
	}
	if hw.Flush(); hw.Error() != nil {
		return hw.Error()
	}
	in := len(names)
	row := make([]string, 0, len(head))
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 9, 64) }
	for i := range b.Mean {
		row = row[:0]
		for j := range in {
			row = append(row, g(x[i*in+j]))
		}
		row = append(row, g(b.Mean[i]), g(b.Std[i]), g(math.Hypot(b.Std[i], noiseStd)))
		for k := range b.Levels {
			row = append(row, g(b.Q[k][i]))
		}
		if _, err := fmt.Fprintln(w, strings.Join(row, ",")); err != nil {
			return err
		}
	}
	return nil
}

// writePredVal writes the training run's predictions for its validation
// inputs, as bbb predict writes them.
func writePredVal(path string, meta modelfile.Model, val data.Split, b train.Bands, net *graph.Network) error {
	noise := NoiseSigma(net)
	if meta.Scaler != nil {
		noise *= meta.Scaler.YStd
	}
	return atomicio.WriteFile(path, func(w io.Writer) error { return WritePredictions(w, meta.XNames, val.X, b, noise) })
}

// NoiseSigma is the likelihood's noise scale for WritePredictions's
// std_total, in the network's (standardised) units: the fixed or the
// learned one; NaN for the heteroscedastic likelihood, whose scale differs
// per input (its total band is in the band figures and scores).
func NoiseSigma(net *graph.Network) float64 {
	z, err := net.Noise()
	if err != nil || z.Width() != 1 {
		return math.NaN()
	}
	return z.Sigma
}
