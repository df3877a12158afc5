package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// RegretSeries is one agent's cumulative regret at RegretFigure.Steps.
type RegretSeries struct {
	Name   string
	Regret []float64
}

// RegretFigure is Blundell et al. (2015)'s Figure 6: cumulative regret
// against step, one line per agent.
type RegretFigure struct {
	Title  string
	Steps  []float64
	Series []RegretSeries
}

// regretColors: one per agent, in order (matplotlib's first colours).
var regretColors = []color.Color{
	color.NRGBA{R: 31, G: 119, B: 180, A: 255},
	color.NRGBA{R: 214, G: 39, B: 40, A: 255},
	color.NRGBA{R: 44, G: 160, B: 44, A: 255},
	color.NRGBA{R: 255, G: 127, B: 14, A: 255},
	color.NRGBA{R: 148, G: 103, B: 189, A: 255},
	color.NRGBA{R: 140, G: 86, B: 75, A: 255},
}

// Regret draws the cumulative regrets on a logarithmic y axis. A log axis
// cannot show a regret <= 0 (early on, lucky poisonous meals can put an
// agent ahead of the oracle): those points are left out of the line, and
// an agent with none above 0 is in the legend (its final regret) without
// a line; with no point above 0 at all the axis spans 1 to 10.
func Regret(path string, f RegretFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if len(f.Series) == 0 {
		return fmt.Errorf("%w: no agents", ErrData)
	}
	names := []string{"steps"}
	series := [][]float64{f.Steps}
	for _, s := range f.Series {
		names = append(names, s.Name)
		series = append(series, s.Regret)
	}
	if err := checkSeries(names, series...); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = f.Title
	if p.Title.Text == "" {
		p.Title.Text = "Mushroom bandit: cumulative regret"
	}
	p.X.Label.Text = "step"
	p.Y.Label.Text = "cumulative regret (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Add(plotter.NewGrid())
	drawn := false
	for i, s := range f.Series {
		var xy plotter.XYs
		for k, v := range s.Regret {
			if v > 0 {
				xy = append(xy, plotter.XY{X: f.Steps[k], Y: v})
			}
		}
		label, above := s.Name+" ("+regretLabel(s.Regret[len(s.Regret)-1])+")", len(xy) > 0
		if !above {
			xy, label = plotter.XYs{{X: f.Steps[0], Y: 1}}, label+": never above 0" // (a legend entry, not drawn)
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("viz: regret: %w", err)
		}
		l.Color = regretColors[i%len(regretColors)]
		l.Width = vg.Points(1.5)
		if i >= len(regretColors) {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		if above {
			p.Add(l)
			drawn = true
		}
		p.Legend.Add(label, l)
	}
	if !drawn {
		p.X.Min, p.X.Max = f.Steps[0], f.Steps[len(f.Steps)-1]
		p.Y.Min, p.Y.Max = 1, 10
	}
	if p.Y.Min <= 0 || math.IsInf(p.Y.Min, 0) {
		p.Y.Min = 1
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return saveSize(p, path, 20*vg.Centimeter, 14*vg.Centimeter)
}

// regretLabel writes a final regret for the legend: whole numbers (the
// Mushroom bandit's rewards are multiples of 5) in full, never as 1.21e+04,
// and a mean over seeds from 1000 up rounded to a whole number.
func regretLabel(v float64) string {
	if (v == math.Trunc(v) || math.Abs(v) >= 1000) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}
