package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Backend is one report in a comparison: this run's or another's, read
// from a file.
type Backend struct {
	Report
	Label string // short and unique, for the table's columns (Label sets it)
	File  string // where the report came from; empty for this run's
}

// Label gives each backend a short label for the table and the figure:
// bbb-<device> for this project's builds, torch-<device> for PyTorch's; a
// label taken already gets #2, #3, ... It sets bs's labels and returns bs.
func Label(bs []Backend) []Backend {
	seen := map[string]int{}
	for i := range bs {
		l := "bbb-" + bs[i].Device
		if strings.HasPrefix(bs[i].Ops, "pytorch") {
			l = "torch-" + bs[i].Device
		}
		seen[l]++
		if seen[l] > 1 {
			l += "#" + strconv.Itoa(seen[l])
		}
		bs[i].Label = l
	}
	return bs
}

// Details describes how a backend ran: "openblas, 1 thread, fused ops,
// float32". The host GEMM and its threads are left out of GPU runs of this
// project's builds, where they do not describe the run.
func (b Backend) Details() string {
	var parts []string
	torch := strings.HasPrefix(b.Ops, "pytorch")
	if torch {
		parts = append(parts, b.Ops)
	}
	if b.GEMM != "" && (torch || b.Device == "cpu") {
		parts = append(parts, b.GEMM)
	}
	if b.Threads > 0 && b.Device == "cpu" {
		parts = append(parts, plural(b.Threads, "thread"))
	}
	if b.Ops != "" && !torch {
		parts = append(parts, b.Ops+" ops")
	}
	if b.Dtype != "" {
		parts = append(parts, b.Dtype)
	}
	return strings.Join(append(parts, b.Model.differences()...), ", ")
}

// differences name what m's step computes beyond the seed's (the normal
// prior's Monte Carlo KL, the fixed likelihood, the full batch and one
// draw), so that a comparison of two models' timings shows in the table:
// "mixture:0.5,1,0.0025 prior, 64-row minibatches". None for nil.
func (m *Model) differences() []string {
	if m == nil {
		return nil
	}
	var out []string
	if m.Prior != "normal:0,1" {
		out = append(out, m.Prior+" prior")
	}
	if m.KL != "mc" {
		out = append(out, m.KL+" KL")
	}
	if m.Likelihood != "fixed" {
		out = append(out, m.Likelihood+" likelihood")
	}
	if m.Estimator != "reparam" {
		out = append(out, m.Estimator+" reparameterisation")
	}
	if m.BatchSize > 0 {
		out = append(out, strconv.Itoa(m.BatchSize)+"-row minibatches")
	}
	if m.MCSamples > 1 {
		out = append(out, strconv.Itoa(m.MCSamples)+" draws a step")
	}
	return out
}

// plural writes "1 layer", "5 layers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Name is the device and its name: "cpu AMD EPYC 7B13".
func (b Backend) Name() string { return strings.TrimSpace(b.Device + " " + b.DeviceName) }

type sizeKey struct{ points, hidden, layers int }

func (b Backend) find(k sizeKey) *Row {
	for i := range b.Rows {
		if r := &b.Rows[i]; r.Points == k.points && r.Hidden == k.hidden && r.Layers == k.layers {
			return r
		}
	}
	return nil
}

// sizes is every (points, hidden, layers) in any backend, sorted.
func sizes(bs []Backend) []sizeKey {
	var keys []sizeKey
	for _, b := range bs {
		for _, r := range b.Rows {
			keys = append(keys, sizeKey{r.Points, r.Hidden, r.Layers})
		}
	}
	slices.SortFunc(keys, func(a, b sizeKey) int {
		if a.points != b.points {
			return a.points - b.points
		}
		if a.layers != b.layers {
			return a.layers - b.layers
		}
		return a.hidden - b.hidden
	})
	return slices.Compact(keys)
}

// Table prints the backends (labelled: Label), then one row per size of
// any of them ("-" where one lacks it): s/epoch and s/pass of each
// backend, and the first's time over each other's. bs[0] is this build's;
// the others name their File. An empty bs prints nothing.
func Table(w io.Writer, bs []Backend) {
	if len(bs) == 0 {
		return
	}
	fmt.Fprintf(w, "backends (vs X: this build's seconds / X's seconds; under 1: this build is faster):\n")
	lw := 0
	for _, b := range bs {
		lw = max(lw, len(b.Label))
	}
	for i, b := range bs {
		from := "this build"
		if i > 0 {
			from = b.File
		}
		fmt.Fprintf(w, "  %-*s  %s (%s) [%s]\n", lw, b.Label, b.Name(), b.Details(), from)
	}
	fmt.Fprintln(w)

	type column struct {
		head  string
		cells []string
	}
	type group struct {
		title string
		cols  []column
	}
	keys := sizes(bs)
	sec := func(r *Row, pass bool) string {
		switch {
		case r == nil:
			return "-"
		case pass:
			return sigFigs(r.PredictSecondsPass, 4)
		}
		return sigFigs(r.StepSecondsMedian, 4)
	}
	ratio := func(a, b float64) string {
		if !(a > 0 && b > 0) {
			return "-"
		}
		return sigFigs(a/b, 3)
	}
	size := group{cols: []column{{head: "points"}, {head: "hidden"}, {head: "layers"}, {head: "madds/epoch"}}}
	for _, k := range keys {
		size.cols[0].cells = append(size.cols[0].cells, strconv.Itoa(k.points))
		size.cols[1].cells = append(size.cols[1].cells, strconv.Itoa(k.hidden))
		size.cols[2].cells = append(size.cols[2].cells, strconv.Itoa(k.layers))
		size.cols[3].cells = append(size.cols[3].cells, fmt.Sprintf("%.3g", MAdds(k.points, k.hidden, k.layers)))
	}
	groups := []group{size}
	for _, b := range bs {
		g := group{title: b.Label, cols: []column{{head: "s/epoch"}, {head: "s/pass"}}}
		for _, k := range keys {
			r := b.find(k)
			g.cols[0].cells = append(g.cols[0].cells, sec(r, false))
			g.cols[1].cells = append(g.cols[1].cells, sec(r, true))
		}
		groups = append(groups, g)
	}
	for _, b := range bs[1:] {
		g := group{title: "vs " + b.Label, cols: []column{{head: "epoch"}, {head: "pass"}}}
		for _, k := range keys {
			r0, r := bs[0].find(k), b.find(k)
			if r0 == nil || r == nil {
				g.cols[0].cells = append(g.cols[0].cells, "-")
				g.cols[1].cells = append(g.cols[1].cells, "-")
				continue
			}
			g.cols[0].cells = append(g.cols[0].cells, ratio(r0.StepSecondsMedian, r.StepSecondsMedian))
			g.cols[1].cells = append(g.cols[1].cells, ratio(r0.PredictSecondsPass, r.PredictSecondsPass))
		}
		groups = append(groups, g)
	}

	// Column widths: the widest cell or head; a group title wider than its
	// columns widens the last one. Groups are three spaces apart.
	const colSep, groupSep = "  ", "   "
	widths := make([][]int, len(groups))
	for gi, g := range groups {
		span := -len(colSep)
		for _, c := range g.cols {
			cw := len(c.head)
			for _, cell := range c.cells {
				cw = max(cw, len(cell))
			}
			widths[gi] = append(widths[gi], cw)
			span += cw + len(colSep)
		}
		if len(g.title) > span {
			widths[gi][len(g.cols)-1] += len(g.title) - span
		}
	}
	line := func(cell func(g group, gi, ci int) string) {
		var sb strings.Builder
		for gi, g := range groups {
			if gi > 0 {
				sb.WriteString(groupSep)
			}
			for ci := range g.cols {
				if ci > 0 {
					sb.WriteString(colSep)
				}
				fmt.Fprintf(&sb, "%*s", widths[gi][ci], cell(g, gi, ci))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(sb.String(), " "))
	}
	var sb strings.Builder // the group titles, right-aligned over their columns
	for gi, g := range groups {
		if gi > 0 {
			sb.WriteString(groupSep)
		}
		span := -len(colSep)
		for _, cw := range widths[gi] {
			span += cw + len(colSep)
		}
		fmt.Fprintf(&sb, "%*s", span, g.title)
	}
	fmt.Fprintln(w, strings.TrimRight(sb.String(), " "))
	line(func(g group, _, ci int) string { return g.cols[ci].head })
	for i := range keys {
		line(func(g group, _, ci int) string { return g.cols[ci].cells[i] })
	}
}

// sigFigs writes v with n significant digits and no exponent: 0.0001234,
// 0.5, 12.3. Non-positive or non-finite values are written as they are.
func sigFigs(v float64, n int) string {
	if !(v > 0) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', n, 64)
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'e', n-1, 64), 64) // round first: 9.9996 is 10.00
	decimals := max(0, n-1-int(math.Floor(math.Log10(v))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
