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

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// trainedClassifier trains the blob classifier, saves it and rebuilds its
// network from the saved model, as bbb prune does.
func trainedClassifier(t *testing.T) *graph.Network {
	t.Helper()
	j := blobJob()
	j.NoFigures, j.Save = true, filepath.Join(t.TempDir(), "c.npz")
	if _, err := j.Run(context.Background(), t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	c, err := modelfile.Read(j.Save)
	if err != nil {
		t.Fatal(err)
	}
	net, err := graph.New(j.Train.WithDefaults().Graph, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetParams(net); err != nil {
		t.Fatal(err)
	}
	return net
}

// Prune writes its table and figures, returns the table's rows (the first
// without pruning), enters its stages in order and prunes the network it
// is given.
func TestPrune(t *testing.T) {
	net := trainedClassifier(t)
	var stages []string
	var progress strings.Builder
	p := Prune{Net: net, Data: blobJob().Data, Fractions: []float64{0.5, 0.9}, Samples: 3, Seed: 2, Format: "SVG",
		Hooks: Hooks{Stage: func(ctx context.Context, name string) error { stages = append(stages, name); return ctx.Err() }}}
	dir := t.TempDir()
	rows, err := p.Run(context.Background(), dir, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listDir(t, dir), []string{"prune.csv", "prune_error.svg", "snr.svg"}; !slices.Equal(got, want) {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if want := []string{"test error (no pruning)", "pruning 0.5", "pruning 0.9", "figures"}; !slices.Equal(stages, want) {
		t.Errorf("stages %q, want %q", stages, want)
	}
	// 2·8 + 8·3 = 40 weights: 20, then 36 removed.
	if len(rows) != 3 || rows[0].Fraction != 0 || rows[0].Removed != 0 || !math.IsInf(rows[0].ThresholdDB, -1) ||
		rows[1].Fraction != 0.5 || rows[1].Removed != 20 || rows[2].Removed != 36 || !(rows[2].ThresholdDB >= rows[1].ThresholdDB) {
		t.Errorf("rows %+v", rows)
	}
	for _, r := range rows {
		if e := r.Scores.Error; !(e >= 0 && e <= 1) || !(r.MeanWeightsError >= 0 && r.MeanWeightsError <= 1) {
			t.Errorf("row %+v: errors outside [0, 1]", r)
		}
	}
	if snr, _ := train.WeightSNR(net); countZero(snr) != 36 {
		t.Errorf("the network holds %d pruned weights, want 36", countZero(snr))
	}
	b, err := os.ReadFile(filepath.Join(dir, "prune.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 4 || lines[0] != "fraction,removed,snr_threshold_db,test_error,test_error_single,test_error_mean_weights,test_nll,test_ece" ||
		!strings.HasPrefix(lines[1], "0,0,-Inf,") || !strings.HasPrefix(lines[2], "0.5,20,") {
		t.Errorf("prune.csv:\n%s", b)
	}
	if !strings.HasPrefix(progress.String(), "prune: 40 weights; no pruning: test error ") || strings.Count(progress.String(), "\n") != 3 ||
		!strings.Contains(progress.String(), "\nprune:  90.0 % removed (36 weights, SNR <= ") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

func countZero(v []float64) int {
	n := 0
	for _, x := range v {
		if x == 0 {
			n++
		}
	}
	return n
}

// Check (and Run) refuse no network and shares that are not increasing,
// lie outside (0, 1), or remove none or all of the weights; a model of
// zero means has no SNR figure (ErrZeroSNR) but its table; a cancelled
// context stops the run.
func TestPruneErrors(t *testing.T) {
	var ie *InputError
	if err := (Prune{Fractions: []float64{0.5}}).Check(); !errors.As(err, &ie) || ie.Input != "Net" {
		t.Errorf("no network: %v", err)
	}
	zero, err := graph.New(blobJob().Train.WithDefaults().Graph, 1) // every parameter 0
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range [][]float64{nil, {0}, {1}, {0.5, 0.5}, {0.6, 0.5}, {0.01}, {0.99}, {math.NaN()}} {
		p := Prune{Net: zero, Fractions: fr}
		if err := p.Check(); !errors.As(err, &ie) || ie.Input != "Fractions" {
			t.Errorf("fractions %v: %v, want an InputError of Fractions", fr, err)
		}
		if _, err := p.Run(context.Background(), t.TempDir(), nil); !errors.As(err, &ie) || ie.Input != "Fractions" {
			t.Errorf("run, fractions %v: %v", fr, err)
		}
	}
	p := Prune{Net: zero, Data: blobJob().Data, Fractions: []float64{0.5}, Samples: 2}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if err := (Prune{Net: zero, Fractions: []float64{0.05, 0.95}}).Check(); err != nil { // 2 of 40, 38 of 40
		t.Errorf("0.05, 0.95: %v", err)
	}
	dir := t.TempDir()
	if _, err := p.Run(context.Background(), dir, nil); !errors.Is(err, ErrZeroSNR) {
		t.Errorf("zero means: %v, want ErrZeroSNR", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"prune.csv"}) {
		t.Errorf("zero means wrote %q", got)
	}
	p.NoFigures = true
	if rows, err := p.Run(context.Background(), t.TempDir(), nil); err != nil || len(rows) != 2 {
		t.Errorf("zero means, no figures: %v, %d rows", err, len(rows))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Run(ctx, t.TempDir(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
