package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/bbb-go/bbb/rundir"
)

// MaxJobs bounds Options.Jobs: each job is a process with its own memory,
// and past the machine's cores they only take turns.
const MaxJobs = 1024

// DefaultPoll is how often a Slurm sweep asks squeue while it waits, when
// Options.Poll is 0.
const DefaultPoll = 5 * time.Second

// jobFile records the Slurm job array's id in the sweep folder: a later
// collection asks Slurm how the tasks ended (EndedReason).
const jobFile = "job"

// Options say where and how a sweep's points run. The zero value (with
// Exe set) runs them on this machine one at a time, each with every core.
type Options struct {
	// Exe is the bbb binary: each point runs as `Exe train ...`, each
	// Slurm task as `Exe sweep --task DIR INDEX`. Required.
	Exe string
	// Slurm submits the points as one Slurm job array (Submit) instead of
	// running them here.
	Slurm bool
	// Jobs is how many points run at once on this machine (0 means 1, at
	// most MaxJobs).
	Jobs int
	// Threads is each local point's cores, --threads and GOMAXPROCS (0
	// means the machine's cores divided among the Jobs, at least 1).
	Threads int
	// Poll is how often squeue is asked while a Slurm sweep waits (0 means
	// DefaultPoll).
	Poll time.Duration
	// Detach returns once the array is submitted: collect it later with
	// Report (and EndedReason).
	Detach bool
	// Progress receives one line per step ("sweep: ..."); nil: none.
	Progress io.Writer
	// Stage, if not nil, is told what Run is doing: "running points", or
	// "waiting for job array JOB" (for a command's interrupt message).
	Stage func(stage string)
	// Waiting, if not nil, is called with the array's id when Run starts
	// waiting for it: a command that may exit without returning (a second
	// signal) cancels the array then (Cancel). Run cancels it itself when
	// ctx is cancelled.
	Waiting func(job string)
}

// Sweep is a checked plan bound to its folder: what Run runs.
type Sweep struct {
	Dir  string // the sweep folder, absolute
	Plan *Plan
	Options
}

// New binds plan (PlanGrid) to the sweep folder dir. It refuses options
// Run cannot honour; the folder itself is made and checked by Run.
func New(dir string, plan *Plan, o Options) (*Sweep, error) {
	switch {
	case plan == nil:
		return nil, errors.New("sweep: no plan")
	case dir == "":
		return nil, errors.New("sweep: no folder")
	case o.Exe == "":
		return nil, errors.New("sweep: no bbb binary (Options.Exe)")
	case o.Jobs < 0 || o.Jobs > MaxJobs:
		return nil, fmt.Errorf("sweep: %d jobs: want 0 to %d", o.Jobs, MaxJobs)
	case o.Threads < 0:
		return nil, fmt.Errorf("sweep: %d threads: want 0 or more", o.Threads)
	case o.Poll < 0:
		return nil, fmt.Errorf("sweep: poll %v: want 0 or more", o.Poll)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Sweep{Dir: abs, Plan: plan, Options: o}, nil
}

// PlanGrid expands the grid (Expand), checks every point into the sweep
// folder dir with bbb train's own checks (Check) and returns its plan.
// Its errors are *GridError: nothing can run.
func PlanGrid(g *Grid, dir string, c Checker) (*Plan, error) {
	points, err := Expand(g)
	if err == nil {
		err = Check(g, points, dir, c)
	}
	if err != nil {
		return nil, err
	}
	return NewPlan(g, points), nil
}

// CheckFolder refuses a sweep folder that is not a folder, or one that is
// neither new, empty nor a sweep's (it has the sweep's plan): a sweep
// writes sweep.csv, its figure and logs into it and would replace a
// user's files, or a train run's, of the same names.
func CheckFolder(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return errors.New("not a folder")
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		return nil // new (made by the sweep) or empty; an unreadable one fails where it is read
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); err == nil {
		return nil
	}
	names := make([]string, 0, 3)
	for _, e := range ents[:min(3, len(ents))] {
		names = append(names, e.Name())
	}
	return fmt.Errorf("is not a sweep folder (no %s) and holds %s; give a new or empty folder, or a sweep's", PlanFile, strings.Join(names, ", "))
}

// FolderError is a sweep folder Run cannot use, found before anything was
// written or ran: Dir cannot be made, or (Dir "") the plan an earlier
// sweep left in it cannot be read (Err names it).
type FolderError struct {
	Dir string
	Err error
}

func (e *FolderError) Error() string {
	if e.Dir == "" {
		return e.Err.Error()
	}
	return e.Dir + ": " + e.Err.Error()
}

func (e *FolderError) Unwrap() error { return e.Err }

// Result is what Run did: the points it ran or submitted and, for Slurm,
// the job array. Ended goes to Report.
type Result struct {
	Pending []Point // the points without a finished run when Run began
	Job     string  // the Slurm job array's id; "" if none was submitted
	// Ended is the reason a point did not finish, for Report: the state its
	// Slurm task ended in (SlurmEnded); nil for a local sweep.
	Ended func(Point, Status) string
}

// Run writes the plan into the sweep folder and runs its pending points
// (Plan.Pending): here, Jobs at a time, or as one Slurm job array that it
// waits for (unless Detach). Finished points are not run again, and a
// point whose flags changed since the last sweep into Dir is. When ctx is
// cancelled the running points stop (a Slurm array is cancelled) and Run
// returns ctx's error; the finished points are kept whole. Failed points
// are not an error: Report counts them.
func (s *Sweep) Run(ctx context.Context) (Result, error) {
	progress := s.Progress
	if progress == nil {
		progress = io.Discard
	}
	if s.Slurm {
		if _, err := exec.LookPath("sbatch"); err != nil { // (before anything is written)
			return Result{}, &SubmitError{Msg: NoSbatch}
		}
	}
	if err := os.MkdirAll(s.Dir, 0o777); err != nil {
		return Result{}, &FolderError{Dir: s.Dir, Err: unwrapPath(err)}
	}
	// One sweep at a time writes the folder (and no train run into it):
	// a second would run the same points into the same run folders.
	unlock, err := rundir.Lock(s.Dir)
	if err != nil {
		return Result{}, &FolderError{Dir: s.Dir, Err: err}
	}
	defer unlock()
	var prev *Plan
	if _, err := os.Stat(filepath.Join(s.Dir, PlanFile)); err == nil {
		if prev, err = ReadPlan(s.Dir); err != nil {
			return Result{}, &FolderError{Err: err}
		}
	}
	if prev != nil {
		recordRunArgs(s.Dir, prev)
	}
	if err := s.Plan.Write(s.Dir); err != nil {
		return Result{}, err
	}
	res := Result{Pending: s.Plan.Pending(s.Dir, prev)}
	n := len(s.Plan.Points)
	fmt.Fprintf(progress, "sweep: %d points, %d to run (%d done) in %s\n", n, len(res.Pending), n-len(res.Pending), s.Dir)
	if s.Slurm {
		return s.runSlurm(ctx, res, progress)
	}
	jobs := max(1, s.Jobs)
	threads := s.Threads
	if threads == 0 {
		threads = max(1, runtime.NumCPU()/jobs)
	}
	r := &Runner{Exe: s.Exe, Dir: s.Dir, Threads: threads, Progress: s.Progress}
	s.stage("running points")
	r.RunLocal(ctx, res.Pending, jobs)
	if ctx.Err() != nil {
		return res, ctx.Err() // finished points are whole; the next sweep runs the rest
	}
	return res, nil
}

func (s *Sweep) stage(name string) {
	if s.Stage != nil {
		s.Stage(name)
	}
}

// runSlurm submits the pending points, records the job, and waits for it
// (cancelling it if ctx is).
func (s *Sweep) runSlurm(ctx context.Context, res Result, progress io.Writer) (Result, error) {
	if len(res.Pending) == 0 {
		return res, nil
	}
	job, err := Submit(ctx, s.Exe, s.Dir, res.Pending, s.Plan.Slurm)
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "slurm", jobFile), []byte(job+"\n"), 0o666); err != nil {
		return res, err
	}
	res.Job = job
	fmt.Fprintf(progress, "sweep: submitted job array %s (%d tasks); logs in %s\n", job, len(res.Pending), filepath.Join(s.Dir, "logs"))
	if s.Detach {
		return res, nil
	}
	s.stage("waiting for job array " + job)
	if s.Waiting != nil {
		s.Waiting(job)
	}
	poll := s.Poll
	if poll == 0 {
		poll = DefaultPoll
	}
	states, err := Wait(ctx, job, poll, func(c string) { fmt.Fprintf(progress, "sweep: job %s: %s\n", job, c) })
	if ctx.Err() != nil {
		if cerr := Cancel(job); cerr != nil {
			fmt.Fprintf(progress, "bbb: %v\n", cerr)
		} else {
			fmt.Fprintf(progress, "sweep: cancelled job array %s (scancel); finished points are kept\n", job)
		}
		return res, ctx.Err()
	}
	if err != nil {
		return res, err
	}
	res.Ended = SlurmEnded(states)
	return res, nil
}

// SlurmEnded is Collect's reason for a point that did not finish: the
// state its task ended in (TIMEOUT, CANCELLED, OUT_OF_MEMORY, FAILED,
// ...), as squeue last showed it (states, from Wait or TaskStates).
func SlurmEnded(states map[int]string) func(Point, Status) string {
	return func(p Point, st Status) string {
		state, known := states[p.Index]
		switch {
		case known && state != "COMPLETED":
			return "slurm task " + strings.ToLower(state)
		case st.State == StateRunning:
			return "slurm task ended before the run finished (killed or timed out)"
		}
		return ""
	}
}

// EndedReason is the reason, for Collect or Report, of a point of the
// sweep in dir that did not finish: the state of its Slurm task, if the
// sweep's job array has ended (squeue remembers ended tasks for
// MinJobAge, 300 s by default). It is nil for a local sweep, and while the
// array is still active (then active is its job id: Report collects what
// has finished).
func EndedReason(ctx context.Context, dir string) (ended func(Point, Status) string, active string) {
	b, err := os.ReadFile(filepath.Join(dir, "slurm", jobFile))
	if err != nil {
		return nil, "" // a local sweep: a running point is one under way elsewhere, or killed hard
	}
	job := strings.TrimSpace(string(b))
	if Active(ctx, job) {
		return nil, job
	}
	states, _ := TaskStates(ctx, job) // (none: forgotten, or no squeue here)
	return SlurmEnded(states), ""
}

// RunTask runs point i of the sweep in dir (its plan): what each task of
// a Submit array runs, `bbb sweep --task DIR INDEX`. The point gets
// $SLURM_CPUS_PER_TASK cores (1 if unset); one line on how it ended goes
// to progress (nil: none). A failed point is an error.
func RunTask(ctx context.Context, exe, dir string, plan *Plan, i int, progress io.Writer) error {
	if i < 0 || i >= len(plan.Points) {
		return fmt.Errorf("sweep: point %d: want 0 to %d", i, len(plan.Points)-1)
	}
	threads := 1
	if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
		threads = n
	}
	p := plan.Points[i]
	r := &Runner{Exe: exe, Dir: dir, Threads: threads}
	st := r.Run(ctx, p)
	if progress != nil {
		fmt.Fprintf(progress, "sweep: point %d %s: %s %.1fs (log: %s)\n", i, p.Name, st.State, st.WallSeconds, st.Log)
	}
	if st.State != StateOK {
		return fmt.Errorf("point %s failed: %s", p.Name, st.Reason)
	}
	return nil
}
