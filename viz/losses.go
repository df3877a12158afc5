package viz

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// LossFigure holds the curves: the training loss per point at every epoch
// (epoch i+1 is EveryTrain[i]; may be nil) and the reported train and
// validation losses at Epochs.
type LossFigure struct {
	EveryTrain         []float64
	Epochs, Train, Val []float64
}

// Losses draws the train and validation loss per point against epoch. The
// y axis is logarithmic when every loss is positive (the early losses are
// thousands of times the late ones).
func Losses(path string, f LossFigure) error {
	if _, err := Format(path); err != nil {
		return err
	}
	epochs, train, val := f.Epochs, f.Train, f.Val
	if err := checkSeries([]string{"epochs", "train", "val"}, epochs, train, val); err != nil {
		return err
	}
	if len(f.EveryTrain) > 0 {
		if err := checkSeries([]string{"every-epoch train"}, f.EveryTrain); err != nil {
			return err
		}
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
	for _, v := range f.EveryTrain {
		positive = positive && v > 0
	}
	if positive {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Label.Text = "loss per point (log scale)"
	}
	if len(f.EveryTrain) > 0 {
		all := make([]float64, len(f.EveryTrain))
		for i := range all {
			all[i] = float64(i + 1)
		}
		l, err := plotter.NewLine(xys(all, f.EveryTrain))
		if err != nil {
			return fmt.Errorf("viz: losses: %w", err)
		}
		l.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 70}
		l.Width = vg.Points(0.5)
		p.Add(l)
		p.Legend.Add("train (every epoch)", l)
	}
	for _, s := range []struct {
		name string
		ys   []float64
		c    color.Color
		dash []vg.Length
	}{
		{"train (reported)", train, color.NRGBA{R: 31, G: 119, B: 180, A: 255}, nil},
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

// logTicks labels 1, 2 and 5 times each power of ten, with unlabelled minor
// ticks between: plot.LogTicks labels only the powers, which leaves a
// one-decade axis with a single label.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for p := math.Floor(math.Log10(min)); p <= math.Ceil(math.Log10(max)); p++ {
		base := math.Pow(10, p)
		for m := 1; m < 10; m++ {
			v := float64(m) * base
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 3 { // a narrow range: label every tick
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	if len(ticks) < 2 { // inside one step of the mantissas (one epoch): plot's own ticks
		if !(min > 0 && max > min) {
			return positiveTicks(nil, min, max)
		}
		ticks = positiveTicks(plot.DefaultTicks{}.Ticks(min, max), min, max)
	}
	return ticks
}

// positiveTicks keeps the ticks a log axis can draw (> 0); if fewer than
// two labelled ones are left, it labels the axis ends instead. A range of
// one value (min == max) gets that value.
func positiveTicks(ticks []plot.Tick, min, max float64) []plot.Tick {
	var out []plot.Tick
	labels := 0
	for _, t := range ticks {
		if t.Value > 0 && !math.IsInf(t.Value, 0) {
			out = append(out, t)
			if t.Label != "" {
				labels++
			}
		}
	}
	if labels >= 2 {
		return out
	}
	out = nil
	for _, v := range []float64{min, max} {
		if v > 0 && !math.IsInf(v, 0) && (len(out) == 0 || out[0].Value != v) {
			out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 3, 64)})
		}
	}
	return out
}
