package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
)

// runPrune is the paper's Table 2: remove the weights of lowest |mu|/sigma
// from a saved MNIST model and report the test error per share removed.
func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var s job.PruneSettings
	var mf mnistFlags
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	settingflag.Define(fs, &s)
	mf.register(fs, false)
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	fr, err := s.Check()
	if err != nil {
		return flagError(err)
	}
	model, fractions, out, format, samples, seed := s.Model, s.Fractions, s.Out, s.Format, s.Samples, s.Seed
	if err := mf.check(); err != nil {
		return err
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	plan := newPlan()
	plan.In("--model", model)
	plan.InDir("--mnist-dir", mf.Dir)
	plan.OutDir("--out", out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	if err := mf.checkFiles(); err != nil {
		return err
	}
	c, err := readModel("--model", model)
	if err != nil {
		return err
	}
	if err := job.CheckMNISTModel(c.Model.Network); err != nil {
		return usagef("--model %s: %v; MNIST needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)", model, err)
	}
	if !isSet(fs, "seed") {
		seed = c.Model.Seed
	}
	m, err := restoreModel(c, model, func(m *modelFlags) { m.Threads, m.Points = 0, data.MNISTTrain }) // every core for the test passes
	if err != nil {
		return err
	}
	net, err := buildModel(c, model, mnistGraph(m))
	if err != nil {
		return err
	}
	j := job.Prune{Net: net, Fractions: fr, Samples: samples, Seed: seed, Format: format, Hooks: job.Hooks{Stage: interrupt.EnterStage}}
	if ie := (*job.InputError)(nil); errors.As(j.Check(), &ie) {
		return usagef("--fractions %q: %v", fractions, ie.Err)
	}
	if err := interrupt.EnterStage(ctx, "loading MNIST"); err != nil {
		return err
	}
	mf.MNISTTrain, mf.MNISTVal = 1, 1 // only the test split is used
	set, err := mf.load()
	if err != nil {
		return err
	}
	rd, err := openRunDir("--out", out)
	if err != nil {
		return err
	}
	defer rd.Abort()
	j.Data = set
	rows, err := j.Run(ctx, rd.Stage, progressTo(s.Quiet, stderr))
	if errors.Is(err, job.ErrZeroSNR) {
		return fmt.Errorf("prune: --model %s: %v", model, err)
	}
	if err != nil {
		return err
	}
	if err := rd.commitOut(ctx); err != nil {
		return err
	}
	return job.WritePruneTable(stdout, rows, out, format)
}
