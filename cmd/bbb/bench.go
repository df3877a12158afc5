package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// benchRow is one workload size's timings (bench.json).
type benchRow struct {
	Points            int     `json:"points"`
	Hidden            int     `json:"hidden"`
	Layers            int     `json:"layers"`
	MaddsPerEpoch     float64 `json:"madds_per_epoch"` // multiply-adds of the matrix products, forward + backward
	Steps             int     `json:"steps"`
	StepSecondsMedian float64 `json:"step_seconds_median"` // per step, from chunks of benchChunk steps
	StepSecondsMin    float64 `json:"step_seconds_min"`
	// One step timed alone, its loss read back at once (the GPU drained
	// before and after): the median. 0 in files from before the key.
	SyncedSecondsMedian float64 `json:"step_seconds_synced_median,omitempty"`
	PredictPasses       int     `json:"predict_passes"`
	PredictInputs       int     `json:"predict_inputs"`
	PredictSeconds      float64 `json:"predict_seconds"`
	PredictSecondsPass  float64 `json:"predict_seconds_per_pass"`
}

// benchReport is bench.json.
type benchReport struct {
	Device     string     `json:"device"`
	DeviceName string     `json:"device_name"`
	Dtype      string     `json:"dtype"`
	Ops        string     `json:"ops"`
	GEMM       string     `json:"gemm"`
	Workers    int        `json:"workers"`
	Threads    int        `json:"threads"` // threads one GEMM may use (OpenBLAS's setting, or gonum's GOMAXPROCS); 0 in files from before the key
	Rows       []benchRow `json:"rows"`
	// The binary and BLAS that made the timings (absent from --compare
	// files of other tools and from before the key).
	Build *train.Build `json:"build,omitempty"`
}

// backend is one bench.json in the comparison: this run's or a --compare file's.
type backend struct {
	benchReport
	label string // short and unique, for the table's columns
	file  string // where a --compare report came from
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var m modelFlags
	var hiddenList, pointList, layerList, compare, out, format string
	var steps, warmup, passes int
	var minSeconds float64
	var quiet bool
	var maxMemory memory.Limit
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	m.register(fs)
	// One core per device, like the training loop.
	m.workers = 1
	fs.Lookup("workers").DefValue = "1"
	fs.Lookup("hidden").Usage = "one hidden width to time (instead of --hidden-sizes)"
	fs.Lookup("hidden").DefValue = "0" // unset: --hidden-sizes
	fs.StringVar(&hiddenList, "hidden-sizes", "20,64,128,256", "comma-separated hidden widths to sweep (the GPU sweep adds 512,1024)")
	fs.StringVar(&pointList, "points-list", "", "comma-separated data sizes to sweep (default: --points)")
	fs.StringVar(&layerList, "layers-list", "", "comma-separated layer counts to sweep (default: --layers)")
	fs.IntVar(&steps, "epochs", 30, "timed training steps per size at most")
	fs.Float64Var(&minSeconds, "seconds", 2, "stop timing a size after this many seconds (at least 3 steps)")
	fs.IntVar(&warmup, "warmup", 3, "untimed steps first")
	fs.IntVar(&passes, "samples", 50, "predictive passes timed per size over the validation inputs")
	fs.StringVar(&compare, "compare", "", "comma-separated bench.json files of other backends (the CPU build's, scripts/torch_bench.py's, ...) to put in the same table and figure")
	fs.StringVar(&out, "out", "out/bench", "output directory for bench.json and the figure")
	fs.StringVar(&format, "format", "png", "figure format: png, svg or pdf")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")
	registerMaxMemory(fs, &maxMemory)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkFlagDeps(fs, explicitFlags(fs)); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return err
	}
	hiddens, err := intList("--hidden-sizes", hiddenList)
	if err != nil {
		return err
	}
	if isSet(fs, "hidden") { // (with --hidden-sizes: flagdeps.go)
		hiddens = []int{m.hidden}
	}
	points := []int{m.points}
	if pointList != "" {
		if points, err = intList("--points-list", pointList); err != nil {
			return err
		}
	}
	layers := []int{m.layers}
	if layerList != "" {
		if layers, err = intList("--layers-list", layerList); err != nil {
			return err
		}
	}
	switch {
	case steps < 3 || steps > maxBenchSteps:
		return usagef("--epochs %d: want 3 to %d (--seconds ends the timing sooner)", steps, maxBenchSteps)
	case warmup < 0 || warmup > maxBenchWarmup:
		return usagef("--warmup %d: want 0 to %d (untimed steps, which --seconds does not end)", warmup, maxBenchWarmup)
	case passes < 2:
		return usagef("--samples %d: need at least 2", passes)
	case !(minSeconds > 0):
		return usagef("--seconds %v: need a value > 0", minSeconds)
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	for _, p := range points {
		for _, l := range layers {
			for _, h := range hiddens {
				size := m
				size.layers, size.hidden = l, h
				hiddenFlag, layersFlag := "--hidden", "--layers"
				if !isSet(fs, "hidden") {
					hiddenFlag = "--hidden-sizes"
				}
				if layerList != "" {
					layersFlag = "--layers-list"
				}
				if err := checkDescAs(size.graphConfig(), hiddenFlag, layersFlag); err != nil {
					return err
				}
				s := memory.Sizes{Points: p, Hidden: h, Layers: l, Samples: passes, Workers: m.workers, Inputs: 1, DtypeBytes: dtypeBytes(m.dtype)}
				if pointList != "" { // name the list the size came from
					s.PointsFrom = fmt.Sprintf("--points-list %d", p)
				}
				if !isSet(fs, "hidden") {
					s.HiddenFrom = fmt.Sprintf("--hidden-sizes %d", h)
				}
				if layerList != "" {
					s.LayersFrom = fmt.Sprintf("--layers-list %d", l)
				}
				if err := checkMemory(s, maxMemory); err != nil {
					return err
				}
			}
		}
	}
	if m.paper.batchSize > 0 {
		for _, p := range points { // sizes checked above: making the data is cheap now
			d, err := data.MakeCurve(data.CurveConfig{N: p}, m.seed)
			if err != nil {
				return usagef("--points %d: %v", p, err)
			}
			if err := m.paper.checkBatch(d); err != nil {
				return err
			}
		}
	}
	plan := newPlan()
	var compared []string
	if compare != "" {
		for _, file := range strings.Split(compare, ",") {
			file = strings.TrimSpace(file)
			if file == "" {
				return usagef("--compare %q: empty file name in the list", compare)
			}
			plan.In("--compare", file)
			compared = append(compared, file)
		}
	}
	plan.OutDir("--out", out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	var others []backend
	for _, file := range compared {
		r, err := readBench(file)
		if err != nil {
			return usagef("--compare %s: %v", file, err)
		}
		others = append(others, backend{benchReport: *r, file: file})
	}
	rd, err := openRunDir("--out", out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run

	device, name := deviceName(m.device)
	rep := benchReport{Device: device, DeviceName: name, Dtype: m.dtype, Ops: m.ops(), GEMM: gemmBackend(), Workers: m.workers, Threads: linalg.Threads()}
	build := buildInfo()
	rep.Build = &build
	for _, p := range points {
		for _, l := range layers {
			for _, h := range hiddens {
				if err := interrupt.EnterStage(ctx, fmt.Sprintf("bench (points %d, hidden %d, layers %d)", p, h, l)); err != nil {
					return err
				}
				mf := m
				mf.points, mf.hidden, mf.layers = p, h, l
				row, err := benchOne(ctx, mf, steps, warmup, passes, minSeconds)
				if err != nil {
					return fmt.Errorf("bench points %d hidden %d layers %d: %w", p, h, l, err)
				}
				rep.Rows = append(rep.Rows, row)
				if !quiet {
					fmt.Fprintf(stderr, "%s points %d hidden %d layers %d: %.4gs per epoch (%d steps), %.4gs per pass\n",
						device, p, h, l, row.StepSecondsMedian, row.Steps, row.PredictSecondsPass)
				}
			}
		}
	}
	if err := atomicio.WriteFile(join(rd.Stage, "bench.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}); err != nil {
		return err
	}
	backends := labelBackends(append([]backend{{benchReport: rep}}, others...))
	printBenchTable(stdout, backends)
	if err := interrupt.EnterStage(ctx, "bench figure"); err != nil {
		return err
	}
	if err := viz.Bench(join(rd.Stage, "bench."+format), benchFigure(backends)); err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "replacing --out"); err != nil {
		return err
	}
	return rd.Commit()
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func intList(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, usagef("%s: %q is not a positive integer", flagName, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// maxBenchReport bounds a --compare file: a sweep of thousands of sizes is
// a few MiB of JSON.
const maxBenchReport = 64 << 20

// readBench reads a --compare file and checks everything the table and the
// figure use, so that a bad file is refused before the sweep: a device, at
// least one row, positive sizes, each size once, and finite times, those
// drawn on the figure's log axes above 0. The error names the field.
func readBench(path string) (*benchReport, error) {
	f, err := boundedio.Open(path, maxBenchReport)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var r benchReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *benchReport) validate() error {
	if strings.TrimSpace(r.Device) == "" {
		return fmt.Errorf("no \"device\"")
	}
	if len(r.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	seen := make(map[sizeKey]int, len(r.Rows))
	for i, row := range r.Rows {
		for _, c := range []struct {
			name string
			v    int
		}{{"points", row.Points}, {"hidden", row.Hidden}, {"layers", row.Layers}} {
			if c.v < 1 {
				return fmt.Errorf("rows[%d].%s %d: need a size >= 1", i, c.name, c.v)
			}
		}
		k := sizeKey{row.Points, row.Hidden, row.Layers}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("rows[%d]: points %d, hidden %d, layers %d again (rows[%d] has them)", i, k.points, k.hidden, k.layers, j)
		}
		seen[k] = i
		for _, c := range []struct {
			name     string
			v        float64
			positive bool // drawn on a log axis
		}{
			{"step_seconds_median", row.StepSecondsMedian, true}, {"predict_seconds_per_pass", row.PredictSecondsPass, true},
			{"step_seconds_min", row.StepSecondsMin, false}, {"step_seconds_synced_median", row.SyncedSecondsMedian, false},
			{"predict_seconds", row.PredictSeconds, false}, {"madds_per_epoch", row.MaddsPerEpoch, false},
		} {
			switch {
			case math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0:
				return fmt.Errorf("rows[%d].%s %v: need a finite value >= 0", i, c.name, c.v)
			case c.positive && c.v == 0:
				return fmt.Errorf("rows[%d].%s 0: need a time > 0", i, c.name)
			}
		}
	}
	return nil
}

// madds counts the multiply-adds of the matrix products in one epoch:
// forward x·w, backward g·wᵀ (not for the first layer) and xᵀ·g.
func madds(points, hidden, layers int) float64 {
	rows := float64(points - points/5)
	var total float64
	for i := 0; i < layers; i++ {
		in, out := float64(hidden), float64(hidden)
		if i == 0 {
			in = 1
		}
		if i == layers-1 {
			out = 1
		}
		mult := 3.0
		if i == 0 {
			mult = 2
		}
		total += mult * rows * in * out
	}
	return total
}

// benchChunk is how many training steps bench times together.
const benchChunk = 10

// benchOne times training steps and predictive passes at one size.
// The bounds of bench's step counts: the timed steps end at --seconds, so
// their bound only keeps warmup + steps from overflowing; the untimed
// warmup is not ended by --seconds, and a few steps suffice.
const (
	maxBenchSteps  = 1_000_000_000
	maxBenchWarmup = 10_000
)

func benchOne(ctx context.Context, m modelFlags, steps, warmup, passes int, minSeconds float64) (benchRow, error) {
	cfg := m.trainConfig()
	cfg.Epochs = warmup + steps + 3 // then 3 steps timed alone
	cfg.ReportEvery = cfg.Epochs
	data, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		return benchRow{}, err
	}
	tr, err := train.NewTrainer(cfg, data)
	if err != nil {
		return benchRow{}, err
	}
	defer tr.Close()
	if warmup > 0 {
		if _, err := tr.Steps(warmup); err != nil {
			return benchRow{}, err
		}
	}
	// Timed in chunks of benchChunk steps, one loss read per chunk, as
	// `bbb train` runs them (a resident network's host queues a step while
	// the GPU runs the one before; scripts/torch_bench.py times PyTorch
	// the same way).
	var times []float64
	chunk := max(1, min(benchChunk, steps/3))
	start := time.Now()
	for done := 0; done+chunk <= steps; done += chunk {
		if err := ctx.Err(); err != nil {
			return benchRow{}, err
		}
		t0 := time.Now()
		if _, err := tr.Steps(chunk); err != nil {
			return benchRow{}, err
		}
		times = append(times, time.Since(t0).Seconds()/float64(chunk))
		if len(times) >= 3 && time.Since(start).Seconds() > minSeconds {
			break
		}
	}
	// A few steps alone, each loss read at once.
	var synced []float64
	for i := 0; i < 3 && tr.Epoch() < cfg.Epochs; i++ {
		t0 := time.Now()
		if _, err := tr.Step(); err != nil {
			return benchRow{}, err
		}
		synced = append(synced, time.Since(t0).Seconds())
	}
	slices.Sort(synced)
	slices.Sort(times)
	row := benchRow{
		Points: m.points, Hidden: m.hidden, Layers: m.layers, MaddsPerEpoch: madds(m.points, m.hidden, m.layers),
		Steps: len(times) * chunk, StepSecondsMedian: median(times), StepSecondsMin: times[0],
		PredictPasses: passes, PredictInputs: data.Val.Len(),
	}
	if len(synced) > 0 {
		row.SyncedSecondsMedian = median(synced)
	}
	// Timed: the second call. The first builds what the sampler keeps (on
	// the GPU a machine: a CUDA context and its kernels), as PyTorch's
	// timing starts with its model and context already there.
	sampler := train.NewSampler(tr.Net, m.workers)
	sampler.Ctx = ctx
	defer sampler.Close()
	if _, err := sampler.Bands(data.Val.X, passes, cfg.Seed); err != nil {
		return benchRow{}, err
	}
	t0 := time.Now()
	if _, err := sampler.Bands(data.Val.X, passes, cfg.Seed); err != nil {
		return benchRow{}, err
	}
	row.PredictSeconds = time.Since(t0).Seconds()
	row.PredictSecondsPass = row.PredictSeconds / float64(passes)
	return row, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// labelBackends gives each backend a short label for the table: bbb-<device>
// for this project's builds, torch-<device> for PyTorch's; a label taken
// already gets #2, #3, ...
func labelBackends(bs []backend) []backend {
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
		bs[i].label = l
	}
	return bs
}

// details describes how a backend ran: "openblas, 1 thread, fused ops,
// float32". The host GEMM and its threads are left out of GPU runs of this
// project's builds, where they do not describe the run.
func (b backend) details() string {
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
	return strings.Join(parts, ", ")
}

// plural writes "1 layer", "5 layers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// name is the device and its name: "cpu AMD EPYC 7B13".
func (b backend) name() string { return strings.TrimSpace(b.Device + " " + b.DeviceName) }

type sizeKey struct{ points, hidden, layers int }

func (b backend) find(k sizeKey) *benchRow {
	for i := range b.Rows {
		if r := &b.Rows[i]; r.Points == k.points && r.Hidden == k.hidden && r.Layers == k.layers {
			return r
		}
	}
	return nil
}

// sizes is every (points, hidden, layers) in any backend, sorted.
func sizes(bs []backend) []sizeKey {
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

// printBenchTable prints the backends, then one row per size: s/epoch and
// s/pass of each backend, and this build's (the first's) time over each
// other backend's.
func printBenchTable(w io.Writer, bs []backend) {
	fmt.Fprintf(w, "backends (vs X: this build's seconds / X's seconds; under 1: this build is faster):\n")
	lw := 0
	for _, b := range bs {
		lw = max(lw, len(b.label))
	}
	for i, b := range bs {
		from := "this build"
		if i > 0 {
			from = b.file
		}
		fmt.Fprintf(w, "  %-*s  %s (%s) [%s]\n", lw, b.label, b.name(), b.details(), from)
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
	sec := func(r *benchRow, pass bool) string {
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
		size.cols[3].cells = append(size.cols[3].cells, fmt.Sprintf("%.3g", madds(k.points, k.hidden, k.layers)))
	}
	groups := []group{size}
	for _, b := range bs {
		g := group{title: b.label, cols: []column{{head: "s/epoch"}, {head: "s/pass"}}}
		for _, k := range keys {
			r := b.find(k)
			g.cols[0].cells = append(g.cols[0].cells, sec(r, false))
			g.cols[1].cells = append(g.cols[1].cells, sec(r, true))
		}
		groups = append(groups, g)
	}
	for _, b := range bs[1:] {
		g := group{title: "vs " + b.label, cols: []column{{head: "epoch"}, {head: "pass"}}}
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

// benchFigure draws every backend: a colour each, a line style per
// (points, layers) shape of this run's sweep (bs[0]). Sizes that only a
// --compare file has are in the table, not in the figure: its legend has
// an entry per backend and shape, and a file of thousands of shapes would
// make a figure of thousands of legend rows (minutes and a GB to draw).
func benchFigure(bs []backend) viz.BenchFigure {
	type shape struct{ points, layers int }
	var shapes []shape
	inputs := map[int]bool{}
	for _, k := range sizes(bs[:1]) {
		if s := (shape{k.points, k.layers}); !slices.Contains(shapes, s) {
			shapes = append(shapes, s)
		}
	}
	var f viz.BenchFigure
	for bi, b := range bs {
		for si, sh := range shapes {
			s := viz.BenchSeries{Name: fmt.Sprintf("%s: %s (%s)", b.label, b.name(), b.details()), Color: bi, Dash: si}
			if len(shapes) > 1 {
				s.Name += fmt.Sprintf(", %d points, %s", sh.points, plural(sh.layers, "layer"))
			}
			for _, r := range b.Rows {
				if r.Points == sh.points && r.Layers == sh.layers {
					s.Hidden = append(s.Hidden, float64(r.Hidden))
					s.Epoch = append(s.Epoch, r.StepSecondsMedian)
					s.Pass = append(s.Pass, r.PredictSecondsPass)
					inputs[r.PredictInputs] = true
				}
			}
			if len(s.Hidden) > 0 {
				f.Series = append(f.Series, s)
			}
		}
	}
	f.EpochTitle, f.PassTitle = "Training: seconds per epoch", "Prediction: seconds per predictive pass"
	if len(shapes) == 1 {
		sh := shapes[0]
		f.EpochTitle = fmt.Sprintf("Training: seconds per epoch (%d rows, %s)", sh.points-sh.points/5, plural(sh.layers, "layer"))
	}
	if len(inputs) == 1 {
		for n := range inputs {
			f.PassTitle = fmt.Sprintf("Prediction: seconds per pass over %d inputs", n)
		}
	}
	return f
}
