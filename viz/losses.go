package viz

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Losses draws the train and validation loss per point against epoch. The
// y axis is logarithmic when every loss is positive (the early losses are
// thousands of times the late ones).
func Losses(path string, epochs, train, val []float64) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if err := checkSeries([]string{"epochs", "train", "val"}, epochs, train, val); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "Negative ELBO per point"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss per point"
	p.Add(plotter.NewGrid())
	positive := true
	for i := range train {
		positive = positive && train[i] > 0 && val[i] > 0
	}
	if positive {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Label.Text = "loss per point (log scale)"
	}
	for _, s := range []struct {
		name string
		ys   []float64
		c    color.Color
		dash []vg.Length
	}{
		{"train", train, color.NRGBA{R: 31, G: 119, B: 180, A: 255}, nil},
		{"validation", val, color.NRGBA{R: 255, G: 127, B: 14, A: 255}, []vg.Length{vg.Points(5), vg.Points(3)}},
	} {
		l, pts, err := plotter.NewLinePoints(xys(epochs, s.ys))
		if err != nil {
			return fmt.Errorf("viz: losses: %w", err)
		}
		l.Color, pts.Color = s.c, s.c
		l.Width = vg.Points(1.5)
		l.Dashes = s.dash
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Legend.Top = true
	return save(p, path)
}
