package bandit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/viz"
)

// Settings are a run as bbb bandit's user gives it: Config's numbers, the
// settings given as text (each parsed by a Set method or its Parse
// function), the seeds and the files. Each field's tags name its flag,
// default and help (internal/settingflag; Config's defaults are
// WithDefaults': DefaultSettings). Parse turns them into a Config.
type Settings struct {
	Config
	AgentList    string `flag:"agents" default:"bbb,greedy,eps1,eps5" help:"comma-separated agents: bbb (Thompson sampling), greedy, epsN (explores with probability N %) on the deterministic twin, or bbb-greedy, bbb-epsN: the same at the BBB network's posterior means"`
	PriorSpec    string `flag:"prior" default:"mixture" help:"BBB weight prior: mixture (the paper's 0.5·N(0, 1²) + 0.5·N(0, (e^-6)²), one-sample Monte Carlo KL), normal (N(0, 1²), closed-form KL), or either with its scales: mixture:PI,SIGMA1,SIGMA2 or normal:MU,SIGMA (standard deviations)"`
	LikSpec      string `flag:"likelihood" default:"fixed" help:"BBB reward likelihood: fixed (Gaussian at --likelihood-sigma), learned (one scale, learned) or hetero (a scale per context and action, predicted by the network)"`
	KLData       string `flag:"kl-data" default:"seen" help:"the n of the BBB minibatch's KL weight batch/n: seen (all interactions so far: the posterior keeps narrowing once the buffer is full) or buffer (the interactions stored: the same as seen while --steps is at most --buffer)"`
	RhoOptimizer string `flag:"rho-opt" default:"adam" help:"optimiser of the BBB network's rhos: adam or sgd (plain gradient descent: the KL's weight sets their pace)"`
	// Seeds: "" runs Config.Seed alone; a list runs Seeds.
	Seeds  string `flag:"seeds" help:"comma-separated seeds: the run once per seed, in turn (files seed-N-regret.csv, seed-N-regret.FORMAT, seed-N-summary.json), and each agent's regret averaged over them (regret.csv, regret.FORMAT, summary.json; the paper's Figure 6 averages five runs)"`
	Data   string `flag:"data" help:"mushroom CSV (header edibility,cap-shape,...,habitat); default: the UCI copy built into bbb"`
	Out    string `flag:"out" default:"bandit" help:"output directory: regret.csv, regret.FORMAT, summary.json (a folder of its own: it is replaced whole)"`
	Format string `flag:"format" default:"png" help:"figure format: png, svg or pdf"`
	Quiet  bool   `flag:"q" help:"no progress on stderr, no table on stdout"`
}

// DefaultSettings are the settings of `bbb bandit` without flags: the
// paper's experiment at Config's defaults, seed 1.
func DefaultSettings() Settings {
	var s Settings
	settingflag.SetDefaults(&s)
	s.Config = Config{Seed: 1}.WithDefaults()
	return s
}

// Parse returns the run's Config, its seeds (nil for Seeds "") and
// Format in lower case, or the first setting that cannot run, in the order
// bbb bandit checks them: the agents, the prior, the likelihood, the KL's data, the seeds,
// the rho optimiser, each number (Config.CheckSet) and the format (each a
// *SettingError), then Config.Validate (its defaults applied), then the
// KL's data "buffer" where it is "seen" (Steps at most Buffer: a
// *SettingError, as a setting with no effect).
func (s *Settings) Parse() (Config, []uint64, error) {
	c := s.Config
	var seeds []uint64
	for _, check := range []func() error{
		func() error { return c.SetAgents(s.AgentList) },
		func() error { return c.SetPrior(s.PriorSpec) },
		func() error { return c.SetLikelihood(s.LikSpec) },
		func() error { return c.SetKLData(s.KLData) },
		func() (err error) {
			if s.Seeds != "" {
				seeds, err = ParseSeeds(s.Seeds)
			}
			return err
		},
		func() (err error) {
			if c.RhoSGD, err = ParseRhoOpt(s.RhoOptimizer); err != nil {
				return &SettingError{"rho-opt", strconv.Quote(s.RhoOptimizer), "want adam or sgd"}
			}
			return nil
		},
		func() error { return c.CheckSet() },
		func() error {
			f, err := viz.ParseFormat(s.Format)
			if err != nil {
				return &SettingError{"format", strconv.Quote(strings.ToLower(s.Format)), "want png, svg or pdf"}
			}
			s.Format = f
			return nil
		},
		func() error { return c.WithDefaults().Validate() },
		func() error {
			if c.KLBuffer && c.Steps <= c.Buffer {
				return &SettingError{"kl-data", "buffer", fmt.Sprintf("the same as seen while --steps %d is at most --buffer %d (the buffer holds every interaction)", c.Steps, c.Buffer)}
			}
			return nil
		},
	} {
		if err := check(); err != nil {
			return Config{}, nil, err
		}
	}
	return c, seeds, nil
}
