package sweep

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
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

// SlurmOptions are the sbatch options of a sweep run on Slurm, by
// SlurmKeys' names as their flags: each, unless "", overrides the grid's
// slurm.KEY (Settings.PlanRun).
type SlurmOptions struct {
	Partition   string `flag:"partition" help:"--on slurm: sbatch --partition (overrides the grid's slurm.partition)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	Time        string `flag:"time" help:"--on slurm: sbatch --time (overrides the grid's slurm.time)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	Mem         string `flag:"mem" help:"--on slurm: sbatch --mem (overrides the grid's slurm.mem)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	Gres        string `flag:"gres" help:"--on slurm: sbatch --gres (overrides the grid's slurm.gres)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	CPUsPerTask string `flag:"cpus-per-task" help:"--on slurm: sbatch --cpus-per-task (overrides the grid's slurm.cpus-per-task)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	Account     string `flag:"account" help:"--on slurm: sbatch --account (overrides the grid's slurm.account)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
	QOS         string `flag:"qos" help:"--on slurm: sbatch --qos (overrides the grid's slurm.qos)" effect:"!collect: it only reads the sweep's folder; on=slurm: only Slurm takes it"`
}

// Map returns the options by their SlurmKeys names ("cpus-per-task").
func (o SlurmOptions) Map() map[string]string {
	return map[string]string{"partition": o.Partition, "time": o.Time, "mem": o.Mem, "gres": o.Gres,
		"cpus-per-task": o.CPUsPerTask, "account": o.Account, "qos": o.QOS}
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

// PlanRun is the plan of the grid s runs, made and checked before any
// point runs: s checked (CheckRun, against metrics), the folder Out (as
// an absolute path, dir) one a sweep may use (CheckFolder), the grid read
// (ReadGrid) with Seeds in place of its seeds, every point checked by c
// (PlanGrid), the figure's X and By (FigureAxes), and the Slurm options:
// the grid's, each replaced by slurm's where that is not "". Every
// error is a refusal of what the user gave, worded with bbb sweep's
// flags.
func (s Settings) PlanRun(metrics []string, slurm SlurmOptions, c Checker) (dir string, plan *Plan, err error) {
	if err := s.CheckRun(metrics); err != nil {
		return "", nil, err
	}
	if dir, err = filepath.Abs(s.Out); err != nil {
		return "", nil, fmt.Errorf("--out %s: %v", s.Out, err)
	}
	if err := CheckFolder(dir); err != nil {
		return "", nil, fmt.Errorf("--out %s: %v", s.Out, err)
	}
	g, err := ReadGrid(s.Grid)
	var fe *FileError
	if errors.As(err, &fe) {
		return "", nil, fmt.Errorf("--grid %s: %v", s.Grid, fe.Err)
	} else if err != nil {
		return "", nil, err
	}
	if s.Seeds != "" {
		seeds, err := ParseSeeds(s.Seeds)
		if err != nil {
			return "", nil, errors.New("--" + strings.TrimPrefix(err.Error(), "sweep: "))
		}
		g.SetSeeds(seeds)
	}
	if plan, err = PlanGrid(g, dir, c); err != nil {
		return "", nil, err
	}
	if _, _, _, err := FigureAxes(plan, s.X, s.By); err != nil {
		return "", nil, err
	}
	plan.Slurm = maps.Clone(g.Slurm)
	if plan.Slurm == nil {
		plan.Slurm = map[string]string{}
	}
	for k, v := range slurm.Map() {
		if v != "" {
			plan.Slurm[k] = v
		}
	}
	return dir, plan, nil
}

// CollectPlan is the plan of the finished sweep in Collect (as an absolute
// path, dir), its figure's X and By checked (FigureAxes). Every error is
// a refusal of what the user gave, worded with bbb sweep's flags.
func (s Settings) CollectPlan() (dir string, plan *Plan, err error) {
	if dir, err = filepath.Abs(s.Collect); err != nil {
		return "", nil, fmt.Errorf("--collect %s: %v", s.Collect, err)
	}
	if plan, err = ReadPlan(dir); err != nil {
		return "", nil, fmt.Errorf("--collect %v", err)
	}
	if _, _, _, err := FigureAxes(plan, s.X, s.By); err != nil {
		return "", nil, err
	}
	return dir, plan, nil
}

// TaskPoint is the point of the sweep in Task that a task runs: the index
// given after --task (args: what follows it on the command line, at most
// the index), or env (a Slurm array task's SLURM_ARRAY_TASK_ID) without
// it. Every error is a refusal of what the user gave, worded with bbb
// sweep's flags.
func (s Settings) TaskPoint(args []string, env string) (plan *Plan, index int, err error) {
	if len(args) > 1 {
		return nil, 0, fmt.Errorf("sweep --task: unexpected argument %q", args[1])
	}
	if plan, err = ReadPlan(s.Task); err != nil {
		return nil, 0, fmt.Errorf("--task %v", err)
	}
	text := env
	if len(args) > 0 {
		text = args[0]
	} else if env == "" {
		return nil, 0, fmt.Errorf("--task %s: give the point's index after it (0 to %d), or set SLURM_ARRAY_TASK_ID", s.Task, len(plan.Points)-1)
	}
	i, err := strconv.Atoi(text)
	if err != nil || i < 0 || i >= len(plan.Points) {
		return nil, 0, fmt.Errorf("--task %s %q: want a point index from 0 to %d", s.Task, text, len(plan.Points)-1)
	}
	return plan, i, nil
}
