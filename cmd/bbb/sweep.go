package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/sweep"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
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

// maxSweepJobs bounds --jobs: each job is a process with its own memory,
// and past the machine's cores they only take turns.
const maxSweepJobs = 1024

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
	case f.jobs < 1 || f.jobs > maxSweepJobs:
		return usagef("--jobs %d: want 1 to %d (each job is a bbb train process)", f.jobs, maxSweepJobs)
	case f.poll <= 0:
		return usagef("--poll %v: need a duration > 0", f.poll)
	}
	if f.on == "local" && f.detach {
		return usagef("--detach: only with --on slurm")
	}
	if ms := summaryMetrics(); !slices.Contains(ms, f.metric) {
		return usagef("--metric %s: not a number of bbb train's summary.json (%s, ...)", f.metric, strings.Join(ms[:min(6, len(ms))], ", "))
	}
	dir, err := filepath.Abs(f.out)
	if err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usagef("--out %s: not a folder", f.out)
	}
	if err := checkSweepFolder(dir); err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	g, err := readGrid(f.grid)
	if err != nil {
		return err
	}
	if f.seeds != "" {
		seeds := strings.Split(f.seeds, ",")
		for _, s := range seeds {
			if _, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64); err != nil {
				return usagef("--seeds %q: want comma-separated whole numbers", f.seeds)
			}
		}
		for i := range seeds {
			seeds[i] = strings.TrimSpace(seeds[i])
		}
		g.SetSeeds(seeds)
	}
	points, err := sweep.Expand(g)
	if err == nil {
		err = sweep.Check(g, points, dir, trainChecker())
	}
	if err != nil {
		return usagef("%v", err)
	}
	plan := sweep.NewPlan(g, points)
	if _, _, _, err := sweep.FigureAxes(plan, f.x, f.by); err != nil {
		return usagef("%v", err)
	}
	opts := cloneMap(g.Slurm)
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
	if f.on == "slurm" {
		if _, err := exec.LookPath("sbatch"); err != nil { // (before anything is written)
			return &sweep.SubmitError{Msg: sweep.NoSbatch}
		}
	}
	var prev *sweep.Plan
	if _, err := os.Stat(filepath.Join(dir, sweep.PlanFile)); err == nil {
		if prev, err = sweep.ReadPlan(dir); err != nil {
			return usagef("--out %v", err)
		}
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return usagef("--out %s: %v", f.out, unwrapPath(err))
	}
	if err := plan.Write(dir); err != nil {
		return err
	}
	pending := plan.Pending(dir, prev)
	fmt.Fprintf(f.stderr, "sweep: %d points, %d to run (%d done) in %s\n", len(points), len(pending), len(points)-len(pending), dir)
	if f.on == "slurm" {
		return f.runSlurm(ctx, dir, exe, plan, pending, opts)
	}
	threads := max(1, runtime.NumCPU()/f.jobs)
	r := &sweep.Runner{Exe: exe, Dir: dir, Threads: threads, Progress: f.stderr}
	interrupt.SetStage("running points")
	r.RunLocal(ctx, pending, f.jobs)
	if ctx.Err() != nil {
		return ctx.Err() // finished points are whole; the next sweep runs the rest
	}
	return f.report(dir, plan, nil)
}

func cloneMap(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func readGrid(path string) (*sweep.Grid, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, usagef("--grid %s: %v", path, unwrapPath(err))
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, usagef("--grid %s: not a regular file", path)
	}
	g, err := sweep.Parse(io.LimitReader(fh, 1<<20), path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return g, nil
}

func (f *sweepFlags) runSlurm(ctx context.Context, dir, exe string, plan *sweep.Plan, pending []sweep.Point, opts map[string]string) error {
	if len(pending) == 0 {
		return f.report(dir, plan, nil)
	}
	job, err := sweep.Submit(ctx, exe, dir, pending, opts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "slurm", "job"), []byte(job+"\n"), 0o666); err != nil {
		return err
	}
	fmt.Fprintf(f.stderr, "sweep: submitted job array %s (%d tasks); logs in %s\n", job, len(pending), filepath.Join(dir, "logs"))
	if f.detach {
		fmt.Fprintf(f.stdout, "job %s\nwhen it has finished: bbb sweep --collect %s\n", job, dir)
		return nil
	}
	interrupt.SetStage("waiting for job array " + job)
	interrupt.OnHardStop(func() { _ = sweep.Cancel(job) }) // a forced exit cancels too
	defer interrupt.OnHardStop(nil)
	states, err := sweep.Wait(ctx, job, f.poll, func(c string) { fmt.Fprintf(f.stderr, "sweep: job %s: %s\n", job, c) })
	if ctx.Err() != nil {
		if cerr := sweep.Cancel(job); cerr != nil {
			fmt.Fprintf(f.stderr, "bbb: %v\n", cerr)
		} else {
			fmt.Fprintf(f.stderr, "sweep: cancelled job array %s (scancel); finished points are kept\n", job)
		}
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	return f.report(dir, plan, slurmEnded(states))
}

// slurmEnded gives a point that did not finish the state its task ended
// in (TIMEOUT, CANCELLED, OUT_OF_MEMORY, FAILED, ...), as squeue last
// showed it.
func slurmEnded(states map[int]string) func(sweep.Point, sweep.Status) string {
	return func(p sweep.Point, st sweep.Status) string {
		state, known := states[p.Index]
		switch {
		case known && state != "COMPLETED":
			return "slurm task " + strings.ToLower(state)
		case st.State == sweep.StateRunning:
			return "slurm task ended before the run finished (killed or timed out)"
		}
		return ""
	}
}

// endedReason is --collect's reason for a point that did not finish: the
// state of its Slurm task, if the job has ended (squeue remembers ended
// tasks for MinJobAge, 300 s by default).
func (f *sweepFlags) endedReason(ctx context.Context, dir string) func(sweep.Point, sweep.Status) string {
	b, err := os.ReadFile(filepath.Join(dir, "slurm", "job"))
	if err != nil {
		return nil // a local sweep: a running point is one under way elsewhere, or killed hard
	}
	job := strings.TrimSpace(string(b))
	if sweep.Active(ctx, job) {
		fmt.Fprintf(f.stderr, "sweep: job %s is still running; collecting what has finished\n", job)
		return nil
	}
	states, _ := sweep.TaskStates(ctx, job) // (none: forgotten, or no squeue here)
	return slurmEnded(states)
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
	threads := 1
	if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
		threads = n
	}
	interrupt.SetStage("running point " + plan.Points[i].Name)
	r := &sweep.Runner{Exe: exe, Dir: dir, Threads: threads}
	st := r.Run(ctx, plan.Points[i])
	fmt.Fprintf(f.stderr, "sweep: point %d %s: %s %.1fs (log: %s)\n", i, plan.Points[i].Name, st.State, st.WallSeconds, st.Log)
	if st.State != sweep.StateOK {
		return fmt.Errorf("point %s failed: %s", plan.Points[i].Name, st.Reason)
	}
	return nil
}

// report writes sweep.csv and the figure, prints the best point and the
// failed ones; an error (exit 1) if any point failed or has not run.
func (f *sweepFlags) report(dir string, plan *sweep.Plan, ended func(sweep.Point, sweep.Status) string) error {
	interrupt.SetStage("collecting")
	rows := sweep.Collect(dir, plan, ended)
	if err := sweep.WriteCSV(dir, plan, rows); err != nil {
		return err
	}
	fmt.Fprintf(f.stdout, "wrote %s (%s)\n", filepath.Join(dir, sweep.CSVFile), sweep.Summary(rows))
	bad := 0
	for _, r := range rows {
		if r.Status.State != sweep.StateOK {
			bad++
			fmt.Fprintf(f.stdout, "%s %s: %s (log: %s)\n", r.Status.State, r.Point.Name, r.Status.Reason, r.Status.Log)
		}
	}
	if best, ok := sweep.Best(rows, f.metric, f.maximize); ok {
		p := best.Points[0]
		fmt.Fprintf(f.stdout, "best %s %.6g ± %.3g (sd over %d seeds): %s\n  bbb train %s\n", f.metric, best.Mean, best.Std, len(best.Points), best.Key,
			strings.Join(p.TrainArgs(dir), " "))
		if x, by, ok, _ := sweep.FigureAxes(plan, f.x, f.by); ok {
			path := filepath.Join(dir, "sweep."+f.format)
			if err := viz.Sweep(path, sweep.Figure(plan, rows, f.metric, x, by, f.maximize)); err != nil {
				return err
			}
			fmt.Fprintf(f.stdout, "wrote %s\n", path)
		}
	} else if ms := sweep.Metrics(rows); len(ms) > 0 && !slices.Contains(ms, f.metric) {
		return usagef("--metric %s: not in the summaries (they hold %s)", f.metric, strings.Join(ms, ", "))
	}
	if bad > 0 {
		return fmt.Errorf("sweep: %d of %d points did not finish (the next sweep into %s runs them again)", bad, len(rows), dir)
	}
	return nil
}

// checkSweepFolder refuses a folder that is neither new, empty nor a sweep
// (it has the sweep's plan): a sweep writes sweep.csv, its figure and logs
// into it and would replace a user's files, or a train run's, of the same
// names.
func checkSweepFolder(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		return nil // new (made by the sweep) or empty; an unreadable one fails where it is read
	}
	if _, err := os.Stat(filepath.Join(dir, sweep.PlanFile)); err == nil {
		return nil
	}
	names := make([]string, 0, 3)
	for _, e := range ents[:min(3, len(ents))] {
		names = append(names, e.Name())
	}
	return fmt.Errorf("is not a sweep folder (no %s) and holds %s; give a new or empty folder, or a sweep's", sweep.PlanFile, strings.Join(names, ", "))
}

// summaryMetrics are the numbers a train run's summary.json can hold (the
// regression and the classification summaries' numeric fields, by their
// JSON names): --metric is checked against them before any point runs.
func summaryMetrics() []string {
	var names []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			fl := t.Field(i)
			if fl.Anonymous && fl.Type.Kind() == reflect.Struct {
				walk(fl.Type)
				continue
			}
			name, _, _ := strings.Cut(fl.Tag.Get("json"), ",")
			switch fl.Type.Kind() {
			case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
				if name != "" && name != "-" && !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	walk(reflect.TypeOf(train.Summary{}))
	walk(reflect.TypeOf(train.ClassSummary{}))
	return names
}
