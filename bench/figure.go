package bench

import (
	"fmt"
	"slices"

	"github.com/bbb-go/bbb/viz"
)

// Figure is the data of the bench figure (viz.Bench) of labelled backends
// (Label): a colour each, a line style per (points, layers) shape of the
// first backend's sweep (this run's). Sizes that only another backend has
// are in the table, not in the figure: its legend has an entry per backend
// and shape, and a file of thousands of shapes would make a figure of
// thousands of legend rows (minutes and a GB to draw). An empty bs gives
// an empty figure.
func Figure(bs []Backend) viz.BenchFigure {
	if len(bs) == 0 {
		return viz.BenchFigure{}
	}
	type shape struct{ points, layers int }
	var shapes []shape
	inputs := map[int]bool{}
	for _, k := range sizes(bs[:1]) {
		if s := (shape{k.points, k.layers}); !slices.Contains(shapes, s) {
			shapes = append(shapes, s)
		}
	}
	var f viz.BenchFigure
	for bi, b := range bs {
		for si, sh := range shapes {
			s := viz.BenchSeries{Name: fmt.Sprintf("%s: %s (%s)", b.Label, b.Name(), b.Details()), Color: bi, Dash: si}
			if len(shapes) > 1 {
				s.Name += fmt.Sprintf(", %d points, %s", sh.points, plural(sh.layers, "layer"))
			}
			for _, r := range b.Rows {
				if r.Points == sh.points && r.Layers == sh.layers {
					s.Hidden = append(s.Hidden, float64(r.Hidden))
					s.Epoch = append(s.Epoch, r.StepSecondsMedian)
					s.Pass = append(s.Pass, r.PredictSecondsPass)
					inputs[r.PredictInputs] = true
				}
			}
			if len(s.Hidden) > 0 {
				f.Series = append(f.Series, s)
			}
		}
	}
	f.EpochTitle, f.PassTitle = "Training: seconds per epoch", "Prediction: seconds per predictive pass"
	if len(shapes) == 1 {
		sh := shapes[0]
		f.EpochTitle = fmt.Sprintf("Training: seconds per epoch (%d rows, %s)", sh.points-sh.points/5, plural(sh.layers, "layer"))
	}
	if len(inputs) == 1 {
		for n := range inputs {
			f.PassTitle = fmt.Sprintf("Prediction: seconds per pass over %d inputs", n)
		}
	}
	return f
}
