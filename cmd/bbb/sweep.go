package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/sweep"
)

// bbb sweep runs a grid of train runs (package sweep, docs/SWEEP.md).

// sweepExecutable is the bbb binary the points run (tests replace it).
var sweepExecutable = os.Executable

type sweepFlags struct {
	sweep.Settings
	slurm          sweep.SlurmOptions
	stdout, stderr io.Writer
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := sweepFlags{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	settingflag.Define(fs, &f.Settings, &f.slurm)
	if err := parseSweepFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkFlagDeps(fs, explicitFlags(fs)); err != nil {
		return err
	}
	if isSet(fs, "seeds") && f.Seeds == "" { // (not taken for "the grid's seeds")
		return usagef("--seeds %q: want comma-separated whole numbers", f.Seeds)
	}
	if err := checkFormat(&f.Format); err != nil {
		return err
	}
	switch {
	case f.Task != "":
		return f.runTask(ctx, fs.Args())
	case fs.NArg() > 0:
		return usagef("sweep: unexpected argument %q", fs.Arg(0))
	case f.Collect != "":
		dir, plan, err := f.CollectPlan()
		if err != nil {
			return usagef("%v", err)
		}
		return f.report(ctx, "--collect "+f.Collect, dir, plan, f.endedReason(ctx, dir))
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
	dir, plan, err := f.PlanRun(job.SummaryMetrics(), f.slurm, trainChecker())
	if err != nil {
		return usagef("%v", err)
	}
	exe, err := sweepExecutable()
	if err != nil {
		return fmt.Errorf("sweep: the bbb binary: %w", err)
	}
	waiting := false
	s, err := sweep.New(dir, plan, sweep.Options{
		Exe: exe, Slurm: f.On == "slurm", Jobs: f.Jobs, Poll: f.Poll, Detach: f.Detach, Progress: f.stderr,
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
		return usagef("--out %s: %v", f.Out, fe.Err)
	case errors.As(err, &fe):
		return usagef("--out %v", fe.Err)
	case err != nil:
		return err
	case f.Detach && res.Job != "":
		fmt.Fprintf(f.stdout, "job %s\nwhen it has finished: bbb sweep --collect %s\n", res.Job, dir)
		return nil
	}
	return f.report(ctx, "--out "+f.Out, dir, plan, res.Ended)
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
	plan, i, err := f.TaskPoint(rest, os.Getenv("SLURM_ARRAY_TASK_ID"))
	if err != nil {
		return usagef("%v", err)
	}
	dir, err := filepath.Abs(f.Task)
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
// not run. Once every file is written the sweep is complete (what names
// its folder): a signal then, SIGPIPE from a reader of its lines that has
// gone included, stops nothing (exit 0).
func (f *sweepFlags) report(ctx context.Context, what, dir string, plan *sweep.Plan, ended func(sweep.Point, sweep.Status) string) error {
	interrupt.SetStage("collecting")
	_, err := sweep.Report(f.stdout, dir, plan, sweep.ReportOptions{Metric: f.Metric, Maximize: f.Maximize, X: f.X, By: f.By, Format: f.Format, Ended: ended})
	var me *sweep.MetricError
	if errors.As(err, &me) {
		return usagef("%v", err)
	}
	if err == nil {
		markWritten(ctx, what)
	}
	return err
}
