package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/rundir"
)

// runPredict samples a saved model's predictive distribution at the inputs
// of a CSV file: bbb predict --model model.npz --data x.csv --out pred.csv.
func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var s job.PredictSettings
	settingflag.SetDefaults(&s)
	s.Workers = defaultWorkers()
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	settingflag.Register(fs, &s)
	var maxMemory memory.Limit
	registerMaxMemory(fs, &maxMemory)
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	qs, err := s.Check()
	if err != nil {
		return flagError(err)
	}
	model, dataPath, out, samples, workers, seed := s.Model, s.Data, s.Out, s.Samples, s.Workers, s.Seed
	plan := newPlan()
	plan.In("--model", model)
	plan.In("--data", dataPath)
	plan.OutOrStdout("--out", out)
	plan.Replacing("--out", rundir.ReplacesText("predictions (a CSV of bbb predict)", "mean,std_epistemic,std_total"))
	if err := checkPlan(plan); err != nil {
		return err
	}
	c, err := readModel("--model", model)
	if err != nil {
		return err
	}
	if err := s.CheckModel(c, qs); err != nil {
		return flagError(err)
	}
	if !isSet(fs, "seed") {
		seed = c.Model.Seed
	}
	// The model's flags, as train --resume restores them.
	m, err := restoreModel(c, model, func(m *modelFlags) { m.Workers, m.Threads = workers, 1 })
	if err != nil {
		return err
	}
	tab, err := s.ReadInputs(c)
	if err != nil {
		return flagError(err)
	}
	if err := checkMemory(s.MemorySizes(c, &m.ModelSettings, tab, qs), maxMemory); err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "loading the model"); err != nil {
		return err
	}
	cfg := m.graphConfig()
	cfg.Inputs = c.Model.Network.Inputs
	net, err := buildModel(c, model, cfg)
	if err != nil {
		return err
	}
	j := job.Predict{Net: net, Scaler: c.Model.Scaler, XNames: c.Model.XNames, X: tab.X, Samples: samples, Quantiles: qs, Workers: workers, Seed: seed,
		Hooks: job.Hooks{Stage: interrupt.EnterStage}}
	p, err := j.Run(ctx, progressTo(s.Quiet, stderr))
	if re := (*job.RowError)(nil); errors.As(err, &re) {
		return usagef("--data %s:%d: %v", dataPath, tab.Line(re.Row), re.Err)
	}
	if err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "writing "+out); err != nil {
		return err
	}
	if err := p.WriteFile(out, stdout); err != nil {
		return err
	}
	if out != "-" {
		markWritten(ctx, "--out "+out)
	}
	if !s.Quiet && out != "-" {
		fmt.Fprintf(stderr, "wrote %s: %d rows\n", out, tab.Rows())
	}
	return nil
}
