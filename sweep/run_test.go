package sweep

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbb-go/bbb/rundir"
)

// fakeBBB is a stand-in bbb: `train ... --out=D` writes D/summary.json
// with val_nlpd the point's --lr, and fails (exit 3) at --lr=0.3.
func fakeBBB(t *testing.T) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bbb")
	body := `#!/bin/sh
for a in "$@"; do case "$a" in --out=*) out="${a#--out=}";; --lr=*) lr="${a#--lr=}";; esac; done
case "$lr" in 0.3) echo "boom: a fault" >&2; exit 3;; esac
mkdir -p "$out" && printf '{"val_nlpd": %s}\n' "$lr" > "$out/summary.json"
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

var anyFlag = Checker{Known: func(string) bool { return true }, Check: func([]string) error { return nil }}

func testPlan(t *testing.T, grid, dir string) *Plan {
	t.Helper()
	plan, err := PlanGrid(parse(t, grid), dir, anyFlag)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// Run runs the pending points here and Report collects them; a second
// Run runs only the points that did not finish, and a failed point is
// an IncompleteError naming the folder.
func TestSweepRunAndReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	plan := testPlan(t, "lr = [0.1, 0.2, 0.3]\n", dir)
	var progress, stages strings.Builder
	s, err := New(dir, plan, Options{Exe: fakeBBB(t), Jobs: 2, Progress: &progress, Stage: func(st string) { stages.WriteString(st + ";") }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil || len(res.Pending) != 3 || res.Job != "" || res.Ended != nil {
		t.Fatalf("Run: %+v, %v", res, err)
	}
	if !strings.HasPrefix(progress.String(), "sweep: 3 points, 3 to run (0 done) in "+dir+"\n") || strings.Count(progress.String(), "\n") != 4 {
		t.Errorf("progress %q", progress.String())
	}
	if stages.String() != "running points;" {
		t.Errorf("stages %q", stages.String())
	}
	var out strings.Builder
	rows, err := Report(&out, dir, plan, ReportOptions{Metric: "val_nlpd", Maximize: true})
	var inc *IncompleteError
	if !errors.As(err, &inc) || inc.Bad != 1 || inc.Points != 3 || inc.Dir != dir ||
		err.Error() != "sweep: 1 of 3 points did not finish (the next sweep into "+dir+" runs them again)" {
		t.Fatalf("Report: %v", err)
	}
	if len(rows) != 3 || rows[2].Status.State != StateFailed || !strings.Contains(rows[2].Status.Reason, "exit status 3: boom: a fault") {
		t.Errorf("rows %+v", rows)
	}
	for _, want := range []string{"wrote " + filepath.Join(dir, CSVFile) + " (2 ok, 1 failed)\n", "failed lr=0.3: exit status 3",
		"best val_nlpd 0.2 (one seed): --lr=0.2\n  bbb train --lr=0.2 --out=" + filepath.Join(dir, "runs", "lr=0.2") + "\n",
		"wrote " + filepath.Join(dir, "sweep.png") + "\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report %q lacks %q", out.String(), want)
		}
	}
	// Collected again in another format: the new figure only (the old one
	// would not match sweep.csv); with no point ok, no figure at all.
	out.Reset()
	Report(&out, dir, plan, ReportOptions{Metric: "val_nlpd", Format: "svg"})
	if _, err := os.Stat(filepath.Join(dir, "sweep.png")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(out.String(), "sweep.svg") {
		t.Errorf("collected as svg after png: sweep.png %v; report %q", err, out.String())
	}
	summaries, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "summary.json"))
	for _, p := range summaries {
		if err := os.Rename(p, p+".away"); err != nil {
			t.Fatal(err)
		}
	}
	Report(io.Discard, dir, plan, ReportOptions{Metric: "val_nlpd", Format: "svg"})
	if figs, _ := filepath.Glob(filepath.Join(dir, "sweep.[ps][nvd][gf]")); len(figs) != 0 {
		t.Errorf("no point ok: the folder holds %q, want no figure", figs)
	}
	for _, p := range summaries {
		if err := os.Rename(p+".away", p); err != nil {
			t.Fatal(err)
		}
	}
	// A figure that cannot be removed (a folder of that name, not empty):
	// an error naming it, the other old figures removed still, and no new
	// figure beside it.
	if err := os.MkdirAll(filepath.Join(dir, "sweep.png", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sweep.pdf", "sweep.svg"} { // (svg: the format asked for, drawn before)
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Report(io.Discard, dir, plan, ReportOptions{Metric: "val_nlpd", Format: "svg"})
	if err == nil || !strings.HasPrefix(err.Error(), "sweep: an earlier collect's figure cannot be removed: remove "+filepath.Join(dir, "sweep.png")) {
		t.Errorf("a figure that cannot be removed: %v", err)
	}
	for _, f := range []string{"sweep.pdf", "sweep.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s beside the figure that could not be removed: %v", f, err)
		}
	}
	os.RemoveAll(filepath.Join(dir, "sweep.png"))
	progress.Reset()
	if res, err := s.Run(context.Background()); err != nil || len(res.Pending) != 1 || res.Pending[0].Name != "lr=0.3" {
		t.Fatalf("second Run: %+v, %v", res, err)
	}
	if !strings.HasPrefix(progress.String(), "sweep: 3 points, 1 to run (2 done)") {
		t.Errorf("second progress %q", progress.String())
	}
	// No summary holds the metric: a MetricError listing what they hold,
	// before sweep.csv is rewritten.
	csvBefore, _ := os.ReadFile(filepath.Join(dir, CSVFile))
	if err := os.WriteFile(filepath.Join(dir, CSVFile), []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	_, err = Report(&out, dir, plan, ReportOptions{Metric: "nope"})
	var me *MetricError
	if !errors.As(err, &me) || err.Error() != "--metric nope: not in the summaries (they hold val_nlpd)" {
		t.Errorf("Report(nope): %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, CSVFile)); string(b) != "kept\n" || out.Len() != 0 || len(csvBefore) == 0 {
		t.Errorf("Report(nope) wrote %q to sweep.csv and %q to its writer", b, out.String())
	}
}

// A cancelled context stops a local sweep: Run returns ctx's error.
func TestSweepRunCancelled(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir, testPlan(t, "lr = [0.1, 0.2]\n", dir), Options{Exe: fakeBBB(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
}

// A folder Run cannot use is a FolderError, and nothing runs: one that
// cannot be made names it (Dir), an earlier plan that cannot be read
// names the plan (Dir "").
func TestSweepRunFolderErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "sw")
	s, err := New(dir, testPlan(t, "lr = [0.1]\n", dir), Options{Exe: fakeBBB(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background())
	var fe *FolderError
	if !errors.As(err, &fe) || fe.Dir != dir || err.Error() != dir+": not a directory" {
		t.Errorf("Run under a file: %v", err)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, PlanFile), []byte("{"), 0o666); err != nil {
		t.Fatal(err)
	}
	s, err = New(dir, testPlan(t, "lr = [0.1]\n", dir), Options{Exe: fakeBBB(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background())
	if !errors.As(err, &fe) || fe.Dir != "" || !strings.HasPrefix(err.Error(), filepath.Join(dir, PlanFile)+": ") {
		t.Errorf("Run over a broken plan: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); err == nil {
		t.Error("a point ran")
	}
}

// Without sbatch a Slurm sweep is a SubmitError and writes nothing.
func TestSweepRunSlurmWithoutSbatch(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := filepath.Join(t.TempDir(), "sw")
	s, err := New(dir, testPlan(t, "lr = [0.1]\n", dir), Options{Exe: "bbb", Slurm: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background())
	var se *SubmitError
	if !errors.As(err, &se) || se.Msg != NoSbatch {
		t.Errorf("Run: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the folder was made")
	}
}

func TestNewRefuses(t *testing.T) {
	plan := testPlan(t, "lr = [0.1]\n", "d")
	for _, c := range []struct {
		dir  string
		plan *Plan
		o    Options
		want string
	}{
		{"d", nil, Options{Exe: "bbb"}, "no plan"},
		{"", plan, Options{Exe: "bbb"}, "no folder"},
		{"d", plan, Options{}, "no bbb binary"},
		{"d", plan, Options{Exe: "bbb", Jobs: MaxJobs + 1}, "1025 jobs"},
		{"d", plan, Options{Exe: "bbb", Jobs: -1}, "-1 jobs"},
		{"d", plan, Options{Exe: "bbb", Threads: -1}, "-1 threads"},
		{"d", plan, Options{Exe: "bbb", Poll: -time.Second}, "poll -1s"},
	} {
		if _, err := New(c.dir, c.plan, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, %+v): %v, want %q", c.dir, c.o, err, c.want)
		}
	}
	s, err := New("d", plan, Options{Exe: "bbb"})
	if err != nil || !filepath.IsAbs(s.Dir) {
		t.Errorf("New: %+v, %v; want an absolute folder", s, err)
	}
}

func TestCheckFolder(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	foreign := filepath.Join(tmp, "foreign")
	sweepDir := filepath.Join(tmp, "sweep")
	empty := filepath.Join(tmp, "empty")
	for _, d := range []string{foreign, sweepDir, empty} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{file, filepath.Join(foreign, "a"), filepath.Join(foreign, "b"), filepath.Join(foreign, "c"), filepath.Join(foreign, "d"),
		filepath.Join(sweepDir, PlanFile), filepath.Join(sweepDir, "x")} {
		if err := os.WriteFile(f, nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ dir, want string }{
		{filepath.Join(tmp, "new"), ""},
		{empty, ""},
		{sweepDir, ""},
		{file, "not a folder"},
		{foreign, "is not a sweep folder (no sweep.json) and holds a, b, c; give a new or empty folder, or a sweep's"},
	} {
		err := CheckFolder(c.dir)
		if (c.want == "" && err != nil) || (c.want != "" && (err == nil || err.Error() != c.want)) {
			t.Errorf("CheckFolder(%s): %v, want %q", filepath.Base(c.dir), err, c.want)
		}
	}
}

// A point that did not finish gets its Slurm task's state; one still
// marked running whose task completed (or was forgotten) ended early.
func TestSlurmEnded(t *testing.T) {
	ended := SlurmEnded(map[int]string{0: "TIMEOUT", 1: "COMPLETED"})
	for _, c := range []struct {
		index int
		state string
		want  string
	}{
		{0, StateFailed, "slurm task timeout"},
		{1, StateFailed, ""},
		{1, StateRunning, "slurm task ended before the run finished (killed or timed out)"},
		{2, StateRunning, "slurm task ended before the run finished (killed or timed out)"},
		{2, StateNotRun, ""},
	} {
		if got := ended(Point{Index: c.index}, Status{State: c.state}); got != c.want {
			t.Errorf("point %d %s: %q, want %q", c.index, c.state, got, c.want)
		}
	}
	// A local sweep's folder records no job: no reason, no active job.
	if ended, active := EndedReason(context.Background(), t.TempDir()); ended != nil || active != "" {
		t.Errorf("EndedReason of a local sweep: %v, %q", ended != nil, active)
	}
}

// RunTask runs one point of a plan, as a Slurm task does, and refuses an
// index outside it.
func TestRunTask(t *testing.T) {
	dir := t.TempDir()
	plan := testPlan(t, "lr = [0.1, 0.3]\n", dir)
	t.Setenv("SLURM_CPUS_PER_TASK", "2")
	var progress strings.Builder
	if err := RunTask(context.Background(), fakeBBB(t), dir, plan, 0, &progress); err != nil {
		t.Fatal(err)
	}
	if st, ok := ReadStatus(dir, plan.Points[0]); !ok || st.State != StateOK || st.Threads != 2 || !Done(dir, plan.Points[0]) {
		t.Errorf("point 0: %+v", st)
	}
	if !strings.HasPrefix(progress.String(), "sweep: point 0 lr=0.1: ok ") {
		t.Errorf("progress %q", progress.String())
	}
	if err := RunTask(context.Background(), fakeBBB(t), dir, plan, 1, nil); err == nil || !strings.HasPrefix(err.Error(), "point lr=0.3 failed: exit status 3") {
		t.Errorf("point 1: %v", err)
	}
	if err := RunTask(context.Background(), fakeBBB(t), dir, plan, 2, nil); err == nil {
		t.Error("point 2 of 2 ran")
	}
}

// A second sweep into a folder that one is writing is refused (a
// FolderError naming the folder), before it writes or runs anything.
func TestSweepRunLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	unlock, err := rundir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	s, err := New(dir, testPlan(t, "lr = [0.1]\n", dir), Options{Exe: fakeBBB(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background())
	var fe *FolderError
	if !errors.As(err, &fe) || fe.Dir != dir || !strings.Contains(err.Error(), "another bbb run is writing it") {
		t.Errorf("Run into a locked folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); !os.IsNotExist(err) {
		t.Errorf("plan written: %v", err)
	}
	// Free, the folder takes the sweep, which releases it when done: no
	// lock file is left beside it.
	unlock()
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatalf("Run into the free folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), ".sw.bbb-lock")); !os.IsNotExist(err) {
		t.Errorf("the sweep's lock is left: %v", err)
	}
}

// A sweep folder moved (or copied) and collected there: each point's log
// is named in the new folder, not where its status was written.
func TestCollectMovedFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	plan := testPlan(t, "lr = [0.1, 0.3]\n", dir)
	s, err := New(dir, plan, Options{Exe: fakeBBB(t), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(filepath.Dir(dir), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	plan, err = ReadPlan(moved)
	if err != nil {
		t.Fatal(err)
	}
	rows := Collect(moved, plan, nil)
	if len(rows) != 2 || rows[0].Status.State != StateOK || rows[1].Status.State != StateFailed {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		if want := filepath.Join(moved, "logs", r.Point.Name+".log"); r.Status.Log != want {
			t.Errorf("%s: log %s, want %s", r.Point.Name, r.Status.Log, want)
		}
	}
	// A log removed (or a point not run): none named, in the report and
	// in sweep.csv.
	if err := os.Remove(rows[1].Status.Log); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	Report(&out, moved, plan, ReportOptions{Metric: "val_nlpd"})
	if !strings.Contains(out.String(), "\nfailed lr=0.3: exit status 3: boom: a fault\n") {
		t.Errorf("report %q: want the failed point without a log", out.String())
	}
	if b, _ := os.ReadFile(filepath.Join(moved, CSVFile)); !strings.Contains(string(b), "lr=0.3,failed,exit status 3: boom: a fault,") ||
		!strings.Contains(string(b), ",logs/lr=0.1.log,") || strings.Contains(string(b), "logs/lr=0.3") {
		t.Errorf("sweep.csv:\n%s\nwant lr=0.1's log, none for lr=0.3", b)
	}
}

// gridRunner runs the sweep of a grid text into dir with exe, one point
// at a time, and fails the test unless wantPending points were to run.
func gridRunner(t *testing.T, dir string) func(grid, exe string, wantPending int) {
	return func(grid, exe string, wantPending int) {
		t.Helper()
		s, err := New(dir, testPlan(t, grid, dir), Options{Exe: exe, Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := s.Run(context.Background()); len(res.Pending) != wantPending {
			t.Fatalf("grid %q: %d points to run (%v), want %d", grid, len(res.Pending), err, wantPending)
		}
	}
}

// failingBBB is a stand-in bbb whose every run fails (exit 3) and writes
// nothing: a sweep stopped before its points ran through.
func failingBBB(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bbb")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// A grid edited, then a sweep of it that runs no point through (stopped,
// or every point failing): the points' folders still hold the runs of the
// old flags, and the next sweep runs them again. It used to count them as
// done (the plan they were compared with was already the new one) and
// report the old runs under the new flags.
func TestEditedGridAfterFailedAttempt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	run, failing := gridRunner(t, dir), failingBBB(t)
	run("lr = [0.1, 0.2]\nepochs = 300\n", fakeBBB(t), 2)
	run("lr = [0.1, 0.2]\nepochs = 300\n", fakeBBB(t), 0) // (done: nothing to run)
	run("lr = [0.1, 0.2]\nepochs = 100\n", failing, 2)
	// --collect now: failed, naming the flags of the run it holds.
	for _, r := range Collect(dir, testPlan(t, "lr = [0.1, 0.2]\nepochs = 100\n", dir), nil) {
		if r.Status.State != StateFailed || !strings.Contains(r.Status.Reason, "holds the run of other flags (--lr=") || !strings.Contains(r.Status.Reason, " --epochs=300): the grid changed") {
			t.Errorf("%s: %s: %s; want failed, naming the old run's flags", r.Point.Name, r.Status.State, r.Status.Reason)
		}
	}
	run("lr = [0.1, 0.2]\nepochs = 100\n", fakeBBB(t), 2)
	run("lr = [0.1, 0.2]\nepochs = 100\n", fakeBBB(t), 0)
	run("lr = [0.1, 0.2]\nepochs = 300\n", fakeBBB(t), 2) // (back to the first flags: those runs are gone)
}

// A folder of a sweep from before statuses recorded run_args: the first
// sweep of an edited grid records the old plan's flags for the finished
// points before it rewrites the plan, so that a stop then still leaves
// them to run again.
func TestEditedGridOfAnOlderFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	run, failing := gridRunner(t, dir), failingBBB(t)
	run("lr = [0.1, 0.2]\nepochs = 300\n", fakeBBB(t), 2)
	plan := testPlan(t, "lr = [0.1, 0.2]\nepochs = 300\n", dir)
	for _, p := range plan.Points { // (as an older bbb wrote them: no run_args)
		st, _ := ReadStatus(dir, p)
		st.RunArgs = nil
		if err := writeStatus(dir, p, st); err != nil {
			t.Fatal(err)
		}
	}
	run("lr = [0.1, 0.2]\nepochs = 100\n", failing, 2)
	run("lr = [0.1, 0.2]\nepochs = 100\n", fakeBBB(t), 2)
}
