package viz

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Calibration draws observed against nominal coverage of central
// predictive intervals, with the diagonal of perfect calibration, and
// saves the figure to path. Levels and observed shares are in [0, 1].
func Calibration(path, title string, nominal, observed []float64) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if err := checkSeries([]string{"nominal", "observed"}, nominal, observed); err != nil {
		return err
	}
	for i := range nominal {
		if nominal[i] < 0 || nominal[i] > 1 || observed[i] < 0 || observed[i] > 1 {
			return fmt.Errorf("%w: calibration point (%v, %v) outside [0, 1]²", ErrData, nominal[i], observed[i])
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "nominal coverage of the central interval"
	p.Y.Label.Text = "observed coverage"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Add(plotter.NewGrid())
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return err
	}
	diag.Color = truthColor
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("perfect calibration", diag)
	pts := append(plotter.XYs{{X: 0, Y: 0}}, xys(nominal, observed)...)
	line, scatter, err := plotter.NewLinePoints(pts)
	if err != nil {
		return err
	}
	line.Color = meanColor
	line.Width = vg.Points(1.5)
	scatter.GlyphStyle = draw.GlyphStyle{Color: meanColor, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	p.Add(line, scatter)
	p.Legend.Add("observed", line, scatter)
	p.Legend.Top, p.Legend.Left = true, true
	return saveSize(p, path, 14*vg.Centimeter, 14*vg.Centimeter)
}
