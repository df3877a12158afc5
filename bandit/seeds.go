package bandit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/train"
)

// Seeds is the experiment over several seeds, as the paper's Figure 6
// averages five runs: Job once per seed, in turn, each seed's files
// (what `bbb bandit --seed N` writes) named with the prefix SeedPrefix(N)
// (seed-N-regret.csv, seed-N-regret.png, seed-N-summary.json), then each
// agent's cumulative regret averaged over the seeds, step by step:
// regret.csv, the figure and summary.json, which lists every seed's final
// regret. All are files of one folder (a subfolder would not be a run
// folder's own: package rundir carries subfolders as the user's).
type Seeds struct {
	Job   Job      // Job.Config.Seed is replaced by each seed
	Seeds []uint64 // distinct (ParseSeeds)
}

// SeedPrefix is what the names of one seed's files in a Seeds run's
// folder start with.
func SeedPrefix(seed uint64) string { return "seed-" + strconv.FormatUint(seed, 10) + "-" }

// ParseSeeds reads a comma-separated list of distinct seeds (whole
// numbers); a bad list is a *SettingError for "seeds".
func ParseSeeds(s string) ([]uint64, error) {
	shown := s // (a long list is cut in the error: one line)
	if r := []rune(s); len(r) > 60 {
		shown = string(r[:60]) + "..."
	}
	var out []uint64
	seen := map[uint64]bool{}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			if r := []rune(f); len(r) > 30 {
				f = string(r[:30]) + "..."
			}
			return nil, &SettingError{"seeds", strconv.Quote(shown), fmt.Sprintf("%q is not a seed (a whole number)", f)}
		}
		if seen[v] {
			return nil, &SettingError{"seeds", strconv.Quote(shown), fmt.Sprintf("seed %d listed twice", v)}
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}

// SeedsSummary is a Seeds run's summary.json: the settings, the seeds
// asked for and those whose runs completed, and each agent's final
// cumulative regret per completed seed with its mean, least and greatest.
type SeedsSummary struct {
	Experiment string         `json:"experiment"` // "mushroom-bandit"
	Data       string         `json:"data"`
	Steps      int            `json:"steps"` // of each seed's run
	Seeds      []uint64       `json:"seeds"`
	SeedsDone  []uint64       `json:"seeds_done"` // the completed runs, which the mean is over
	Complete   bool           `json:"complete"`
	Diverged   *DivergedError `json:"diverged,omitempty"` // the seed and step where a network diverged (the run stopped there)
	Network    SummaryNetwork `json:"network"`
	Agents     []SeedsAgent   `json:"agents"`
	Seconds    float64        `json:"seconds"` // the whole run's wall time
	Threads    int            `json:"threads"` // GOMAXPROCS
	Build      *train.Build   `json:"build,omitempty"`
}

// SeedsAgent is one agent's outcome over the completed seeds, in the
// order of SeedsDone.
type SeedsAgent struct {
	Name         string    `json:"name"`
	Policy       string    `json:"policy"`
	Epsilon      float64   `json:"epsilon"`
	MeanRegret   *float64  `json:"mean_final_regret"` // nil (null) before a seed has completed
	MinRegret    *float64  `json:"min_final_regret"`
	MaxRegret    *float64  `json:"max_final_regret"`
	Regret       []float64 `json:"final_regret"`
	PoisonEaten  []int     `json:"poisonous_eaten"`
	EdiblePassed []int     `json:"edible_passed"`
}

// Check refuses an empty or repeated list of seeds.
func (s Seeds) Check() error {
	if len(s.Seeds) == 0 {
		return fmt.Errorf("bandit: no seeds")
	}
	seen := map[uint64]bool{}
	for _, v := range s.Seeds {
		if seen[v] {
			return fmt.Errorf("bandit: seed %d listed twice", v)
		}
		seen[v] = true
	}
	return nil
}

// Run plays the seeds in turn and writes their folders and the mean into
// dir, an existing folder. The returned summary is nil when nothing was
// written (Job.Run's nil: the run failed, or was stopped or diverged
// before a step of the first seed was recorded). A run stopped by ctx, or
// by a seed's divergence (a *DivergedError naming the seed), later keeps
// what was done: the completed seeds' files, the interrupted seed's regret of its
// steps done and summary (Job.Run), and the mean over the completed seeds (none: no
// regret.csv) with summary.json ("complete": false) but no figure; Run
// then returns the summary with ctx's error.
func (s Seeds) Run(ctx context.Context, dir string) (*SeedsSummary, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	c := s.Job.Config.WithDefaults()
	var results []*Result
	var done []uint64
	var runErr error
	wrote := false
	for i, seed := range s.Seeds {
		j := s.seedJob(i, seed, c.Steps, t0)
		sum, res, err := j.run(ctx, dir)
		de := (*DivergedError)(nil)
		if errors.As(err, &de) {
			de.Seed = &seed
		}
		if sum == nil { // (nothing of this seed kept: the seeds done before it are)
			if ctx.Err() == nil && de == nil {
				return nil, err
			}
			runErr = err
			break
		}
		wrote = true
		if err != nil { // interrupted or diverged: its files hold the regret so far
			runErr = err
			break
		}
		results, done = append(results, res), append(done, seed)
	}
	if !wrote {
		return nil, runErr
	}
	sum := s.summary(c, done, results)
	errors.As(runErr, &sum.Diverged)
	if len(results) > 0 {
		mean := MeanResult(results)
		if err := WriteRegretCSV(filepath.Join(dir, "regret.csv"), mean); err != nil {
			return nil, err
		}
		if runErr == nil && len(mean.Steps) > 0 {
			if err := DrawRegret(filepath.Join(dir, "regret."+s.Job.format()), mean, s.title()); err != nil {
				return nil, err
			}
		}
	}
	sum.Seconds, sum.Threads, sum.Build = time.Since(t0).Seconds(), runtime.GOMAXPROCS(0), s.Job.Build
	if err := WriteSummary(filepath.Join(dir, "summary.json"), sum); err != nil {
		return nil, err
	}
	return &sum, runErr
}

// seedJob is the Job of the i-th seed of a run started at start: its
// progress lines and stages name the seed, and the lines the time left
// for every seed.
func (s Seeds) seedJob(i int, seed uint64, steps int, start time.Time) Job {
	j := s.Job
	j.Config.Seed, j.prefix = seed, SeedPrefix(seed)
	if j.Progress != nil && j.Config.Progress == nil {
		t0, w := time.Now(), j.Progress
		j.Config.Progress = func(done int) {
			left := eta(time.Since(start), i*steps+done, len(s.Seeds)*steps)
			fmt.Fprintf(w, "bandit: seed %d (%d of %d): step %d of %d (%.0f s, ETA %v for all seeds)\n", seed, i+1, len(s.Seeds), done, steps, time.Since(t0).Seconds(), left)
		}
	}
	if stage := s.Job.Stage; stage != nil {
		j.Stage = func(name string) { stage(fmt.Sprintf("%s, seed %d (%d of %d)", name, seed, i+1, len(s.Seeds))) }
	}
	return j
}

func (s Seeds) title() string {
	seeds := make([]string, len(s.Seeds))
	for i, v := range s.Seeds {
		seeds[i] = strconv.FormatUint(v, 10)
	}
	return fmt.Sprintf("Mushroom bandit, mean of %d seeds (%s)", len(s.Seeds), strings.Join(seeds, ", "))
}

// summary is the SeedsSummary of the completed runs results (of the seeds
// done), without the times.
func (s Seeds) summary(c Config, done []uint64, results []*Result) SeedsSummary {
	j := s.Job
	out := SeedsSummary{Experiment: "mushroom-bandit", Data: j.DataName, Steps: c.Steps, Seeds: s.Seeds,
		SeedsDone: done, Complete: len(done) == len(s.Seeds),
		Network: NewSummary(c, j.Data, j.DataName, &Result{}).Network}
	if out.SeedsDone == nil {
		out.SeedsDone = []uint64{}
	}
	for a, ag := range c.Agents {
		sa := SeedsAgent{Name: ag.Name, Policy: policy(ag), Epsilon: ag.Epsilon,
			Regret: []float64{}, PoisonEaten: []int{}, EdiblePassed: []int{}}
		for _, r := range results {
			sa.Regret = append(sa.Regret, r.Final(a))
			sa.PoisonEaten = append(sa.PoisonEaten, r.PoisonEaten[a])
			sa.EdiblePassed = append(sa.EdiblePassed, r.EdiblePassed[a])
		}
		if len(sa.Regret) > 0 {
			sum := 0.0
			for _, v := range sa.Regret {
				sum += v
			}
			mean, least, most := sum/float64(len(sa.Regret)), slices.Min(sa.Regret), slices.Max(sa.Regret) // (the mean as MeanResult's)
			sa.MeanRegret, sa.MinRegret, sa.MaxRegret = &mean, &least, &most
		}
		out.Agents = append(out.Agents, sa)
	}
	return out
}

// MeanResult is the runs' cumulative regret averaged per agent and
// recorded step, over the steps every run recorded (the runs play the
// same agents). Only Agents, Steps, Regret and Done are set.
func MeanResult(rs []*Result) *Result {
	n := len(rs[0].Steps)
	for _, r := range rs[1:] {
		n = min(n, len(r.Steps))
	}
	m := &Result{Agents: rs[0].Agents, Steps: rs[0].Steps[:n], Regret: make([][]float64, len(rs[0].Agents))}
	if n > 0 {
		m.Done = m.Steps[n-1]
	}
	for a := range m.Agents {
		m.Regret[a] = make([]float64, n)
		for k := range n {
			for _, r := range rs {
				m.Regret[a][k] += r.Regret[a][k]
			}
			m.Regret[a][k] /= float64(len(rs))
		}
	}
	return m
}

// WriteTable prints the seeds and time, and each agent's final cumulative
// regret: the mean over the completed seeds, the least and the greatest.
func (s SeedsSummary) WriteTable(w io.Writer) {
	seeds := make([]string, len(s.SeedsDone))
	for i, v := range s.SeedsDone {
		seeds[i] = strconv.FormatUint(v, 10)
	}
	noun := "seeds"
	if len(seeds) == 1 {
		noun = "seed"
	}
	fmt.Fprintf(w, "%d %s (%s) of %d steps, %.1f s on %d threads; final cumulative regret, mean (least to greatest):\n",
		len(seeds), noun, strings.Join(seeds, ", "), s.Steps, s.Seconds, s.Threads)
	width := nameWidth(s.Agents, func(a SeedsAgent) string { return a.Name })
	for _, a := range s.Agents {
		if a.MeanRegret != nil {
			fmt.Fprintf(w, "  %-*s %10.1f  (%.0f to %.0f)\n", width, a.Name, *a.MeanRegret, *a.MinRegret, *a.MaxRegret)
		}
	}
}

// A Table is a run's summary as a program prints it: each agent's final
// regret (Summary, SeedsSummary).
type Table interface{ WriteTable(io.Writer) }

// RunSeeds runs j into dir once (seeds nil: Job.Run) or once per seed
// (Seeds.Run), and returns the summary to print (nil when nothing was
// written, as those say), the files written in words, and the run's error.
func (j Job) RunSeeds(ctx context.Context, dir string, seeds []uint64) (Table, string, error) {
	wrote := fmt.Sprintf("regret.csv, regret.%s, summary.json", j.Format)
	if seeds == nil {
		sum, err := j.Run(ctx, dir)
		if sum == nil { // (not a nil *Summary in a Table)
			return nil, wrote, err
		}
		return sum, wrote, err
	}
	wrote += fmt.Sprintf(" (the mean over the seeds) and seed-N-regret.csv, seed-N-regret.%s, seed-N-summary.json (each seed's run)", j.Format)
	sum, err := Seeds{Job: j, Seeds: seeds}.Run(ctx, dir)
	if sum == nil {
		return nil, wrote, err
	}
	return sum, wrote, err
}
