package main

import (
	"context"
	"flag"
	"io"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
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
	fits := func(s memory.Sizes) error { return checkMemory(s, maxMemory) }
	if err := usageOf(b.CheckSizes(&m.ModelSettings, sw, isSet(fs, "hidden"), descMemory(), fits)); err != nil {
		return err
	}
	compared, err := b.CompareFiles()
	if err != nil {
		return flagError(err)
	}
	plan := newPlan()
	for _, file := range compared {
		plan.In("--compare", file)
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
	rep := bench.Report{Device: device, DeviceName: name, Dtype: m.Dtype, Ops: m.Ops(cudaBuild), GEMM: gemmBackend(), Workers: m.Workers, Threads: linalg.Threads()}
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
