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
)

// runBandit is the paper's third experiment (Blundell et al. 2015, §5.3):
// the Mushroom contextual bandit, a Thompson-sampling BBB agent against
// epsilon-greedy ones. An interrupted run keeps the regret of the steps
// every agent completed (regret.csv and summary.json, "complete": false).
func runBandit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := bandit.Config{Seed: 1}.WithDefaults() // (the flags' defaults)
	var agents, out, dataFile, prior, format, klData, rhoOpt, seeds string
	var quiet bool
	fs := flag.NewFlagSet("bandit", flag.ContinueOnError)
	fs.StringVar(&agents, "agents", "bbb,greedy,eps1,eps5", "comma-separated agents: bbb (Thompson sampling), greedy, epsN (explores with probability N %) on the deterministic twin, or bbb-greedy, bbb-epsN: the same at the BBB network's posterior means")
	fs.StringVar(&out, "out", "bandit", "output directory: regret.csv, regret.FORMAT, summary.json (a folder of its own: it is replaced whole)")
	fs.StringVar(&seeds, "seeds", "", "comma-separated seeds: the run once per seed, in turn (files seed-N-regret.csv, seed-N-regret.FORMAT, seed-N-summary.json), and each agent's regret averaged over them (regret.csv, regret.FORMAT, summary.json; the paper's Figure 6 averages five runs)")
	fs.StringVar(&dataFile, "data", "", "mushroom CSV (header edibility,cap-shape,...,habitat); default: the UCI copy built into bbb")
	settingflag.Register(fs, &c)
	fs.StringVar(&rhoOpt, "rho-opt", "adam", "optimiser of the BBB network's rhos: adam or sgd (plain gradient descent: the KL's weight sets their pace)")
	fs.StringVar(&prior, "prior", "mixture", "BBB weight prior: mixture (the paper's 0.5·N(0, 1²) + 0.5·N(0, (e^-6)²), one-sample Monte Carlo KL), normal (N(0, 1²), closed-form KL), or either with its scales: mixture:PI,SIGMA1,SIGMA2 or normal:MU,SIGMA (standard deviations)")
	fs.StringVar(&klData, "kl-data", "seen", "the n of the BBB minibatch's KL weight batch/n: seen (all interactions so far: the posterior keeps narrowing once the buffer is full) or buffer (the interactions stored)")
	fs.StringVar(&format, "format", "png", "figure format: png, svg or pdf")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr, no table on stdout")
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	if err := c.SetAgents(agents); err != nil {
		return flagError(err)
	}
	if err := c.SetPrior(prior); err != nil {
		return flagError(err)
	}
	if err := c.SetKLData(klData); err != nil {
		return flagError(err)
	}
	var seedList []uint64
	if isSet(fs, "seeds") { // ("": refused)
		var err error
		if seedList, err = bandit.ParseSeeds(seeds); err != nil {
			return flagError(err)
		}
	}
	var err error
	if c.RhoSGD, err = bandit.ParseRhoOpt(rhoOpt); err != nil {
		return usagef("--rho-opt %q: want adam or sgd", rhoOpt)
	}
	if err := c.CheckSet(); err != nil {
		return flagError(err)
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	if err := c.WithDefaults().Validate(); err != nil {
		return usagef("%v", err)
	}
	plan := newPlan() // --out may not hold --data (rundir.Plan)
	plan.In("--data", dataFile)
	plan.OutDir("--out", out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	d, dataName, err := data.LoadMushrooms(dataFile)
	if err != nil {
		if dataFile == "" {
			return err
		}
		return usagef("--data %s: %v", dataFile, strings.TrimPrefix(err.Error(), "data: mushrooms: "))
	}
	if err := checkBanditSizes(c, d.Width); err != nil {
		return err
	}
	rd, err := openRunDir("--out", out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run
	if err := interrupt.EnterStage(ctx, "bandit"); err != nil {
		return err
	}
	build := buildInfo()
	j := bandit.Job{Config: c, Data: d, DataName: dataName, Format: format, Stage: interrupt.SetStage, Build: &build}
	j.Progress = progressTo(quiet, stderr)
	// The run is committed also when interrupted: the regret of what was
	// done is kept (a nil summary: nothing was written, --out keeps the
	// previous run).
	var table interface{ WriteTable(io.Writer) }
	var runErr error
	wrote := fmt.Sprintf("regret.csv, regret.%s, summary.json", format)
	if seedList != nil {
		sum, err := bandit.Seeds{Job: j, Seeds: seedList}.Run(ctx, rd.Stage)
		if sum != nil {
			table = sum
		}
		runErr = err
		wrote += fmt.Sprintf(" (the mean over the seeds) and seed-N-regret.csv, seed-N-regret.%s, seed-N-summary.json (each seed's run)", format)
	} else {
		sum, err := j.Run(ctx, rd.Stage)
		if sum != nil {
			table = sum
		}
		runErr = err
	}
	if table == nil {
		return runErr
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if _, ok := interrupt.Cause(ctx); ok {
		return nil // stopped while writing: the files are whole, the run is reported as stopped (exit 130)
	}
	if !quiet {
		table.WriteTable(stdout)
		fmt.Fprintf(stdout, "wrote %s: %s\n", out, wrote)
	}
	return nil
}
