package sweep

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/viz"
)

// PlotAxes are the plan's axes a figure can show: lists of more than one
// value, the seed excepted (it makes the error bars).
func PlotAxes(plan *Plan) []string {
	var out []string
	for _, a := range plan.Axes {
		if a != seedFlag && len(axisValues(plan, a)) > 1 {
			out = append(out, a)
		}
	}
	return out
}

// axisValues are the axis's values in grid order.
func axisValues(plan *Plan, axis string) []string {
	var vs []string
	for _, p := range plan.Points {
		if v := p.Values[axis]; !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	return vs
}

// FigureAxes picks the figure's axes: x and by as given (each must be one
// of PlotAxes, by may be ""), else the first two of PlotAxes. ok is false
// when the grid has no axis to draw against.
func FigureAxes(plan *Plan, x, by string) (string, string, bool, error) {
	axes := PlotAxes(plan)
	for _, c := range []struct{ flag, v string }{{"--x", x}, {"--by", by}} {
		if c.v == "seed" || c.v == "seeds" {
			return "", "", false, fmt.Errorf("%s %s: the seeds are averaged over, not an axis (each point of the figure is their mean; want one of: %s)", c.flag, c.v, strings.Join(axes, ", "))
		}
		if c.v != "" && !slices.Contains(axes, c.v) {
			return "", "", false, fmt.Errorf("%s %s: not an axis of the grid with more than one value (want one of: %s)", c.flag, c.v, strings.Join(axes, ", "))
		}
	}
	if x != "" && x == by {
		return "", "", false, fmt.Errorf("--by %s: the same axis as --x", by)
	}
	rest := slices.DeleteFunc(slices.Clone(axes), func(a string) bool { return a == x || a == by })
	if x == "" {
		if len(rest) == 0 && by != "" {
			return "", "", false, fmt.Errorf("--by %s: the grid's only axis with more than one value, which the figure draws along x (leave --by out)", by)
		}
		if len(rest) == 0 {
			return "", "", false, nil
		}
		x, rest = rest[0], rest[1:]
	}
	if by == "" && len(rest) > 0 && len(PlotAxes(plan)) > 1 {
		by = rest[0]
	}
	return x, by, true, nil
}

// Figure is the metric against axis x, one line per value of by (one line
// when by is ""), the mean over seeds with its standard deviation as the
// error bar. Where other axes vary too, each point of a line is the group
// with the best mean among those of its x and by.
func Figure(plan *Plan, rows []Row, metric, x, by string, maximize bool) viz.SweepFigure {
	xs := axisValues(plan, x)
	bys := []string{""}
	if by != "" {
		bys = axisValues(plan, by)
	}
	f := viz.SweepFigure{Title: "bbb sweep: " + metric + " (mean and sd over seeds)", XLabel: x, YLabel: metric, X: xs}
	if others := len(PlotAxes(plan)) - 1 - min(1, len(by)); others > 0 {
		f.Title += ", other axes at their best"
	}
	groups := Groups(rows, metric)
	for _, b := range bys {
		line := viz.SweepLine{Name: by + "=" + b, Mean: nanSlice(len(xs)), Std: nanSlice(len(xs))}
		if by == "" {
			line.Name = metric
		}
		for k, xv := range xs {
			for _, g := range groups {
				p := g.Points[0]
				if p.Values[x] != xv || (by != "" && p.Values[by] != b) {
					continue
				}
				if m := line.Mean[k]; math.IsNaN(m) || (maximize && g.Mean > m) || (!maximize && g.Mean < m) {
					line.Mean[k], line.Std[k] = g.Mean, g.Std
				}
			}
		}
		f.Lines = append(f.Lines, line)
	}
	return f
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
