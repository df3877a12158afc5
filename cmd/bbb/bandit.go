package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/interrupt"
)

// runBandit is the paper's third experiment (Blundell et al. 2015, §5.3):
// the Mushroom contextual bandit, a Thompson-sampling BBB agent against
// epsilon-greedy ones. An interrupted run keeps the regret of the steps
// every agent completed (regret.csv and summary.json, "complete": false).
func runBandit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c bandit.Config
	var agents, out, data, prior, format, klData string
	var quiet bool
	fs := flag.NewFlagSet("bandit", flag.ContinueOnError)
	fs.IntVar(&c.Steps, "steps", bandit.DefaultSteps, "mushrooms shown to each agent")
	fs.StringVar(&agents, "agents", "bbb,greedy,eps1,eps5", "comma-separated agents: bbb (Thompson sampling), greedy, epsN (explores with probability N %)")
	fs.StringVar(&out, "out", "bandit", "output directory: regret.csv, regret.FORMAT, summary.json (a folder of its own: it is replaced whole)")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the mushrooms, the rewards' coins, the initial weights and every agent's draws")
	fs.StringVar(&data, "data", "", "mushroom CSV (header edibility,cap-shape,...,habitat); default: the UCI copy built into bbb")
	fs.IntVar(&c.Every, "every", bandit.DefaultEvery, "steps between two rows of regret.csv")
	fs.IntVar(&c.Hidden, "hidden", bandit.DefaultHidden, "units per hidden layer")
	fs.IntVar(&c.Depth, "depth", bandit.DefaultDepth, "hidden layers")
	fs.IntVar(&c.Buffer, "buffer", bandit.DefaultBuffer, "latest interactions kept for training")
	fs.IntVar(&c.Batch, "batch", bandit.DefaultBatch, "rows of a minibatch")
	fs.IntVar(&c.Updates, "updates", bandit.DefaultUpdates, "minibatch updates after each step (the paper: 64; see docs/BANDIT.md)")
	fs.Float64Var(&c.LR, "lr", bandit.DefaultLR, "Adam's learning rate")
	fs.StringVar(&prior, "prior", "mixture", "BBB weight prior: mixture (the paper's 0.5·N(0, 1) + 0.5·N(0, e^-12), one-sample Monte Carlo KL) or normal (N(0, 1), closed-form KL)")
	fs.StringVar(&klData, "kl-data", "seen", "the n of the BBB minibatch's KL weight batch/n: seen (all interactions so far: the posterior keeps narrowing once the buffer is full) or buffer (the interactions stored)")
	fs.Float64Var(&c.Sigma, "likelihood-sigma", bandit.DefaultSigma, "fixed scale of the Gaussian reward likelihood")
	fs.Float64Var(&c.InitRho, "init-rho", bandit.DefaultInitRho, "initial rho of every weight (sigma = log(1 + e^rho))")
	fs.Float64Var(&c.InitStd, "init-std", bandit.DefaultInitStd, "spread of the initial weight means")
	fs.StringVar(&format, "format", "png", "figure format: png, svg or pdf")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr, no table on stdout")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkFlagDeps(fs, explicitFlags(fs)); err != nil {
		return err
	}
	var err error
	if c.Agents, err = bandit.ParseAgents(agents); err != nil {
		return usagef("--agents %q: %v", agents, strings.TrimPrefix(err.Error(), "bandit: "))
	}
	switch prior {
	case "normal":
		c.PriorKind = bandit.PriorNormal
	case "mixture":
	default:
		return usagef("--prior %q: want normal or mixture", prior)
	}
	switch klData {
	case "seen":
	case "buffer":
		c.KLBuffer = true
	default:
		return usagef("--kl-data %q: want buffer or seen", klData)
	}
	if err := checkBanditFlags(c); err != nil {
		return err
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	if err := c.WithDefaults().Validate(); err != nil {
		return usagef("%v", err)
	}
	plan := newPlan() // --out may not hold --data (rundir.Plan)
	plan.In("--data", data)
	plan.OutDir("--out", out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	d, dataName, err := loadMushrooms(data)
	if err != nil {
		return err
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
	t0 := time.Now()
	if !quiet {
		c.Progress = func(done int) {
			fmt.Fprintf(stderr, "bandit: step %d of %d (%.0f s)\n", done, c.Steps, time.Since(t0).Seconds())
		}
	}
	res, runErr := bandit.Run(ctx, d, c)
	if res == nil {
		return runErr // nothing done (a failed build, or stopped before the start)
	}
	if runErr != nil && ctx.Err() == nil {
		return runErr
	}
	interrupt.SetStage(fmt.Sprintf("bandit (after step %d of %d)", res.Done, c.Steps))
	// The regret so far is written whole, also when interrupted.
	if err := bandit.WriteRegretCSV(join(rd.Stage, "regret.csv"), res); err != nil {
		return err
	}
	s := bandit.NewSummary(c, d, dataName, res)
	s.Seconds, s.Threads = time.Since(t0).Seconds(), runtime.GOMAXPROCS(0)
	if runErr == nil && len(res.Steps) > 0 {
		// (Skipped when interrupted: the process must exit within a second.)
		if err := bandit.DrawRegret(join(rd.Stage, "regret."+format), res, fmt.Sprintf("Mushroom bandit, seed %d", c.Seed)); err != nil {
			return err
		}
	}
	if err := bandit.WriteSummary(join(rd.Stage, "summary.json"), s); err != nil {
		return err
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if !quiet {
		fmt.Fprintf(stdout, "%d steps, seed %d, %.1f s on %d threads; final cumulative regret:\n", res.Done, c.Seed, s.Seconds, s.Threads)
		for i, a := range res.Agents {
			fmt.Fprintf(stdout, "  %-8s %10.0f  (poisonous eaten %d, edible passed %d)\n", a.Name, res.Final(i), res.PoisonEaten[i], res.EdiblePassed[i])
		}
		fmt.Fprintf(stdout, "wrote %s: regret.csv, regret.%s, summary.json\n", out, format)
	}
	return nil
}

// checkBanditFlags names the flag of a value that cannot run (zero values
// would otherwise be taken as defaults by Config.WithDefaults).
func checkBanditFlags(c bandit.Config) error {
	for _, f := range []struct {
		name string
		v    int
		min  int
	}{{"--steps", c.Steps, 1}, {"--every", c.Every, 1}, {"--hidden", c.Hidden, 1}, {"--depth", c.Depth, 1},
		{"--buffer", c.Buffer, 1}, {"--batch", c.Batch, 1}, {"--updates", c.Updates, 1}} {
		if f.v < f.min {
			return usagef("%s %d: need at least %d", f.name, f.v, f.min)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"--lr", c.LR}, {"--likelihood-sigma", c.Sigma}, {"--init-std", c.InitStd}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return usagef("%s %v: need a finite value > 0", f.name, f.v)
		}
	}
	if math.IsNaN(c.InitRho) || math.IsInf(c.InitRho, 0) || c.InitRho == 0 {
		return usagef("--init-rho %v: need a finite value other than 0", c.InitRho)
	}
	return nil
}

// maxMushroomFile bounds --data: the UCI file is 365 KiB.
const maxMushroomFile = 64 << 20

// loadMushrooms reads --data (a regular file, interruptible), or the
// built-in copy.
func loadMushrooms(path string) (*data.Mushrooms, string, error) {
	if path == "" {
		d, err := data.EmbeddedMushrooms()
		return d, "built-in UCI agaricus-lepiota.csv", err
	}
	f, err := boundedio.Open(path, maxMushroomFile)
	if err != nil {
		return nil, "", usagef("--data %s: %v", path, err)
	}
	defer f.Close()
	d, err := data.ParseMushrooms(f)
	if err != nil {
		if errors.Is(err, data.ErrMushroomLayout) {
			return nil, "", usagef("--data %s: %v", path, strings.TrimPrefix(err.Error(), "bandit: "))
		}
		return nil, "", usagef("--data %s: %v", path, err)
	}
	return d, path, nil
}
