package viz

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepLine is one value of a sweep's second axis: the metric's mean over
// seeds at each value of the first axis (NaN where no run finished), and
// its standard deviation (the error bar).
type SweepLine struct {
	Name      string
	Mean, Std []float64
}

// SweepFigure is a metric against one grid axis, one line per value of
// another (bbb sweep). The x values are categories, evenly spaced.
type SweepFigure struct {
	Title, XLabel, YLabel string
	X                     []string // the axis's values, as written in the grid
	Lines                 []SweepLine
}

// Sweep draws the figure; a line's missing points (NaN) are left out.
func Sweep(path string, f SweepFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if len(f.X) == 0 || len(f.Lines) == 0 {
		return fmt.Errorf("%w: a sweep figure needs values and lines", ErrData)
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Add(plotter.NewGrid())
	drawn := false
	for i, line := range f.Lines {
		if len(line.Mean) != len(f.X) || len(line.Std) != len(f.X) {
			return fmt.Errorf("%w: line %s has %d values, the axis %d", ErrData, line.Name, len(line.Mean), len(f.X))
		}
		var xy plotter.XYs
		var errs plotter.YErrors
		for k, m := range line.Mean {
			if math.IsNaN(m) || math.IsInf(m, 0) {
				continue
			}
			xy = append(xy, plotter.XY{X: float64(k), Y: m})
			errs = append(errs, struct{ Low, High float64 }{line.Std[k], line.Std[k]})
		}
		if len(xy) == 0 {
			continue
		}
		c := regretColors[i%len(regretColors)]
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("viz: sweep: %w", err)
		}
		l.Color, l.Width = c, vg.Points(1.5)
		s.Color, s.Shape = c, draw.CircleGlyph{}
		eb := &plotter.YErrorBars{XYs: xy, YErrors: errs, LineStyle: l.LineStyle, CapWidth: vg.Points(6)}
		p.Add(l, s, eb)
		p.Legend.Add(line.Name, l, s)
		drawn = true
	}
	if !drawn {
		return fmt.Errorf("%w: no finished run to draw", ErrData)
	}
	ticks := make([]plot.Tick, len(f.X))
	for k, v := range f.X {
		ticks[k] = plot.Tick{Value: float64(k), Label: v}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(f.X))-0.5
	p.Legend.Top = true
	p.Legend.XOffs = -4 * vg.Millimeter // (flush with the canvas edge, the last glyph was cut)
	return saveSize(p, path, 20*vg.Centimeter, 14*vg.Centimeter)
}
