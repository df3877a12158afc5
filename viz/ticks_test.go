package viz

import (
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
)

func labels(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
		if !(t.Value > 0) {
			return -1
		}
	}
	return n
}

// Issue 9, defect 2: every y axis of the loss and bench figures gets at
// least two labelled ticks (one epoch, one or two sizes), all > 0, and one
// size draws the bench figure.
func TestTicksNarrowRanges(t *testing.T) {
	for e := -9.0; e < 4; e += 0.037 {
		v := math.Pow(10, e)
		for _, r := range [][2]float64{{v, v}, {v, v * 1.001}, {v / 1.26, v * 1.26}, {v, v * 1.04}} {
			if n := labels(logTicks{}.Ticks(r[0], r[1])); n < 1 || (r[1] > r[0] && n < 2) {
				t.Errorf("logTicks %v: %d labels", r, n)
			}
			if n := labels(secondTicks{}.Ticks(r[0], r[1])); n < 1 || (r[1] > r[0] && n < 2) {
				t.Errorf("secondTicks %v: %d labels", r, n)
			}
		}
	}
	dir := t.TempDir()
	for _, v := range []float64{1e-9, 3e-4, 0.0123, 2, 700} {
		if err := Bench(filepath.Join(dir, "b.png"), BenchFigure{Series: []BenchSeries{{Name: "a", Hidden: []float64{8}, Epoch: []float64{v}, Pass: []float64{v * 3}}}}); err != nil {
			t.Errorf("one size at %v: %v", v, err)
		}
	}
	if err := Losses(filepath.Join(dir, "l.png"), LossFigure{EveryTrain: []float64{2.5}, Epochs: []float64{1}, Train: []float64{2.5}, Val: []float64{2.6}}); err != nil {
		t.Error(err)
	}
}
