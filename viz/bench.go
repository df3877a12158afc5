package viz

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BenchSeries is one device's (or build's) timings against workload size.
type BenchSeries struct {
	Name    string
	Sizes   []float64 // workload size, e.g. multiply-adds per epoch
	Seconds []float64 // seconds per epoch at each size
	Labels  []string  // optional text beside each point, e.g. "h=512"
}

// BenchFigure is the time-per-epoch against size figure, one line per series.
type BenchFigure struct {
	Title  string
	XLabel string
	Series []BenchSeries
}

var seriesColors = []color.Color{
	color.NRGBA{R: 31, G: 119, B: 180, A: 255},
	color.NRGBA{R: 214, G: 39, B: 40, A: 255},
	color.NRGBA{R: 44, G: 160, B: 44, A: 255},
	color.NRGBA{R: 148, G: 103, B: 189, A: 255},
}

// Bench draws seconds per epoch against workload size on log-log axes.
func Bench(path string, f BenchFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if len(f.Series) == 0 {
		return fmt.Errorf("%w: no series", ErrData)
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	if p.X.Label.Text == "" {
		p.X.Label.Text = "workload size"
	}
	p.Y.Label.Text = "seconds per epoch"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, logTicks{}
	p.Add(plotter.NewGrid())
	for i, s := range f.Series {
		if err := checkSeries([]string{s.Name + " sizes", s.Name + " seconds"}, s.Sizes, s.Seconds); err != nil {
			return err
		}
		for k := range s.Sizes {
			if !(s.Sizes[k] > 0 && s.Seconds[k] > 0) {
				return fmt.Errorf("%w: %s: non-positive value on a log axis", ErrData, s.Name)
			}
		}
		l, pts, err := plotter.NewLinePoints(xys(s.Sizes, s.Seconds))
		if err != nil {
			return err
		}
		c := seriesColors[i%len(seriesColors)]
		l.Color, pts.Color = c, c
		l.Width = vg.Points(1.5)
		pts.Shape = draw.CircleGlyph{}
		p.Add(l, pts)
		p.Legend.Add(s.Name, l, pts)
		if len(s.Labels) == len(s.Sizes) {
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys(s.Sizes, s.Seconds), Labels: s.Labels})
			if err != nil {
				return err
			}
			for k := range labels.TextStyle {
				labels.TextStyle[k].Color = c
				labels.TextStyle[k].XAlign = draw.XRight
				labels.TextStyle[k].YAlign = draw.YBottom
			}
			p.Add(labels)
		}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return save(p, path)
}
