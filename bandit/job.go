package bandit

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/train"
)

// Job is `bbb bandit` as a library: one run of the experiment (Run) and
// its files in a folder: regret.csv, the regret figure and summary.json.
type Job struct {
	Config Config
	// Data are the mushrooms (data.LoadMushrooms); DataName is what
	// summary.json calls them.
	Data     *data.Mushrooms
	DataName string
	// Format is the figure's format: png (""), svg or pdf.
	Format string
	// Build, if not nil, is the program's build, which summary.json
	// records: the regret of a seed depends on the floating-point
	// rounding of the build (pure Go or OpenBLAS, and OpenBLAS's kernels
	// for the CPU).
	Build *train.Build
	// Progress, if not nil and Config.Progress is nil, gets a line
	// "bandit: step N of STEPS (S s)" whenever Config.Progress would be
	// called.
	Progress io.Writer
	// Stage, if not nil, is told the stage once the steps are over and
	// the files are being written ("bandit (after step N of STEPS)"), so
	// that an interrupted program can say where it stopped.
	Stage func(name string)

	prefix string // before each file's name (Seeds: "seed-N-")
}

// Run plays the bandit (the package's Run) and writes its files into dir,
// an existing folder. The returned summary is nil when no file was
// written: the run failed, or was stopped before every agent had done
// Config.Every steps. A run stopped by ctx later keeps the regret of the
// steps every agent completed: regret.csv and summary.json ("complete":
// false) are written, the figure is not
// (an interrupted process should exit at once), and Run returns the
// summary with ctx's error.
func (j Job) Run(ctx context.Context, dir string) (*Summary, error) {
	s, _, err := j.run(ctx, dir)
	return s, err
}

// run is Run, also returning the run's regret (nil with a nil summary).
func (j Job) run(ctx context.Context, dir string) (*Summary, *Result, error) {
	c := j.Config.WithDefaults()
	t0 := time.Now()
	if j.Progress != nil && c.Progress == nil {
		c.Progress = func(done int) {
			el := time.Since(t0)
			fmt.Fprintf(j.Progress, "bandit: step %d of %d (%.0f s, ETA %v)\n", done, c.Steps, el.Seconds(), eta(el, done, c.Steps))
		}
	}
	res, runErr := Run(ctx, j.Data, c)
	if res == nil || (runErr != nil && res.Done == 0) {
		// Nothing done (a failed build, or stopped before a step was
		// recorded): no files, so that a run folder keeps its previous run.
		return nil, nil, runErr
	}
	if runErr != nil && ctx.Err() == nil && res.Diverged == nil {
		return nil, nil, runErr
	}
	if j.Stage != nil {
		j.Stage(fmt.Sprintf("bandit (after step %d of %d)", res.Done, c.Steps))
	}
	// The regret so far is written whole, also when interrupted.
	if err := WriteRegretCSV(filepath.Join(dir, j.prefix+"regret.csv"), res); err != nil {
		return nil, nil, err
	}
	s := NewSummary(c, j.Data, j.DataName, res)
	s.Seconds, s.Threads, s.Build = time.Since(t0).Seconds(), runtime.GOMAXPROCS(0), j.Build
	if (runErr == nil || res.Diverged != nil) && len(res.Steps) > 0 { // (a diverged run need not exit at once)
		if err := DrawRegret(filepath.Join(dir, j.prefix+"regret."+j.format()), res, fmt.Sprintf("Mushroom bandit, seed %d", c.Seed)); err != nil {
			return nil, nil, err
		}
	}
	if err := WriteSummary(filepath.Join(dir, j.prefix+"summary.json"), s); err != nil {
		return nil, nil, err
	}
	return &s, res, runErr
}

// format is the figure's format: Format, png by default.
func (j Job) format() string {
	if j.Format == "" {
		return "png"
	}
	return j.Format
}

// WriteTable prints the steps done, the seed and time, and each agent's
// final cumulative regret and mistakes, one line each.
func (s Summary) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%d steps, seed %d, %.1f s on %d threads; final cumulative regret:\n", s.StepsDone, s.Seed, s.Seconds, s.Threads)
	width := nameWidth(s.Agents, func(a AgentSummary) string { return a.Name })
	for _, a := range s.Agents {
		fmt.Fprintf(w, "  %-*s %10.0f  (poisonous eaten %d, edible passed %d)\n", width, a.Name, a.Regret, a.PoisonEaten, a.EdiblePassed)
	}
}

// A SettingError is a setting of Config that cannot run as given, named
// as `bbb bandit`'s flag for it is: steps, every, hidden, depth, buffer,
// batch, updates, lr, rho-lr, likelihood-sigma, init-std or init-rho;
// agents, prior or kl-data (spec.go).
type SettingError struct {
	Name  string
	Value any    // the setting's value: an int, a float64, or the text given, quoted
	Need  string // what it needs, e.g. "need at least 1"
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("bandit: %s %v: %s", e.Name, e.Value, e.Need)
}

// CheckSet reports, as a *SettingError, the first of c's settings that
// cannot run as given, zero values included: for a program whose user
// sets each field (bbb bandit's flags), where WithDefaults would take an
// explicit 0 for the default. Validate checks the rest after
// WithDefaults.
func (c Config) CheckSet() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"steps", c.Steps}, {"every", c.Every}, {"hidden", c.Hidden}, {"depth", c.Depth},
		{"buffer", c.Buffer}, {"batch", c.Batch}, {"updates", c.Updates}} {
		if f.v < 1 {
			return &SettingError{f.name, f.v, "need at least 1"}
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lr", c.LR}, {"rho-lr", c.RhoLR}, {"likelihood-sigma", c.Sigma}, {"init-std", c.InitStd}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return &SettingError{f.name, f.v, "need a finite value > 0"}
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lr", c.LR}, {"rho-lr", c.RhoLR}} {
		if f.v > maxLR {
			return &SettingError{f.name, f.v, fmt.Sprintf("need at most %g (a step per update; past it a network only diverges)", float64(maxLR))}
		}
		if f.v < minLR {
			return &SettingError{f.name, f.v, fmt.Sprintf("need at least %.3g (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)", minLR)}
		}
	}
	// Scales the float32 network can hold with room for its products.
	for _, f := range []struct {
		name string
		v    float64
	}{{"likelihood-sigma", c.Sigma}, {"init-std", c.InitStd}} {
		if f.v < minScale || f.v > maxScale {
			return &SettingError{f.name, f.v, fmt.Sprintf("want %g to %g (the network computes in float32)", minScale, maxScale)}
		}
	}
	if math.IsNaN(c.InitRho) || math.IsInf(c.InitRho, 0) || c.InitRho == 0 {
		return &SettingError{"init-rho", c.InitRho, fmt.Sprintf("need a finite value other than 0 (0 is taken for the default, %g)", float64(DefaultInitRho))}
	}
	if math.Abs(c.InitRho) > maxInitRho {
		return &SettingError{"init-rho", c.InitRho, fmt.Sprintf("want -%g to %g (sigma = log(1 + e^rho) from 2e-22 to %g)", float64(maxInitRho), float64(maxInitRho), float64(maxInitRho))}
	}
	return nil
}

// The bounds of CheckSet's scales and initial rho.
const (
	minScale, maxScale = 1e-6, 1e6
	maxInitRho         = 50
	maxLR              = 10 // (bbb train's bound too)
)
