package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// BenchSeries is one backend's timings at one workload shape (data size and
// depth) against hidden width: one line in each panel of the bench figure.
type BenchSeries struct {
	Name   string    // legend entry, e.g. "bbb-cpu: cpu AMD EPYC (openblas, 1 thread)"
	Color  int       // palette index: the series of one backend share a colour
	Dash   int       // line style index: one per workload shape (0: solid)
	Hidden []float64 // x: hidden widths
	Epoch  []float64 // seconds per training epoch at each width
	Pass   []float64 // seconds per predictive pass at each width
}

// BenchFigure is the bench sweep: seconds per epoch (left panel) and per
// predictive pass (right panel) against hidden width, log-log, a line per
// series, one legend below both panels.
type BenchFigure struct {
	EpochTitle, PassTitle string // panel titles; empty: generic ones
	Series                []BenchSeries
}

var seriesColors = []color.Color{
	color.NRGBA{R: 31, G: 119, B: 180, A: 255},  // blue
	color.NRGBA{R: 214, G: 39, B: 40, A: 255},   // red
	color.NRGBA{R: 44, G: 160, B: 44, A: 255},   // green
	color.NRGBA{R: 255, G: 127, B: 14, A: 255},  // orange
	color.NRGBA{R: 148, G: 103, B: 189, A: 255}, // purple
	color.NRGBA{R: 140, G: 86, B: 75, A: 255},   // brown
}

var seriesDashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}}

var seriesGlyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}

// Bench draws the bench figure. Every value must be finite and positive
// (the axes are logarithmic).
func Bench(path string, f BenchFigure) error {
	format, err := Format(path)
	if err != nil {
		return err
	}
	if len(f.Series) == 0 {
		return fmt.Errorf("%w: no series", ErrData)
	}
	var widths []float64
	for _, s := range f.Series {
		if err := checkSeries([]string{s.Name + " hidden", s.Name + " s/epoch", s.Name + " s/pass"}, s.Hidden, s.Epoch, s.Pass); err != nil {
			return err
		}
		for k := range s.Hidden {
			if !(s.Hidden[k] > 0 && s.Epoch[k] > 0 && s.Pass[k] > 0) {
				return fmt.Errorf("%w: %s: non-positive value on a log axis", ErrData, s.Name)
			}
		}
		widths = append(widths, s.Hidden...)
	}
	slices.Sort(widths)
	widths = slices.Compact(widths)

	epochTitle, passTitle := f.EpochTitle, f.PassTitle
	if epochTitle == "" {
		epochTitle = "Training: seconds per epoch"
	}
	if passTitle == "" {
		passTitle = "Prediction: seconds per predictive pass"
	}
	left, lines, err := benchPanel(epochTitle, "seconds per epoch", widths, f.Series, func(s BenchSeries) []float64 { return s.Epoch })
	if err != nil {
		return err
	}
	right, _, err := benchPanel(passTitle, "seconds per pass", widths, f.Series, func(s BenchSeries) []float64 { return s.Pass })
	if err != nil {
		return err
	}

	// The legend gets its own strip below the panels, so it never hides a
	// line: in columns of at most legendRows entries, fewer columns where
	// the names are too long to sit side by side.
	const legendRows = 4
	style := plot.NewLegend()
	style.TextStyle.Font.Size = vg.Points(11)
	style.Top, style.Left = true, true
	style.ThumbnailWidth = vg.Points(28)
	style.Padding = vg.Points(3)
	var nameWidth vg.Length
	for _, s := range f.Series {
		nameWidth = max(nameWidth, style.TextStyle.Width(s.Name))
	}
	colWidth := style.ThumbnailWidth + style.TextStyle.Width("  ") + nameWidth + vg.Centimeter
	cols := (len(f.Series) + legendRows - 1) / legendRows
	for cols > 1 && vg.Length(cols)*colWidth > width-vg.Centimeter {
		cols--
	}
	rows := (len(f.Series) + cols - 1) / cols
	legends := make([]plot.Legend, cols)
	for i := range legends {
		legends[i] = style
	}
	for i, s := range f.Series {
		legends[i/rows].Add(s.Name, lines[i][0], lines[i][1])
	}
	var strip vg.Length
	for i := range legends {
		r := legends[i].Rectangle(draw.Canvas{})
		strip = max(strip, r.Max.Y-r.Min.Y)
	}
	strip += style.TextStyle.FontExtents().Descent + vg.Points(12)
	w, h := width, height+strip

	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return fmt.Errorf("viz: %s: %w", path, err)
	}
	dc := draw.New(c)
	top := dc
	top.Min.Y += strip
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	panels := plot.Align([][]*plot.Plot{{left, right}}, tiles, top)
	left.Draw(panels[0][0])
	right.Draw(panels[0][1])
	for i := range legends {
		lc := dc
		lc.Max.Y = dc.Min.Y + strip - vg.Points(4)
		lc.Min.X = dc.Min.X + vg.Centimeter + vg.Length(i)*colWidth
		lc.Max.X = lc.Min.X + colWidth
		legends[i].Draw(lc)
	}
	return atomicio.WriteFile(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}

// benchPanel is one log-log panel: y(s) against hidden width for every
// series. It returns each series' line and points for the legend.
func benchPanel(title, ylabel string, widths []float64, series []BenchSeries, y func(BenchSeries) []float64) (*plot.Plot, [][2]plot.Thumbnailer, error) {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = "hidden width"
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(11)
	}
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = widthTicks(widths)
	p.Y.Tick.Marker = secondTicks{}
	// Room around the extreme points on the log axes: a tenth of a decade.
	p.X.Min, p.X.Max = widths[0]/1.26, widths[len(widths)-1]*1.26
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range y(s) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	p.Y.Min, p.Y.Max = lo/1.26, hi*1.26
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 220}
	grid.Horizontal.Color = color.Gray{Y: 220}
	p.Add(grid)
	var thumbs [][2]plot.Thumbnailer
	for _, s := range series {
		x, v := append([]float64(nil), s.Hidden...), append([]float64(nil), y(s)...)
		sortBy(x, v)
		l, pts, err := plotter.NewLinePoints(xys(x, v))
		if err != nil {
			return nil, nil, err
		}
		c := seriesColors[s.Color%len(seriesColors)]
		l.Color, pts.Color = c, c
		l.Width = vg.Points(1.8)
		l.Dashes = seriesDashes[s.Dash%len(seriesDashes)]
		pts.Shape = seriesGlyphs[s.Color%len(seriesGlyphs)]
		pts.Radius = vg.Points(3.5)
		p.Add(l, pts)
		thumbs = append(thumbs, [2]plot.Thumbnailer{l, pts})
	}
	return p, thumbs, nil
}

// sortBy sorts x ascending and v with it.
func sortBy(x, v []float64) {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	xs, vs := make([]float64, len(x)), make([]float64, len(v))
	for i, j := range idx {
		xs[i], vs[i] = x[j], v[j]
	}
	copy(x, xs)
	copy(v, vs)
}

// widthTicks labels every swept width, or the powers of two when there
// are too many to read.
func widthTicks(widths []float64) plot.Ticker {
	if len(widths) <= 10 {
		var ticks []plot.Tick
		for _, w := range widths {
			ticks = append(ticks, plot.Tick{Value: w, Label: strconv.FormatFloat(w, 'g', -1, 64)})
		}
		return plot.ConstantTicks(ticks)
	}
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ticks []plot.Tick
		for v := math.Exp2(math.Ceil(math.Log2(min))); v <= max; v *= 2 {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
		return ticks
	})
}

// secondTicks marks 1 to 9 times each power of ten and labels some of
// them in seconds with SI prefixes ("20 ms", "1 s"): 1, 2 and 5 over a
// wide range, more where the range is narrow, every tick below a decade.
type secondTicks struct{}

func (secondTicks) Ticks(min, max float64) []plot.Tick {
	labelled := map[int]bool{1: true, 2: true, 5: true}
	switch decades := math.Log10(max / min); {
	case decades > 4:
		labelled = map[int]bool{1: true}
	case decades < 0.7:
		labelled = map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}
	case decades < 1.5:
		labelled = map[int]bool{1: true, 2: true, 3: true, 5: true}
	}
	var ticks []plot.Tick
	labels := 0
	for p := math.Floor(math.Log10(min)); p <= math.Ceil(math.Log10(max)); p++ {
		for m := 1; m < 10; m++ {
			v := float64(m) * math.Pow(10, p)
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled[m] {
				t.Label = formatSeconds(v)
				labels++
			}
			ticks = append(ticks, t)
		}
	}
	if labels < 2 { // a range inside one step of the mantissas: plot's own ticks
		if !(min > 0 && max > min) {
			return positiveTicks(nil, min, max)
		}
		ticks = positiveTicks(plot.DefaultTicks{}.Ticks(min, max), min, max)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = formatSeconds(ticks[i].Value)
			}
		}
	}
	return ticks
}

// formatSeconds writes a round number of seconds as "5 µs", "20 ms", "1 s".
func formatSeconds(v float64) string {
	for _, u := range []struct {
		scale float64
		name  string
	}{{1, "s"}, {1e-3, "ms"}, {1e-6, "µs"}, {1e-9, "ns"}} {
		if v >= u.scale*0.999 {
			return strconv.FormatFloat(v/u.scale, 'g', 3, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " s"
}
