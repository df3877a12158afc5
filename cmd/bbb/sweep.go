package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/sweep"
)

// bbb sweep runs a grid of train runs (package sweep, docs/SWEEP.md).

// sweepExecutable is the bbb binary the points run (tests replace it).
var sweepExecutable = os.Executable

type sweepFlags struct {
	grid, out, on, seeds  string
	jobs                  int
	metric, x, by, format string
	maximize, detach      bool
	collect, task         string
	poll                  time.Duration
	slurm                 map[string]*string // sbatch options by sweep.SlurmKeys
	explicit              map[string]bool
	stdout, stderr        io.Writer
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := sweepFlags{stdout: stdout, stderr: stderr, slurm: map[string]*string{}}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.StringVar(&f.grid, "grid", "", "the grid file: one `key = value` or `key = [v1, v2]` per line, each key a bbb train flag (docs/SWEEP.md)")
	fs.StringVar(&f.out, "out", "", "the sweep folder: DIR/runs/<point>/ per point, DIR/sweep.csv, DIR/sweep.FORMAT")
	fs.StringVar(&f.on, "on", "local", "where the points run: local (--jobs at once on this machine) or slurm (one job array)")
	fs.IntVar(&f.jobs, "jobs", 1, "--on local: points run at once; the cores are divided among them (--threads, GOMAXPROCS)")
	fs.StringVar(&f.seeds, "seeds", "", "comma-separated seeds, replacing the grid's seeds key")
	fs.StringVar(&f.metric, "metric", "val_nlpd", "the summary.json number the best point and the figure use")
	fs.BoolVar(&f.maximize, "maximize", false, "the best point has the highest --metric (default: the lowest)")
	fs.StringVar(&f.x, "x", "", "the figure's x axis: a grid key (default: the first list of more than one value)")
	fs.StringVar(&f.by, "by", "", "the figure's lines: a grid key (default: the next list)")
	fs.StringVar(&f.format, "format", "png", "figure format: png, svg or pdf")
	fs.BoolVar(&f.detach, "detach", false, "--on slurm: submit and return; `bbb sweep --collect DIR` later")
	fs.StringVar(&f.collect, "collect", "", "collect the sweep in this folder (sweep.csv, figure, best point) without running anything")
	fs.StringVar(&f.task, "task", "", "run one point of the sweep in this folder: `--task DIR INDEX` (what a Slurm array task runs; INDEX defaults to $SLURM_ARRAY_TASK_ID)")
	fs.DurationVar(&f.poll, "poll", 5*time.Second, "--on slurm: how often squeue is asked while waiting")
	for _, k := range sweep.SlurmKeys {
		f.slurm[k] = fs.String(k, "", "--on slurm: sbatch --"+k+" (overrides the grid's slurm."+k+")")
	}
	if err := parseSweepFlags(fs, args, stdout); err != nil {
		return err
	}
	f.explicit = explicitFlags(fs)
	if err := checkFlagDeps(fs, f.explicit); err != nil {
		return err
	}
	if err := checkFormat(&f.format); err != nil {
		return err
	}
	switch {
	case f.task != "":
		return f.runTask(ctx, fs.Args())
	case fs.NArg() > 0:
		return usagef("sweep: unexpected argument %q", fs.Arg(0))
	case f.collect != "":
		dir, err := filepath.Abs(f.collect)
		if err != nil {
			return usagef("--collect %s: %v", f.collect, err)
		}
		plan, err := sweep.ReadPlan(dir)
		if err != nil {
			return usagef("--collect %v", err)
		}
		if _, _, _, err := sweep.FigureAxes(plan, f.x, f.by); err != nil {
			return usagef("%v", err)
		}
		return f.report(dir, plan, f.endedReason(ctx, dir))
	}
	return f.runGrid(ctx)
}

// parseSweepFlags is parseFlags, but --task takes INDEX after it.
func parseSweepFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := parseFlags(fs, args, stdout); err != nil {
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(ue.msg, "unexpected argument") {
			return err
		}
	}
	return nil
}

// checkTrainArgs runs train's own parsing and checks on a command line,
// stopping before any work (checkOnly).
// Its run folder is checked as train's (each point's folder is one), so
// runCommand is "train" meanwhile; points are checked one at a time.
func checkTrainArgs(args []string) error {
	saved := runCommand
	runCommand = "train"
	defer func() { runCommand = saved }()
	return runTrain(context.WithValue(context.Background(), checkOnlyKey{}, true), args, io.Discard, io.Discard)
}

type checkOnlyKey struct{}

// checkOnly reports a train run that only checks its flags (bbb sweep).
func checkOnly(ctx context.Context) bool { v, _ := ctx.Value(checkOnlyKey{}).(bool); return v }

func trainChecker() sweep.Checker {
	known := (&trainFlags{}).flagSet()
	return sweep.Checker{
		Known: func(name string) bool { return known.Lookup(name) != nil },
		Check: checkTrainArgs,
	}
}

func (f *sweepFlags) runGrid(ctx context.Context) error {
	switch {
	case f.grid == "":
		return usagef("sweep: --grid FILE is required (or --collect DIR)")
	case f.out == "":
		return usagef("sweep: --out DIR is required")
	case f.on != "local" && f.on != "slurm":
		return usagef("--on %q: want local or slurm", f.on)
	case f.jobs < 1 || f.jobs > sweep.MaxJobs:
		return usagef("--jobs %d: want 1 to %d (each job is a bbb train process)", f.jobs, sweep.MaxJobs)
	case f.poll <= 0:
		return usagef("--poll %v: need a duration > 0", f.poll)
	}
	if f.on == "local" && f.detach {
		return usagef("--detach: only with --on slurm")
	}
	if ms := job.SummaryMetrics(); !slices.Contains(ms, f.metric) {
		return usagef("--metric %s: not a number of bbb train's summary.json (%s, ...)", f.metric, strings.Join(ms[:min(6, len(ms))], ", "))
	}
	dir, err := filepath.Abs(f.out)
	if err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	if err := sweep.CheckFolder(dir); err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	g, err := readGrid(f.grid)
	if err != nil {
		return err
	}
	if f.seeds != "" {
		seeds, err := sweep.ParseSeeds(f.seeds)
		if err != nil {
			return usagef("--seeds %q: want comma-separated whole numbers", f.seeds)
		}
		g.SetSeeds(seeds)
	}
	plan, err := sweep.PlanGrid(g, dir, trainChecker())
	if err != nil {
		return usagef("%v", err)
	}
	if _, _, _, err := sweep.FigureAxes(plan, f.x, f.by); err != nil {
		return usagef("%v", err)
	}
	opts := map[string]string{}
	maps.Copy(opts, g.Slurm)
	for k, v := range f.slurm {
		if *v != "" {
			opts[k] = *v
		}
	}
	plan.Slurm = opts
	exe, err := sweepExecutable()
	if err != nil {
		return fmt.Errorf("sweep: the bbb binary: %w", err)
	}
	waiting := false
	s, err := sweep.New(dir, plan, sweep.Options{
		Exe: exe, Slurm: f.on == "slurm", Jobs: f.jobs, Poll: f.poll, Detach: f.detach, Progress: f.stderr,
		Stage: interrupt.SetStage,
		Waiting: func(job string) {
			waiting = true
			interrupt.OnHardStop(func() { _ = sweep.Cancel(job) }) // a forced exit cancels too
		},
	})
	if err != nil {
		return err
	}
	defer func() {
		if waiting {
			interrupt.OnHardStop(nil)
		}
	}()
	res, err := s.Run(ctx)
	var fe *sweep.FolderError
	switch {
	case errors.As(err, &fe) && fe.Dir != "":
		return usagef("--out %s: %v", f.out, fe.Err)
	case errors.As(err, &fe):
		return usagef("--out %v", fe.Err)
	case err != nil:
		return err
	case f.detach && res.Job != "":
		fmt.Fprintf(f.stdout, "job %s\nwhen it has finished: bbb sweep --collect %s\n", res.Job, dir)
		return nil
	}
	return f.report(dir, plan, res.Ended)
}

func readGrid(path string) (*sweep.Grid, error) {
	g, err := sweep.ReadGrid(path)
	var fe *sweep.FileError
	if errors.As(err, &fe) {
		return nil, usagef("--grid %s: %v", path, fe.Err)
	} else if err != nil {
		return nil, usagef("%v", err)
	}
	return g, nil
}

// endedReason is --collect's reason for a point that did not finish
// (sweep.EndedReason), saying so when the job array is still running.
func (f *sweepFlags) endedReason(ctx context.Context, dir string) func(sweep.Point, sweep.Status) string {
	ended, active := sweep.EndedReason(ctx, dir)
	if active != "" {
		fmt.Fprintf(f.stderr, "sweep: job %s is still running; collecting what has finished\n", active)
	}
	return ended
}

// runTask runs one point: what a Slurm array task runs.
func (f *sweepFlags) runTask(ctx context.Context, rest []string) error {
	index := os.Getenv("SLURM_ARRAY_TASK_ID")
	if len(rest) > 0 {
		index = rest[0]
	}
	if len(rest) > 1 {
		return usagef("sweep --task: unexpected argument %q", rest[1])
	}
	plan, err := sweep.ReadPlan(f.task)
	if err != nil {
		return usagef("--task %v", err)
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(plan.Points) {
		return usagef("--task %s %q: want a point index from 0 to %d", f.task, index, len(plan.Points)-1)
	}
	dir, err := filepath.Abs(f.task)
	if err != nil {
		return err
	}
	exe, err := sweepExecutable()
	if err != nil {
		return err
	}
	interrupt.SetStage("running point " + plan.Points[i].Name)
	return sweep.RunTask(ctx, exe, dir, plan, i, f.stderr)
}

// report writes sweep.csv and the figure, prints the best point and the
// failed ones (sweep.Report); an error (exit 1) if any point failed or has
// not run.
func (f *sweepFlags) report(dir string, plan *sweep.Plan, ended func(sweep.Point, sweep.Status) string) error {
	interrupt.SetStage("collecting")
	_, err := sweep.Report(f.stdout, dir, plan, sweep.ReportOptions{Metric: f.metric, Maximize: f.maximize, X: f.x, By: f.by, Format: f.format, Ended: ended})
	var me *sweep.MetricError
	if errors.As(err, &me) {
		return usagef("%v", err)
	}
	return err
}
