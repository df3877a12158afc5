package job

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// trainedNet trains the tiny regression job, saves it and rebuilds its
// network from the saved model, as bbb predict does.
func trainedNet(t *testing.T) (*graph.Network, *modelfile.File) {
	t.Helper()
	j := tiny()
	j.Save = filepath.Join(t.TempDir(), "m.npz")
	if _, err := j.Run(context.Background(), t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	c, err := modelfile.Read(j.Save)
	if err != nil {
		t.Fatal(err)
	}
	cfg := j.Train.WithDefaults().Graph
	cfg.Inputs = c.Model.Network.Inputs
	net, err := graph.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetParams(net); err != nil {
		t.Fatal(err)
	}
	return net, c
}

// Predict samples a saved model at new inputs: the default quantiles, one
// stage and one progress line, the same rows for any number of workers,
// other rows for another seed, and a scaler's units.
func TestPredict(t *testing.T) {
	net, c := trainedNet(t)
	var stages []string
	var progress strings.Builder
	p := Predict{Net: net, XNames: c.Model.XNames, X: []float64{-0.5, 0, 0.5}, Samples: 20, Seed: 1,
		Hooks: Hooks{Stage: func(ctx context.Context, name string) error { stages = append(stages, name); return ctx.Err() }}}
	got, err := p.Run(context.Background(), &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stages, []string{"predictive sampling"}) || progress.String() != "predictive: 20 passes over 3 inputs ...\n" {
		t.Errorf("stages %q, progress %q", stages, progress.String())
	}
	if got.Rows() != 3 || !slices.Equal(got.Bands.Levels, []float64{0.05, 0.5, 0.95}) || len(got.Bands.Q) != 3 || !(got.NoiseStd > 0) {
		t.Errorf("predictions %+v", got)
	}
	var w strings.Builder
	if err := got.WriteCSV(&w); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	if len(lines) != 4 || lines[0] != "x,mean,std_epistemic,std_total,q0.05,q0.5,q0.95" || !strings.HasPrefix(lines[1], "-0.5,") {
		t.Errorf("csv:\n%s", w.String())
	}
	// WriteFile: the same text to stdout ("-") and to a file.
	var out strings.Builder
	file := filepath.Join(t.TempDir(), "pred.csv")
	if err := got.WriteFile("-", &out); err != nil || out.String() != w.String() {
		t.Errorf("WriteFile(-): %v, %q, want %q", err, out.String(), w.String())
	}
	if err := got.WriteFile(file, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != w.String() {
		t.Errorf("WriteFile(%s): %v, %q, want %q", file, err, b, w.String())
	}

	p.Workers, p.Hooks = 3, Hooks{}
	if again, err := p.Run(context.Background(), nil); err != nil || !slices.Equal(again.Bands.Mean, got.Bands.Mean) {
		t.Errorf("3 workers: %v, means %v, want %v", err, again.Bands.Mean, got.Bands.Mean)
	}
	p.Seed = 2
	if other, err := p.Run(context.Background(), nil); err != nil || slices.Equal(other.Bands.Mean, got.Bands.Mean) {
		t.Errorf("seed 2: %v, the same means %v", err, other.Bands.Mean)
	}

	// A scaler of y only: the network's values, in units twice as large.
	p.Seed, p.Quantiles = 1, []float64{0.5}
	p.Scaler = &data.Scaler{XMean: []float64{0}, XStd: []float64{1}, YStd: 2}
	scaled, err := p.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if math.Abs(scaled.Bands.Mean[i]-2*got.Bands.Mean[i]) > 1e-9 || math.Abs(scaled.Bands.Q[0][i]-2*got.Bands.Q[1][i]) > 1e-9 {
			t.Errorf("row %d: scaled mean %v median %v, want twice %v and %v", i, scaled.Bands.Mean[i], scaled.Bands.Q[0][i], got.Bands.Mean[i], got.Bands.Q[1][i])
		}
	}
	if math.Abs(scaled.NoiseStd-2*got.NoiseStd) > 1e-12 || !slices.Equal(scaled.X, p.X) {
		t.Errorf("scaled noise %v (want %v), inputs %v", scaled.NoiseStd, 2*got.NoiseStd, scaled.X)
	}
}

// No network, inputs that do not fill rows, a prediction that is not
// finite, and a cancelled context are errors.
func TestPredictErrors(t *testing.T) {
	net, c := trainedNet(t)
	var ie *InputError
	if _, err := (Predict{XNames: []string{"x"}, X: []float64{1}}).Run(context.Background(), nil); !errors.As(err, &ie) || ie.Input != "Net" {
		t.Errorf("no network: %v", err)
	}
	if _, err := (Predict{Net: net, X: []float64{1}}).Run(context.Background(), nil); !errors.As(err, &ie) || ie.Input != "X" {
		t.Errorf("no names: %v", err)
	}
	if _, err := (Predict{Net: net, XNames: []string{"a", "b"}, X: []float64{1, 2, 3}}).Run(context.Background(), nil); !errors.As(err, &ie) || ie.Input != "X" {
		t.Errorf("3 values in rows of 2: %v", err)
	}
	// An input beyond float32 overflows (bbb refuses inputs far from the
	// training data first: data.Scaler.Far).
	_, err := Predict{Net: net, XNames: c.Model.XNames, X: []float64{0, 1e300}, Samples: 4}.Run(context.Background(), nil)
	var re *RowError
	if !errors.As(err, &re) || re.Row != 1 || !errors.Is(err, ErrNotFinite) || !errors.As(err, &ie) || ie.Input != "X" {
		t.Errorf("an input of 1e300: %v, want a RowError of row 1", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Predict{Net: net, XNames: c.Model.XNames, X: []float64{0}}).Run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNotFinite(t *testing.T) {
	b := train.Bands{Mean: []float64{1, 2, 3}, Std: []float64{0, 0, 0}, Q: [][]float64{{1, 2, 3}, {1, math.Inf(1), math.NaN()}}}
	if row, ok := notFinite(b); !ok || row != 1 {
		t.Errorf("notFinite %d %v, want row 1", row, ok)
	}
	b.Q = b.Q[:1]
	if _, ok := notFinite(b); ok {
		t.Error("finite bands: not finite")
	}
	b.Std[2] = math.NaN()
	if row, ok := notFinite(b); !ok || row != 2 {
		t.Errorf("a NaN std: %d %v, want row 2", row, ok)
	}
}
