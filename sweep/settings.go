package sweep

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Settings are a sweep as bbb sweep's user gives it, but for the sbatch
// options (SlurmKeys): each field's tags name its flag, default and help
// (internal/settingflag). A grid is run (Grid, Out, On, Jobs, Seeds, Poll,
// Detach), or one of its points (Task), or a finished sweep collected
// (Collect); Metric, Maximize, X, By and Format shape its report.
type Settings struct {
	Grid     string        "flag:\"grid\" help:\"the grid `FILE`: one key = value or key = [v1, v2] per line, each key a bbb train flag (docs/SWEEP.md)\" effect:\"!collect: it only reads the sweep's folder\""
	Out      string        `flag:"out" help:"the sweep folder: DIR/runs/<point>/ per point, DIR/sweep.csv, DIR/sweep.FORMAT" effect:"!collect: it only reads the sweep's folder"`
	On       string        `flag:"on" default:"local" help:"where the points run: local (--jobs at once on this machine) or slurm (one job array)" effect:"!collect: it only reads the sweep's folder"`
	Jobs     int           `flag:"jobs" default:"1" help:"--on local: points run at once; the cores are divided among them (--threads, GOMAXPROCS)" effect:"!collect: it only reads the sweep's folder; on=local: Slurm runs each point as an array task"`
	Seeds    string        `flag:"seeds" help:"comma-separated seeds, replacing the grid's seeds key" effect:"!collect: it only reads the sweep's folder"`
	Metric   string        `flag:"metric" default:"val_nlpd" help:"the summary.json number the best point and the figure use"`
	Maximize bool          `flag:"maximize" help:"the best point has the highest --metric (default: the lowest)"`
	X        string        `flag:"x" help:"the figure's x axis: a grid key (default: the first list of more than one value)"`
	By       string        `flag:"by" help:"the figure's lines: a grid key (default: the next list)"`
	Format   string        `flag:"format" default:"png" help:"figure format: png, svg or pdf"`
	Detach   bool          "flag:\"detach\" help:\"--on slurm: submit and return; bbb sweep --collect DIR later\" effect:\"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it\""
	Collect  string        `flag:"collect" help:"collect the sweep in this folder (sweep.csv, figure, best point) without running anything"`
	Task     string        "flag:\"task\" help:\"run one point of the sweep in the folder `DIR`: --task DIR INDEX (what a Slurm array task runs; INDEX defaults to $SLURM_ARRAY_TASK_ID)\""
	Poll     time.Duration `flag:"poll" default:"5s" help:"--on slurm: how often squeue is asked while waiting" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
}

// CheckRun refuses, before any file is read, the first setting a grid
// cannot run with, worded with bbb sweep's flags: a missing Grid or Out,
// On, Jobs (1 to MaxJobs), Poll, Detach without Slurm, and a Metric not
// among metrics (the numbers of a run's summary).
func (s Settings) CheckRun(metrics []string) error {
	switch {
	case s.Grid == "":
		return errors.New("sweep: --grid FILE is required (or --collect DIR)")
	case s.Out == "":
		return errors.New("sweep: --out DIR is required")
	case s.On != "local" && s.On != "slurm":
		return fmt.Errorf("--on %q: want local or slurm", s.On)
	case s.Jobs < 1 || s.Jobs > MaxJobs:
		return fmt.Errorf("--jobs %d: want 1 to %d (each job is a bbb train process)", s.Jobs, MaxJobs)
	case s.Poll <= 0:
		return fmt.Errorf("--poll %v: need a duration > 0", s.Poll)
	case s.On == "local" && s.Detach:
		return errors.New("--detach: only with --on slurm")
	case !slices.Contains(metrics, s.Metric):
		return fmt.Errorf("--metric %s: not a number of bbb train's summary.json (%s, ...)", s.Metric, strings.Join(metrics[:min(6, len(metrics))], ", "))
	}
	return nil
}
