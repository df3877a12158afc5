package viz

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxPoints is the most points a figure draws: larger data are subsampled
// (evenly, by index), so figures stay fast at any data size.
const MaxPoints = 20000

// ObservedFigure is predicted against observed targets (several inputs):
// the predictive mean of each row with its 5-95% interval as a vertical
// bar, and the diagonal y = x.
type ObservedFigure struct {
	Title          string
	Observed       []float64
	Mean, Q05, Q95 []float64
	XLabel, YLabel string // default "observed", "predicted"
}

// Observed draws f and saves it to path.
func Observed(path string, f ObservedFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if err := checkSeries([]string{"observed", "mean", "q05", "q95"}, f.Observed, f.Mean, f.Q05, f.Q95); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text, p.Y.Label.Text = "observed", "predicted (mean, 5-95% interval)"
	if f.XLabel != "" {
		p.X.Label.Text = f.XLabel
	}
	if f.YLabel != "" {
		p.Y.Label.Text = f.YLabel
	}
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	step := max(1, (len(f.Observed)+MaxPoints-1)/MaxPoints)
	var pts plotter.XYs
	var bars plotter.YErrors
	for i := 0; i < len(f.Observed); i += step {
		pts = append(pts, plotter.XY{X: f.Observed[i], Y: f.Mean[i]})
		bars = append(bars, struct{ Low, High float64 }{f.Mean[i] - f.Q05[i], f.Q95[i] - f.Mean[i]})
		lo = min(lo, f.Observed[i], f.Q05[i])
		hi = max(hi, f.Observed[i], f.Q95[i])
	}
	eb := &plotter.YErrorBars{XYs: pts, YErrors: bars, LineStyle: draw.LineStyle{Color: bandColor, Width: vg.Points(0.8)}, CapWidth: 0}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: meanColor, Radius: vg.Points(1.2), Shape: draw.CircleGlyph{}}
	if !(hi > lo) {
		lo, hi = lo-1, hi+1
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return err
	}
	diag.Color = color.NRGBA{A: 255}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(eb, sc, diag)
	p.Legend.Add("predictive mean, 5-95% interval", sc)
	p.Legend.Add("predicted = observed", diag)
	p.Legend.Top, p.Legend.Left = true, true
	return save(p, path)
}
