package job

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/train"
)

// Predict is `bbb predict`: it samples a trained regression network's
// predictive distribution at new inputs, for WritePredictions's rows.
//
// The caller builds the network and sets its parameters from the saved
// model (modelfile.Read, graph.New, modelfile.File.SetParams),
// and should refuse inputs far from the training data first
// (data.Scaler.Far): the network would only extrapolate, and its float32
// sums overflow, which Run reports as ErrNotFinite.
type Predict struct {
	// Net is the trained network, its parameters set. Run does not
	// change it.
	Net *graph.Network
	// Scaler is the standardisation the model was trained under
	// (modelfile.Model.Scaler); nil: the network works in the data's
	// own units (the seed's curve).
	Scaler *data.Scaler
	// XNames are the model's input columns (modelfile.Model.XNames),
	// X their values, row-major, len(XNames) per row, in the data's
	// units.
	XNames []string
	X      []float64
	// Samples is the number of stochastic passes (default 1000, at least
	// 2), Quantiles the levels in [0, 1] given per row (default 0.05, 0.5
	// and 0.95), Workers the goroutines sharing the passes (default 1:
	// the result does not depend on it), Seed the seed of the passes'
	// epsilon (bbb's default: the model's training seed).
	Samples   int
	Quantiles []float64
	Workers   int
	Seed      uint64

	Hooks
}

// Predictions are Predict's results, in the data's units: the inputs, the
// predictive bands (with Std and the quantiles Q at Levels) and the
// likelihood's noise scale (NaN for the heteroscedastic likelihood).
type Predictions struct {
	XNames   []string
	X        []float64
	Bands    train.Bands
	NoiseStd float64
}

// Rows is the number of inputs.
func (p Predictions) Rows() int { return len(p.Bands.Mean) }

// WriteCSV writes the predictions as WritePredictions does: bbb predict's
// output file.
func (p Predictions) WriteCSV(w io.Writer) error {
	return WritePredictions(w, p.XNames, p.X, p.Bands, p.NoiseStd)
}

// WriteFile writes the predictions (WriteCSV) to the file path,
// atomically (a whole file or the previous one), or to stdout, buffered,
// when path is "-".
func (p Predictions) WriteFile(path string, stdout io.Writer) error {
	if path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := p.WriteCSV(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return atomicio.WriteFile(path, p.WriteCSV)
}

// ErrNotFinite says that a prediction is NaN or infinite: its input is
// too far from the training data for this model. Run returns it in a
// *RowError.
var ErrNotFinite = errors.New("the model's prediction for this row is not finite (its input is too far from the training data for this model)")

// A RowError is a problem with one input row of a job (Row counts from
// 0); bbb names the row's line in the data file.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }

// Run draws the predictive passes over the inputs and returns their
// summary per row. It enters one stage, "predictive sampling", and writes
// one progress line to progress unless it is nil. A prediction that is not
// finite is an *InputError for "X" wrapping a *RowError of ErrNotFinite;
// a cancelled ctx stops the passes and returns its error.
func (p Predict) Run(ctx context.Context, progress io.Writer) (Predictions, error) {
	if p.Net == nil {
		return Predictions{}, &InputError{Input: "Net", Err: errors.New("no network")}
	}
	in := len(p.XNames)
	if in == 0 || len(p.X)%in != 0 {
		return Predictions{}, &InputError{Input: "X", Err: fmt.Errorf("%d values for rows of %d inputs", len(p.X), in)}
	}
	samples, qs, workers := p.Samples, p.Quantiles, max(p.Workers, 1)
	if samples == 0 {
		samples = 1000
	}
	if qs == nil {
		qs = predValQuantiles
	}
	x := p.X
	if p.Scaler != nil {
		x = p.Scaler.ScaleX(p.X)
	}
	if err := p.enter(ctx, "predictive sampling"); err != nil {
		return Predictions{}, err
	}
	if progress != nil {
		fmt.Fprintf(progress, "predictive: %d passes over %d inputs ...\n", samples, len(p.X)/in)
	}
	sm := train.NewSampler(p.Net, workers)
	sm.Ctx, sm.Quantiles = ctx, qs
	defer sm.Close()
	b, err := sm.Bands(x, samples, p.Seed)
	if err != nil {
		return Predictions{}, err
	}
	noise := NoiseSigma(p.Net)
	if p.Scaler != nil {
		b.Unscale(*p.Scaler)
		noise *= p.Scaler.YStd
	}
	if row, ok := notFinite(b); ok {
		return Predictions{}, &InputError{Input: "X", Err: &RowError{Row: row, Err: ErrNotFinite}}
	}
	return Predictions{XNames: p.XNames, X: p.X, Bands: b, NoiseStd: noise}, nil
}

// notFinite returns the first row whose mean, standard deviation or a
// quantile is not finite (the last guard behind data.Scaler.Far: a model
// whose weights overflow).
func notFinite(b train.Bands) (int, bool) {
	for i := range b.Mean {
		vals := []float64{b.Mean[i], b.Std[i]}
		for _, q := range b.Q {
			vals = append(vals, q[i])
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return i, true
			}
		}
	}
	return 0, false
}
