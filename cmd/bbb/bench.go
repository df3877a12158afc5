package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/memory"
)

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
	m.Workers = 1
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
	if err := parseChecked(fs, args, stdout); err != nil {
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
		hiddens = []int{m.Hidden}
	}
	points := []int{m.Points}
	if pointList != "" {
		if points, err = intList("--points-list", pointList); err != nil {
			return err
		}
	}
	layers := []int{m.Layers}
	if layerList != "" {
		if layers, err = intList("--layers-list", layerList); err != nil {
			return err
		}
	}
	switch {
	case steps < 3 || steps > bench.MaxSteps:
		return usagef("--epochs %d: want 3 to %d (--seconds ends the timing sooner)", steps, bench.MaxSteps)
	case warmup < 0 || warmup > bench.MaxWarmup:
		return usagef("--warmup %d: want 0 to %d (untimed steps, which --seconds does not end)", warmup, bench.MaxWarmup)
	case passes < 2:
		return usagef("--samples %d: need at least 2", passes)
	case !(minSeconds > 0):
		return usagef("--seconds %v: need a value > 0", minSeconds)
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	sw := bench.Sweep{Config: bench.Config{Train: m.trainConfig(), Steps: steps, Warmup: benchWarmup(warmup), Passes: passes, Seconds: minSeconds},
		Points: points, Layers: layers, Hidden: hiddens, Stage: interrupt.EnterStage}
	hiddenFlag, layersFlag := "--hidden", "--layers"
	if !isSet(fs, "hidden") {
		hiddenFlag = "--hidden-sizes"
	}
	if layerList != "" {
		layersFlag = "--layers-list"
	}
	for _, z := range sw.Sizes() {
		size := m
		size.Layers, size.Hidden = z.Layers, z.Hidden
		if err := checkDescAs(size.graphConfig(), hiddenFlag, layersFlag); err != nil {
			return err
		}
		s := memory.Sizes{Points: z.Points, Hidden: z.Hidden, Layers: z.Layers, Samples: passes, Workers: m.Workers, Inputs: 1, DtypeBytes: dtypeBytes(m.Dtype)}
		if pointList != "" { // name the list the size came from
			s.PointsFrom = fmt.Sprintf("--points-list %d", z.Points)
		}
		if !isSet(fs, "hidden") {
			s.HiddenFrom = fmt.Sprintf("--hidden-sizes %d", z.Hidden)
		}
		if layerList != "" {
			s.LayersFrom = fmt.Sprintf("--layers-list %d", z.Layers)
		}
		if err := checkMemory(s, maxMemory); err != nil {
			return err
		}
	}
	if m.BatchSize > 0 {
		for _, p := range points { // sizes checked above: making the data is cheap now
			d, err := data.MakeCurve(data.CurveConfig{N: p}, m.Seed)
			if err != nil {
				return usagef("--points %d: %v", p, err)
			}
			if err := flagError(m.CheckBatch(d)); err != nil {
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
	var others []bench.Backend
	for _, file := range compared {
		r, err := bench.Read(file)
		if err != nil {
			return usagef("--compare %s: %v", file, err)
		}
		others = append(others, bench.Backend{Report: *r, File: file})
	}
	rd, err := openRunDir("--out", out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run

	device, name := deviceName(m.device)
	rep := bench.Report{Device: device, DeviceName: name, Dtype: m.Dtype, Ops: m.ops(), GEMM: gemmBackend(), Workers: m.Workers, Threads: linalg.Threads()}
	build := buildInfo()
	rep.Build = &build
	sw.Device = device
	sw.Progress = progressTo(quiet, stderr)
	if rep.Rows, err = sw.Run(ctx); err != nil {
		return err
	}
	if err := bench.Save(ctx, rd.Stage, format, rep, others, stdout, interrupt.EnterStage); err != nil {
		return err
	}
	return rd.commitOut(ctx)
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

// benchWarmup is --warmup as bench.Config's Warmup, where 0 means the
// default: --warmup 0 is none.
func benchWarmup(warmup int) int {
	if warmup == 0 {
		return -1
	}
	return warmup
}
