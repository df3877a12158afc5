package viz

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	bandColor  = color.NRGBA{R: 128, G: 0, B: 128, A: 60} // purple, alpha 0.2-ish, as the seed
	totalColor = color.NRGBA{R: 255, G: 165, B: 0, A: 70} // orange: the total band around it
	dataColor  = color.NRGBA{R: 220, G: 30, B: 30, A: 110}
	meanColor  = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	truthColor = color.NRGBA{A: 255}
)

// BandFigure is a predictive band over data: x sorted ascending, y the
// noisy targets, Mean/Q05/Q95 the predictive summary, Truth (optional) the
// noiseless curve.
type BandFigure struct {
	Title          string
	X, Y           []float64
	Mean, Q05, Q95 []float64
	Truth          []float64
	// TotalQ05, TotalQ95 (optional) are the total band (noise included),
	// drawn around the epistemic band Q05..Q95.
	TotalQ05, TotalQ95 []float64
}

// Band draws the shaded 5-95% band, the data points, the noiseless curve
// (if given) and the predictive mean, and saves the figure to path.
func Band(path string, f BandFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	names := []string{"x", "y", "mean", "q05", "q95"}
	series := [][]float64{f.X, f.Y, f.Mean, f.Q05, f.Q95}
	if f.Truth != nil {
		names, series = append(names, "truth"), append(series, f.Truth)
	}
	total := f.TotalQ05 != nil || f.TotalQ95 != nil
	if total {
		names, series = append(names, "total q05", "total q95"), append(series, f.TotalQ05, f.TotalQ95)
	}
	if err := checkSeries(names, series...); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())

	var totalBand *plotter.Polygon
	if total {
		var err error
		if totalBand, err = bandPolygon(f.X, f.TotalQ05, f.TotalQ95, totalColor); err != nil {
			return err
		}
		p.Add(totalBand)
	}
	band, err := bandPolygon(f.X, f.Q05, f.Q95, bandColor)
	if err != nil {
		return err
	}
	p.Add(band)

	pts, err := plotter.NewScatter(xys(f.X, f.Y))
	if err != nil {
		return err
	}
	pts.GlyphStyle = draw.GlyphStyle{Color: dataColor, Radius: vg.Length(0.6), Shape: draw.CircleGlyph{}}
	p.Add(pts)
	p.Legend.Add("data", pts)
	if total {
		p.Legend.Add("total 5-95% (noise included)", totalBand)
		p.Legend.Add("epistemic 5-95% (weights)", band)
	} else {
		p.Legend.Add("5-95% band", band)
	}

	if f.Truth != nil {
		truth, err := plotter.NewLine(xys(f.X, f.Truth))
		if err != nil {
			return err
		}
		truth.Color = truthColor
		truth.Width = vg.Points(1)
		truth.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(truth)
		p.Legend.Add("true curve", truth)
	}
	mean, err := plotter.NewLine(xys(f.X, f.Mean))
	if err != nil {
		return err
	}
	mean.Color = meanColor
	mean.Width = vg.Points(1.5)
	p.Add(mean)
	p.Legend.Add("predictive mean", mean)
	p.Legend.Top = true
	return save(p, path)
}

// bandPolygon is the band between lo and hi: gonum/plot has no
// fill-between, so it is a polygon ring, the upper quantile left to right
// then the lower one right to left.
func bandPolygon(x, lo, hi []float64, c color.Color) (*plotter.Polygon, error) {
	n := len(x)
	ring := make(plotter.XYs, 0, 2*n)
	for i := 0; i < n; i++ {
		ring = append(ring, plotter.XY{X: x[i], Y: hi[i]})
	}
	for i := n - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
	}
	band, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, err
	}
	band.Color = c
	band.LineStyle.Width = 0
	return band, nil
}

// Data draws the noisy data and, if given, the noiseless curve.
func Data(path string, x, y, truth []float64) error {
	if _, err := Format(path); err != nil {
		return err
	}
	names := []string{"x", "y"}
	series := [][]float64{x, y}
	if truth != nil {
		names, series = append(names, "truth"), append(series, truth)
	}
	if err := checkSeries(names, series...); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "Data: f(x) = 0.2x³ - 2x³ + 8x + N(0, 1.5²)"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())
	pts, err := plotter.NewScatter(xys(x, y))
	if err != nil {
		return err
	}
	pts.GlyphStyle = draw.GlyphStyle{Color: dataColor, Radius: vg.Length(0.6), Shape: draw.CircleGlyph{}}
	p.Add(pts)
	p.Legend.Add("noisy data", pts)
	if truth != nil {
		l, err := plotter.NewLine(xys(x, truth))
		if err != nil {
			return err
		}
		l.Color = truthColor
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("true curve", l)
	}
	p.Legend.Top = true
	return save(p, path)
}

func xys(x, y []float64) plotter.XYs {
	out := make(plotter.XYs, len(x))
	for i := range x {
		out[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return out
}
