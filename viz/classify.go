package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The figures' colours (matplotlib's first three).
var (
	Blue   = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	Orange = color.NRGBA{R: 255, G: 127, B: 14, A: 255}
	Green  = color.NRGBA{R: 44, G: 160, B: 44, A: 255}
)

// CurveFigure is a classifier's learning curve: per epoch, the training
// loss per image and the validation error (a share), and the test error
// at the end (NaN: none).
type CurveFigure struct {
	Title             string
	Epochs, TrainLoss []float64
	ValError          []float64
	ValLabel          string // the validation curve's legend ("" : "validation")
	TestError         float64
	TestSamples       int // the draws averaged for TestError
	// Reference draws a dotted line at that error (a share; NaN or 0:
	// none), labelled ReferenceLabel: the paper's number, say.
	Reference      float64
	ReferenceLabel string
}

// LearningCurve draws two panels side by side: the training loss per image
// (log scale) and the validation error in percent (log scale), with the
// final test error and a reference line.
func LearningCurve(path string, f CurveFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if err := checkSeries([]string{"epochs", "train loss", "val error"}, f.Epochs, f.TrainLoss, f.ValError); err != nil {
		return err
	}
	loss := plot.New()
	loss.Title.Text, loss.Title.Padding = "Negative ELBO per training image", vg.Points(6)
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "loss per image (log scale)"
	loss.Add(plotter.NewGrid())
	if err := addLine(loss, f.Epochs, f.TrainLoss, Blue, "train", nil); err != nil {
		return err
	}
	positive := true
	for _, v := range f.TrainLoss {
		positive = positive && v > 0
	}
	loss.Legend.Top = true
	if positive {
		loss.Y.Scale, loss.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	} else {
		loss.Y.Label.Text = "loss per image"
	}

	errs := plot.New()
	errs.Title.Text, errs.Title.Padding = f.Title, vg.Points(6)
	errs.X.Label.Text = "epoch"
	errs.Y.Label.Text = "error, % (log scale)"
	errs.Add(plotter.NewGrid())
	pct := make([]float64, len(f.ValError))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range f.ValError {
		pct[i] = 100 * v
		lo, hi = math.Min(lo, pct[i]), math.Max(hi, pct[i])
	}
	label := f.ValLabel
	if label == "" {
		label = "validation"
	}
	if err := addLine(errs, f.Epochs, pct, Orange, label, nil); err != nil {
		return err
	}
	last := f.Epochs[len(f.Epochs)-1]
	hline := func(v float64, c color.Color, name string, dash []vg.Length) error {
		x := []float64{f.Epochs[0], math.Max(last, f.Epochs[0]+1)}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		return addLine(errs, x, []float64{v, v}, c, name, dash)
	}
	if t := f.TestError; t > 0 && !math.IsInf(t, 0) {
		if err := hline(100*t, Green, fmt.Sprintf("test, end (%d draws): %.2f %%", f.TestSamples, 100*t), []vg.Length{vg.Points(6), vg.Points(3)}); err != nil {
			return err
		}
	}
	if r := f.Reference; r > 0 && !math.IsInf(r, 0) {
		if err := hline(100*r, color.Gray{Y: 90}, f.ReferenceLabel, []vg.Length{vg.Points(2), vg.Points(2)}); err != nil {
			return err
		}
	}
	if lo > 0 {
		errs.Y.Scale, errs.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		errs.Y.Min, errs.Y.Max = lo/1.15, hi*1.15
	} else {
		errs.Y.Label.Text = "error, %"
	}
	errs.Legend.Top = true
	return savePanels(path, loss, errs)
}

// Histogram is one weight or SNR density: the values, their name and
// colour in the legend.
type Histogram struct {
	Name   string
	Values []float64
	Color  color.Color
}

// Densities draws the histograms as normalised densities (area 1) with
// bins shared bins over the values' common range, on one axis.
func Densities(path, title, xLabel string, bins int, hs ...Histogram) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if len(hs) == 0 || bins < 1 {
		return fmt.Errorf("%w: %d histograms, %d bins", ErrData, len(hs), bins)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, h := range hs {
		if err := checkSeries([]string{h.Name}, h.Values); err != nil {
			return err
		}
		for _, v := range h.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	p := plot.New()
	p.Title.Text, p.Title.Padding = title, vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = "density"
	p.Add(plotter.NewGrid())
	w := (hi - lo) / float64(bins)
	for _, h := range hs {
		counts := make([]float64, bins)
		for _, v := range h.Values {
			counts[min(int((v-lo)/w), bins-1)]++
		}
		pts := make(plotter.XYs, 0, 2*bins)
		for b, c := range counts {
			d := c / (float64(len(h.Values)) * w)
			pts = append(pts, plotter.XY{X: lo + float64(b)*w, Y: d}, plotter.XY{X: lo + float64(b+1)*w, Y: d})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("viz: densities: %w", err)
		}
		l.Color, l.Width = h.Color, vg.Points(1.5)
		c := color.NRGBAModel.Convert(h.Color).(color.NRGBA)
		c.A = 50
		l.FillColor = c
		p.Add(l)
		p.Legend.Add(h.Name, l)
	}
	p.Y.Min = 0
	p.Legend.Top = true
	return save(p, path)
}

// PruneFigure is test error against the share of weights removed.
type PruneFigure struct {
	Fractions, Errors []float64 // shares (0..1); Errors from the mean softmax over Samples draws
	MeanWeights       []float64 // the posterior means' errors (nil: none)
	Samples           int
	Reference         float64 // the unpruned network's error (drawn as a line)
	Title             string
}

// PruneErrors draws test error (%) against the share of weights removed (%).
func PruneErrors(path string, f PruneFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	if err := checkSeries([]string{"fractions", "errors"}, f.Fractions, f.Errors); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text, p.Title.Padding = f.Title, vg.Points(6)
	p.X.Label.Text = "weights removed (lowest |mu|/sigma first), %"
	p.Y.Label.Text = "test error, %"
	p.Add(plotter.NewGrid())
	x, y := make([]float64, len(f.Fractions)), make([]float64, len(f.Errors))
	for i := range x {
		x[i], y[i] = 100*f.Fractions[i], 100*f.Errors[i]
	}
	if err := addLine(p, x, y, Blue, fmt.Sprintf("mean softmax of %d draws", f.Samples), nil); err != nil {
		return err
	}
	if len(f.MeanWeights) > 0 {
		if err := checkSeries([]string{"fractions", "mean-weight errors"}, f.Fractions, f.MeanWeights); err != nil {
			return err
		}
		ym := make([]float64, len(f.MeanWeights))
		for i, v := range f.MeanWeights {
			ym[i] = 100 * v
		}
		if err := addLine(p, x, ym, Orange, "posterior means", []vg.Length{vg.Points(5), vg.Points(3)}); err != nil {
			return err
		}
	}
	if r := f.Reference; !math.IsNaN(r) && !math.IsInf(r, 0) {
		if err := addLine(p, []float64{0, 100}, []float64{100 * r, 100 * r}, color.Gray{Y: 90},
			fmt.Sprintf("no pruning: %.2f %%", 100*r), []vg.Length{vg.Points(2), vg.Points(2)}); err != nil {
			return err
		}
	}
	p.X.Min, p.X.Max = 0, 100
	top := 0.0
	for _, v := range append(append([]float64{f.Reference}, f.Errors...), f.MeanWeights...) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			top = math.Max(top, 100*v)
		}
	}
	p.Y.Max = top * 1.05 // room above the highest point (the dashed line has no marker to widen it)
	p.Legend.Top, p.Legend.Left = true, true
	return saveSize(p, path, 16*vg.Centimeter, 12*vg.Centimeter)
}

func addLine(p *plot.Plot, x, y []float64, c color.Color, name string, dash []vg.Length) error {
	l, pts, err := plotter.NewLinePoints(xys(x, y))
	if err != nil {
		return fmt.Errorf("viz: %s: %w", name, err)
	}
	l.Color, pts.Color, l.Width, l.Dashes = c, c, vg.Points(1.5), dash
	if len(x) > 40 || dash != nil {
		pts.Radius = 0
	}
	p.Add(l, pts)
	p.Legend.Add(name, l)
	return nil
}

// savePanels writes plots side by side, each width/len wide.
func savePanels(path string, ps ...*plot.Plot) error {
	format, err := Format(path)
	if err != nil {
		return err
	}
	return saveCanvas(path, format, width, height, func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: len(ps), PadX: vg.Centimeter, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		row := [][]*plot.Plot{ps}
		for j, c := range plot.Align(row, tiles, dc)[0] {
			ps[j].Draw(c)
		}
	})
}
