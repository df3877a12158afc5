package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/memory"
)

// runBandit is the paper's third experiment (Blundell et al. 2015, §5.3):
// the Mushroom contextual bandit, a Thompson-sampling BBB agent against
// epsilon-greedy ones. An interrupted run keeps the regret of the steps
// every agent completed (regret.csv and summary.json, "complete": false).
func runBandit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := bandit.DefaultSettings()
	fs := flag.NewFlagSet("bandit", flag.ContinueOnError)
	settingflag.Register(fs, &s)
	var maxMemory memory.Limit
	registerMaxMemory(fs, &maxMemory)
	device := fs.String("device", defaultDevice, "cpu (bin/bbb) or gpu (the CUDA build, bin/bbb-cuda: the bbb agents' network is the resident graph, on the GPU)")
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	if err := checkDevice(*device); err != nil {
		return err
	}
	if isSet(fs, "seeds") && s.Seeds == "" {
		_, err := bandit.ParseSeeds("")
		return flagError(err)
	}
	c, seedList, err := s.Parse()
	if err != nil {
		return usageOf(err)
	}
	if c.Resident = cudaBuild; c.Resident && c.RhoSGD {
		return usagef("--rho-opt sgd: the GPU graph steps the rhos by Adam (--rho-opt adam); bin/bbb runs SGD")
	}
	plan := newPlan() // --out may not hold --data (rundir.Plan)
	plan.In("--data", s.Data)
	plan.OutDir("--out", s.Out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	d, dataName, err := data.LoadMushrooms(s.Data)
	if err != nil {
		if s.Data == "" {
			return err
		}
		return usagef("--data %s: %v", s.Data, strings.TrimPrefix(err.Error(), "data: mushrooms: "))
	}
	if err := checkBanditSizes(c, d.Width, maxMemory); err != nil {
		return err
	}
	rd, err := openRunDir("--out", s.Out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run
	if err := interrupt.EnterStage(ctx, "bandit"); err != nil {
		return err
	}
	build := buildInfo()
	j := bandit.Job{Config: c, Data: d, DataName: dataName, Format: s.Format, Stage: interrupt.SetStage, Build: &build}
	j.Progress = progressTo(s.Quiet, stderr)
	// The run is committed also when interrupted: the regret of what was
	// done is kept (a nil summary: nothing was written, --out keeps the
	// previous run).
	table, wrote, runErr := j.RunSeeds(ctx, rd.Stage, seedList)
	if table == nil {
		return runErr
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	// Every step done and --out in place: a signal (also one that came
	// while the files were written) stops nothing; the run is complete.
	markWritten(ctx, "--out "+s.Out)
	if !s.Quiet {
		table.WriteTable(stdout)
		fmt.Fprintf(stdout, "wrote %s: %s\n", s.Out, wrote)
	}
	return nil
}
