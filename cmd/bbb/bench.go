package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/rundir"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var m modelFlags
	var b job.BenchSettings
	var maxMemory memory.Limit
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	m.register(fs)
	// One core per device, like the training loop.
	m.Workers = 1
	fs.Lookup("workers").DefValue = "1"
	fs.Lookup("hidden").Usage = "one hidden width to time (instead of --hidden-sizes)"
	fs.Lookup("hidden").DefValue = "0" // unset: --hidden-sizes
	settingflag.Define(fs, &b)
	registerMaxMemory(fs, &maxMemory)
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return err
	}
	hiddens, points, layers, err := b.Sizes(&m.ModelSettings, isSet(fs, "hidden")) // (--hidden with --hidden-sizes: flagdeps.go)
	if err != nil {
		return flagError(err)
	}
	if err := b.Check(); err != nil {
		return flagError(err)
	}
	if err := checkFormat(&b.Format); err != nil {
		return err
	}
	sw := bench.Sweep{Config: b.Config(&m.ModelSettings, cudaBuild), Points: points, Layers: layers, Hidden: hiddens, Stage: interrupt.EnterStage}
	hiddenFlag, layersFlag := "--hidden", "--layers"
	if !isSet(fs, "hidden") {
		hiddenFlag = "--hidden-sizes"
	}
	if b.LayersList != "" {
		layersFlag = "--layers-list"
	}
	for _, z := range sw.Sizes() {
		size := m
		size.Layers, size.Hidden = z.Layers, z.Hidden
		if err := checkDescAs(size.graphConfig(), hiddenFlag, layersFlag); err != nil {
			return err
		}
		s := memory.Sizes{Points: z.Points, Hidden: z.Hidden, Layers: z.Layers, Samples: b.Passes, Workers: m.Workers, Inputs: 1, DtypeBytes: m.DtypeBytes()}
		if b.PointsList != "" { // name the list the size came from
			s.PointsFrom = fmt.Sprintf("--points-list %d", z.Points)
		}
		if !isSet(fs, "hidden") {
			s.HiddenFrom = fmt.Sprintf("--hidden-sizes %d", z.Hidden)
		}
		if b.LayersList != "" {
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
	if b.Compare != "" {
		for _, file := range strings.Split(b.Compare, ",") {
			file = strings.TrimSpace(file)
			if file == "" {
				return usagef("--compare %q: empty file name in the list", b.Compare)
			}
			if i := slices.IndexFunc(compared, func(c string) bool { return rundir.SamePath(c, file) }); i >= 0 {
				return usagef("--compare: %s and %s are one file (each backend once)", compared[i], file)
			}
			plan.In("--compare", file)
			compared = append(compared, file)
		}
	}
	plan.OutDir("--out", b.Out)
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
	rd, err := openRunDir("--out", b.Out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run

	device, name := deviceName(m.device)
	rep := bench.Report{Device: device, DeviceName: name, Dtype: m.Dtype, Ops: m.ops(), GEMM: gemmBackend(), Workers: m.Workers, Threads: linalg.Threads()}
	build := buildInfo()
	rep.Build, rep.Model = &build, bench.ModelOf(sw.Config.Train)
	sw.Device = device
	sw.Progress = progressTo(b.Quiet, stderr)
	if rep.Rows, err = sw.Run(ctx); err != nil {
		return err
	}
	if err := bench.Save(ctx, rd.Stage, b.Format, rep, others, stdout, interrupt.EnterStage); err != nil {
		return err
	}
	return rd.commitOut(ctx)
}
