package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// benchRow is one workload size's timings (bench.json).
type benchRow struct {
	Points             int     `json:"points"`
	Hidden             int     `json:"hidden"`
	Layers             int     `json:"layers"`
	MaddsPerEpoch      float64 `json:"madds_per_epoch"` // multiply-adds of the matrix products, forward + backward
	Steps              int     `json:"steps"`
	StepSecondsMedian  float64 `json:"step_seconds_median"`
	StepSecondsMin     float64 `json:"step_seconds_min"`
	PredictPasses      int     `json:"predict_passes"`
	PredictInputs      int     `json:"predict_inputs"`
	PredictSeconds     float64 `json:"predict_seconds"`
	PredictSecondsPass float64 `json:"predict_seconds_per_pass"`
}

// benchReport is bench.json.
type benchReport struct {
	Device     string     `json:"device"`
	DeviceName string     `json:"device_name"`
	Dtype      string     `json:"dtype"`
	Ops        string     `json:"ops"`
	GEMM       string     `json:"gemm"`
	Workers    int        `json:"workers"`
	Rows       []benchRow `json:"rows"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var m modelFlags
	var hiddenList, pointList, layerList, compare, out, format string
	var steps, warmup, passes int
	var minSeconds float64
	var quiet bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	m.register(fs)
	fs.StringVar(&hiddenList, "hidden-sizes", "20,64,128,256", "comma-separated hidden widths to sweep (the GPU sweep adds 512,1024)")
	fs.StringVar(&pointList, "points-list", "", "comma-separated data sizes to sweep (default: --points)")
	fs.StringVar(&layerList, "layers-list", "", "comma-separated layer counts to sweep (default: --layers)")
	fs.IntVar(&steps, "epochs", 30, "timed training steps per size at most")
	fs.Float64Var(&minSeconds, "seconds", 2, "stop timing a size after this many seconds (at least 3 steps)")
	fs.IntVar(&warmup, "warmup", 3, "untimed steps first")
	fs.IntVar(&passes, "samples", 50, "predictive passes timed per size over the validation inputs")
	fs.StringVar(&compare, "compare", "", "bench.json of another build (e.g. the GPU's) to put in the same table and figure")
	fs.StringVar(&out, "out", "out/bench", "output directory for bench.json and the figure")
	fs.StringVar(&format, "format", "png", "figure format: png, svg or pdf")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if !isSet(fs, "workers") {
		m.workers = 1 // one core per device, like the training loop
	}
	if err := m.check(); err != nil {
		return err
	}
	hiddens, err := intList("--hidden-sizes", hiddenList)
	if err != nil {
		return err
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
	case steps < 3:
		return usagef("--epochs %d: need at least 3", steps)
	case warmup < 0:
		return usagef("--warmup %d: need a value >= 0", warmup)
	case passes < 2:
		return usagef("--samples %d: need at least 2", passes)
	case !(minSeconds > 0):
		return usagef("--seconds %v: need a value > 0", minSeconds)
	}
	if _, err := viz.Format("x." + format); err != nil {
		return usagef("--format %q: want png, svg or pdf", format)
	}
	var other *benchReport
	if compare != "" {
		if other, err = readBench(compare); err != nil {
			return usagef("--compare %s: %v", compare, err)
		}
	}
	if err := checkOutDir("--out", out); err != nil {
		return err
	}

	device, name := deviceName(m.device)
	rep := benchReport{Device: device, DeviceName: name, Dtype: m.dtype, Ops: m.ops(), GEMM: linalg.Backend(), Workers: m.workers}
	for _, p := range points {
		for _, l := range layers {
			for _, h := range hiddens {
				if err := ctx.Err(); err != nil {
					return err
				}
				mf := m
				mf.points, mf.hidden, mf.layers = p, h, l
				row, err := benchOne(mf, steps, warmup, passes, minSeconds)
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
	if err := atomicio.WriteFile(join(out, "bench.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}); err != nil {
		return err
	}
	reports := []benchReport{rep}
	if other != nil {
		reports = append(reports, *other)
	}
	printBenchTable(stdout, reports)
	fig := viz.BenchFigure{Title: "Training time per epoch", XLabel: "multiply-adds per epoch (matrix products, forward + backward)"}
	for _, r := range reports {
		s := viz.BenchSeries{Name: fmt.Sprintf("%s %s (%s, %s)", r.Device, r.DeviceName, r.Dtype, r.GEMM)}
		for _, row := range r.Rows {
			s.Sizes = append(s.Sizes, row.MaddsPerEpoch)
			s.Seconds = append(s.Seconds, row.StepSecondsMedian)
			s.Labels = append(s.Labels, fmt.Sprintf("n=%d h=%d l=%d ", row.Points, row.Hidden, row.Layers))
		}
		fig.Series = append(fig.Series, s)
	}
	return viz.Bench(join(out, "bench."+format), fig)
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

func readBench(path string) (*benchReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	var r benchReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if len(r.Rows) == 0 {
		return nil, fmt.Errorf("no rows")
	}
	return &r, nil
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

// benchOne times training steps and predictive passes at one size.
func benchOne(m modelFlags, steps, warmup, passes int, minSeconds float64) (benchRow, error) {
	cfg := m.trainConfig()
	cfg.Epochs = warmup + steps
	cfg.ReportEvery = cfg.Epochs
	data, err := train.MakeData(cfg.Data, cfg.Seed)
	if err != nil {
		return benchRow{}, err
	}
	tr, err := train.NewTrainer(cfg, data)
	if err != nil {
		return benchRow{}, err
	}
	defer tr.Close()
	for i := 0; i < warmup; i++ {
		if _, err := tr.Step(); err != nil {
			return benchRow{}, err
		}
	}
	var times []float64
	start := time.Now()
	for i := 0; i < steps; i++ {
		t0 := time.Now()
		if _, err := tr.Step(); err != nil {
			return benchRow{}, err
		}
		times = append(times, time.Since(t0).Seconds())
		if i >= 2 && time.Since(start).Seconds() > minSeconds {
			break
		}
	}
	slices.Sort(times)
	row := benchRow{
		Points: m.points, Hidden: m.hidden, Layers: m.layers, MaddsPerEpoch: madds(m.points, m.hidden, m.layers),
		Steps: len(times), StepSecondsMedian: median(times), StepSecondsMin: times[0],
		PredictPasses: passes, PredictInputs: data.Val.Len(),
	}
	t0 := time.Now()
	if _, err := train.Predict(tr.Net, data.Val.X, passes, m.workers, cfg.Seed); err != nil {
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

// printBenchTable prints one row per size with a column per report and,
// for two reports, the ratio of the first's time to the second's.
func printBenchTable(w io.Writer, reps []benchReport) {
	fmt.Fprintf(w, "%8s %7s %6s %12s", "points", "hidden", "layers", "madds/epoch")
	for _, r := range reps {
		fmt.Fprintf(w, " %16s", r.Device+" s/epoch")
	}
	if len(reps) == 2 {
		fmt.Fprintf(w, " %10s", reps[0].Device+"/"+reps[1].Device)
	}
	for _, r := range reps {
		fmt.Fprintf(w, " %16s", r.Device+" s/pass")
	}
	fmt.Fprintln(w)
	type key struct{ p, h, l int }
	seen := map[key]bool{}
	var keys []key
	for _, r := range reps {
		for _, row := range r.Rows {
			k := key{row.Points, row.Hidden, row.Layers}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	find := func(r benchReport, k key) *benchRow {
		for i := range r.Rows {
			if row := &r.Rows[i]; row.Points == k.p && row.Hidden == k.h && row.Layers == k.l {
				return row
			}
		}
		return nil
	}
	for _, k := range keys {
		fmt.Fprintf(w, "%8d %7d %6d %12.3g", k.p, k.h, k.l, madds(k.p, k.h, k.l))
		var ts []float64
		for _, r := range reps {
			if row := find(r, k); row != nil {
				fmt.Fprintf(w, " %16.5f", row.StepSecondsMedian)
				ts = append(ts, row.StepSecondsMedian)
			} else {
				fmt.Fprintf(w, " %16s", "-")
				ts = append(ts, 0)
			}
		}
		if len(reps) == 2 {
			if ts[0] > 0 && ts[1] > 0 {
				fmt.Fprintf(w, " %10.2f", ts[0]/ts[1])
			} else {
				fmt.Fprintf(w, " %10s", "-")
			}
		}
		for _, r := range reps {
			if row := find(r, k); row != nil {
				fmt.Fprintf(w, " %16.5f", row.PredictSecondsPass)
			} else {
				fmt.Fprintf(w, " %16s", "-")
			}
		}
		fmt.Fprintln(w)
	}
}
