package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bbb-go/bbb/sweep"
)

// In tests the sweep's points run only through useHelperBBB: the test
// binary run as `bbb train ...` would run the tests again, each starting
// more (a fork bomb, met once when a refusal under test was broken).
func init() {
	sweepExecutable = func() (string, error) {
		return "", errors.New("a test ran a sweep's points without useHelperBBB")
	}
}

// useHelperBBB makes the sweep's points run this test binary as bbb
// (TestHelperMain) through a wrapper script; pre is shell run first (it
// may exit to fake a failed point).
func useHelperBBB(t *testing.T, pre string) {
	t.Helper()
	script := helperBBB(t, pre)
	old := sweepExecutable
	sweepExecutable = func() (string, error) { return script, nil }
	t.Cleanup(func() { sweepExecutable = old })
}

// helperBBB writes the wrapper script: bbb as this test binary.
func helperBBB(t *testing.T, pre string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bbb")
	body := fmt.Sprintf(`#!/bin/sh
%s
args=""
for a in "$@"; do args="$args$(printf '\037')$a"; done
BBB_HELPER_ARGS="${args#?}" exec %q -test.run='^TestHelperMain$'
`, pre, os.Args[0])
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// tinyGrid is 4 points of a few epochs on 100 points.
const tinyGrid = `points = 100
epochs = 3
report-every = 1
samples = 2
no-figures = true
q = true
lr = [0.01, 0.02]
seeds = [1, 2]
`

func writeGrid(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "g.grid")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readSweepCSV(t *testing.T, dir string) []map[string]string {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// A folder that is not a sweep's and holds files (the user's, a train
// run's) is refused before anything is written: the sweep's sweep.csv,
// figure and logs would replace files of the same names.
func TestSweepRefusesForeignFolder(t *testing.T) {
	grid := writeGrid(t, "preset = quick\nepochs = 2\nlr = [0.01]\n")
	out := filepath.Join(t.TempDir(), "sw")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(out, "sweep.csv")
	if err := os.WriteFile(mine, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI("sweep", "--grid", grid, "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "is not a sweep folder") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("exit %d, stderr %q; want exit 2, one line", code, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine\n" {
		t.Errorf("the user's sweep.csv became %q", b)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Errorf("%d entries in --out, want the user's file alone", len(ents))
	}
}

func TestSweepRefusesBadGrid(t *testing.T) {
	for _, c := range []struct{ grid, extra, want string }{
		{"lr = [0.01]\nfoo = [1, 2]\n", "", `g.grid:2: key "foo": not a bbb train flag`},
		{"lr = []\n", "", `key "lr": empty list`},
		{"epochs = 3\nlr = [0.01, 100]\n", "", `point lr=100: --lr 100: need a value > 0 and at most 10`},
		{"hidden = [10, 0]\n", "", `point hidden=0: --hidden 0: need a value > 0`},
		{"out = x\n", "", `key "out": set by bbb sweep`},
		{"preset = [quick, nope]\n", "", `point preset=nope: --preset "nope"`},
		{"lr = [0.01, 0.02]\n", "--x=hidden", `--x hidden: not an axis`},
		{"lr = [0.01]\n", "--seeds=1,x", `--seeds "1,x"`},
		{"lr = [0.01]\n", "--seeds=", `--seeds "": want comma-separated whole numbers`},
		{"lr = [0.01]\n", "--on=pbs", `--on "pbs"`},
		{"lr = [0.01]\n", "--jobs=0", `--jobs 0`},
		{"lr = [0.01]\n", "--metric=nope", `--metric nope: not a number of bbb train's summary.json`},
		{"lr = [0.01]\n", "--jobs=1099511627776", `--jobs 1099511627776: want 1 to 1024`},
		{"preset = mnist\nmnist-dir = [" + idxFolder(t) + ", /nonexistent]\n", "", `point mnist-dir=_nonexistent: --mnist-dir "/nonexistent": ` +
			`data: mnist: /nonexistent/train-images-idx3-ubyte.gz: no such file`},
	} {
		out := filepath.Join(t.TempDir(), "sw")
		args := []string{"sweep", "--grid", writeGrid(t, c.grid), "--out", out}
		if c.extra != "" {
			args = append(args, c.extra)
		}
		code, _, stderr := runCLI(args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%q %s: exit %d, stderr %q; want exit 2 and one line with %q", c.grid, c.extra, code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: %s written before the grid was checked", c.grid, out)
		}
	}
}

func TestSweepLocalRunsCollectsAndResumes(t *testing.T) {
	useHelperBBB(t, "")
	grid := writeGrid(t, tinyGrid)
	out := filepath.Join(t.TempDir(), "sw")
	code, stdout, stderr := runCLI("sweep", "--grid", grid, "--out", out, "--jobs", "2", "--metric", "val_rmse_true")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readSweepCSV(t, out)
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	for _, r := range rows {
		if r["status"] != "ok" || r["val_rmse_true"] == "" || r["--lr"] == "" {
			t.Errorf("row %v", r)
		}
	}
	if !strings.Contains(stdout, "best val_rmse_true") || !strings.Contains(stdout, "bbb train --points=100") {
		t.Errorf("no best point with its command line: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "sweep.png")); err != nil {
		t.Error(err)
	}
	// A point whose folder is gone runs again; the others are kept.
	if err := os.RemoveAll(filepath.Join(out, "runs", "lr=0.02_seed=1")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI("sweep", "--grid", grid, "--out", out, "--metric", "val_rmse_true")
	if code != 0 || !strings.Contains(stderr, "4 points, 1 to run (3 done)") {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	// A changed fixed flag reruns every point: its runs are not the grid's.
	if err := os.WriteFile(grid, []byte(strings.Replace(tinyGrid, "epochs = 3", "epochs = 4", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI("sweep", "--grid", grid, "--out", out, "--metric", "val_rmse_true")
	if code != 0 || !strings.Contains(stderr, "4 to run (0 done)") {
		t.Fatalf("changed grid: exit %d: %s", code, stderr)
	}
}

func TestSweepFailedPointReportedAndRerun(t *testing.T) {
	useHelperBBB(t, `case "$*" in *--seed=2*) echo "boom: a fault" >&2; exit 3;; esac`)
	grid := writeGrid(t, tinyGrid)
	out := filepath.Join(t.TempDir(), "sw")
	code, stdout, _ := runCLI("sweep", "--grid", grid, "--out", out, "--jobs", "2")
	if code != exitRun {
		t.Fatalf("exit %d, want 1 (two points failed)", code)
	}
	failed := 0
	for _, r := range readSweepCSV(t, out) {
		if strings.HasSuffix(r["point"], "seed=2") {
			failed++
			if r["status"] != "failed" || !strings.Contains(r["reason"], "exit status 3: boom: a fault") || r["log"] != filepath.Join("logs", r["point"]+".log") {
				t.Errorf("failed point's row %v", r)
			}
			if _, err := os.Stat(filepath.Join(out, "runs", r["point"])); err == nil {
				t.Errorf("%s: a failed point left a run folder", r["point"])
			}
		} else if r["status"] != "ok" {
			t.Errorf("row %v", r)
		}
	}
	if failed != 2 || !strings.Contains(stdout, "failed lr=0.01_seed=2: exit status 3") {
		t.Errorf("%d failed rows; stdout %s", failed, stdout)
	}
	useHelperBBB(t, "")
	code, _, stderr := runCLI("sweep", "--grid", grid, "--out", out)
	if code != 0 || !strings.Contains(stderr, "4 points, 2 to run (2 done)") {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	// --collect reads the folder again without running anything.
	code, stdout, stderr = runCLI("sweep", "--collect", out)
	if code != 0 || !strings.Contains(stdout, "(4 ok)") {
		t.Errorf("--collect: exit %d: %s %s", code, stdout, stderr)
	}
}

// TestSweepHelperMain is bbb sweep in a child process, its points run by
// the wrapper BBB_SWEEP_EXE.
func TestSweepHelperMain(t *testing.T) {
	args := os.Getenv("BBB_SWEEP_ARGS")
	if args == "" {
		t.Skip("helper process only")
	}
	sweepExecutable = func() (string, error) { return os.Getenv("BBB_SWEEP_EXE"), nil }
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// SIGINT to bbb sweep (not to its group) stops the running point, starts
// no other, and leaves the finished points whole and nothing else.
func TestSweepInterruptKeepsFinishedPoints(t *testing.T) {
	grid := writeGrid(t, "epochs = [3, 1000000]\n"+strings.Replace(tinyGrid, "epochs = 3\n", "", 1))
	out := filepath.Join(t.TempDir(), "sw")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepHelperMain$")
	cmd.Env = append(os.Environ(), "BBB_SWEEP_EXE="+helperBBB(t, ""),
		"BBB_SWEEP_ARGS="+strings.Join([]string{"sweep", "--grid", grid, "--out", out}, "\x1f"))
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // (a failed test leaves no child)
	lines := make(chan string, 100)
	go func() {
		buf := make([]byte, 4096)
		var acc strings.Builder
		for {
			n, err := pipe.Read(buf)
			acc.Write(buf[:n])
			for {
				s := acc.String()
				i := strings.IndexByte(s, '\n')
				if i < 0 {
					break
				}
				lines <- s[:i]
				acc.Reset()
				acc.WriteString(s[i+1:])
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	var all []string
	waitLine(t, lines, "[4/8]", &all) // the epochs=3 points (lr x seed) are done
	time.Sleep(time.Second)           // the first long point is running
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr %q", err, all)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("stopped %v after SIGINT", d)
	}
	entries, err := os.ReadDir(filepath.Join(out, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if _, err := os.Stat(filepath.Join(out, "runs", e.Name(), "summary.json")); err != nil {
			t.Errorf("%s: not whole: %v", e.Name(), err)
		}
	}
	if len(names) != 4 {
		t.Errorf("runs/ holds %q, want the 4 finished points only", names)
	}
}

// sweepWrapper is bbb as this test binary for every level of a sweep: the
// sweep, a Slurm task (sweep --task) and the points (train).
func sweepWrapper(t *testing.T) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bbb")
	body := fmt.Sprintf(`#!/bin/sh
args=""
for a in "$@"; do args="$args$(printf '\037')$a"; done
BBB_SWEEP_EXE=%q BBB_SWEEP_ARGS="${args#?}" exec %q -test.run='^TestSweepHelperMain$'
`, script, os.Args[0])
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// TestSweepSlurmMatchesLocal runs a 4-point quick sweep as a job array of
// a real Slurm (scripts/slurm-local.sh sets one up) and on this machine:
// the same seeds give the same numbers. BBB_SLURM=1 runs it.
func TestSweepSlurmMatchesLocal(t *testing.T) {
	if os.Getenv("BBB_SLURM") != "1" {
		t.Skip("BBB_SLURM=1 runs it against the Slurm of scripts/slurm-local.sh")
	}
	if out, err := exec.Command("sinfo", "-h").CombinedOutput(); err != nil {
		t.Fatalf("BBB_SLURM=1 but sinfo fails: %v: %s", err, out)
	}
	grid := writeGrid(t, "preset = quick\nno-figures = true\nq = true\nlr = [0.01, 0.003]\nseeds = [1, 2]\n")
	bbb := sweepWrapper(t)
	dirs := map[string]string{}
	for _, on := range []string{"local", "slurm"} {
		dirs[on] = filepath.Join(t.TempDir(), on)
		// One thread per point on both: a seed's numbers are the same at one thread count.
		args := []string{"sweep", "--grid", grid, "--out", dirs[on], "--on", on}
		if on == "local" {
			args = append(args, "--jobs", fmt.Sprint(runtime.NumCPU()))
		} else {
			args = append(args, "--cpus-per-task", "1", "--poll", "500ms")
		}
		cmd := exec.Command(bbb, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("--on %s: %v\n%s", on, err, out)
		}
		t.Logf("--on %s:\n%s", on, out)
	}
	local, slurm := readSweepCSV(t, dirs["local"]), readSweepCSV(t, dirs["slurm"])
	if len(local) != 4 || len(slurm) != 4 {
		t.Fatalf("%d and %d rows, want 4", len(local), len(slurm))
	}
	for i, l := range local {
		s := slurm[i]
		if l["status"] != "ok" || s["status"] != "ok" {
			t.Errorf("%s: status %s here, %s on slurm", l["point"], l["status"], s["status"])
		}
		for k, v := range l {
			if strings.Contains(k, "seconds") || strings.Contains(k, "rss") || k == "log" {
				continue // time and memory, and where the log is, differ
			}
			if s[k] != v {
				t.Errorf("%s: %s = %q here, %q on slurm", l["point"], k, v, s[k])
			}
		}
	}
}

// idxFolder is a folder holding the four MNIST file names (empty: the
// check before any work only looks for them).
func idxFolder(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Without Slurm's client commands, --on slurm fails with one line and
// exit 1, and submits nothing: the folder records no job.
func TestSweepSlurmWithoutSbatch(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	useHelperBBB(t, "")
	out := filepath.Join(t.TempDir(), "sw")
	code, _, stderr := runCLI("sweep", "--grid", writeGrid(t, tinyGrid), "--out", out, "--on", "slurm")
	if code != 1 || !strings.Contains(stderr, "sbatch: not found on PATH") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line naming sbatch", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "slurm", "job")); err == nil {
		t.Error("a job was recorded")
	}
}

// requireSlurm skips unless BBB_SLURM=1, and then needs a working Slurm.
func requireSlurm(t *testing.T) {
	t.Helper()
	if os.Getenv("BBB_SLURM") != "1" {
		t.Skip("BBB_SLURM=1 runs it against the Slurm of scripts/slurm-local.sh")
	}
	if out, err := exec.Command("sinfo", "-h").CombinedOutput(); err != nil {
		t.Fatalf("BBB_SLURM=1 but sinfo fails: %v: %s", err, out)
	}
}

// Slurm refusing the array (here an unknown partition): one line with
// sbatch's own message, exit 1, no job recorded.
func TestSweepSlurmRefusedSubmit(t *testing.T) {
	requireSlurm(t)
	out := filepath.Join(t.TempDir(), "sw")
	cmd := exec.Command(sweepWrapper(t), "sweep", "--grid", writeGrid(t, tinyGrid), "--out", out, "--on", "slurm", "--partition", "no-such-partition")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	last := lines[len(lines)-1] // (after the sweep's one progress line)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(last, "bbb: sbatch: ") ||
		!strings.Contains(strings.ToLower(last), "partition") || len(lines) > 2 {
		t.Errorf("exit %v, stderr %q; want exit 1 and sbatch's message in one line", err, lines)
	}
	if _, err := os.Stat(filepath.Join(out, "slurm", "job")); err == nil {
		t.Error("a job was recorded")
	}
}

// SIGINT while bbb sweep waits for its array cancels the tasks (scancel):
// none is left pending or running, and the points that finished are kept
// whole, the cancelled ones absent (the next sweep runs them).
func TestSweepSlurmInterruptCancels(t *testing.T) {
	requireSlurm(t)
	// Indices 0 to 3 are short and start first; 4 to 7 run until cancelled.
	grid := writeGrid(t, "epochs = [3, 1000000]\n"+strings.Replace(tinyGrid, "epochs = 3\n", "", 1))
	out := filepath.Join(t.TempDir(), "sw")
	cmd := exec.Command(sweepWrapper(t), "sweep", "--grid", grid, "--out", out, "--on", "slurm", "--cpus-per-task", "1", "--poll", "300ms")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	jobFile := filepath.Join(out, "slurm", "job")
	var short []string
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		short, _ = filepath.Glob(filepath.Join(out, "runs", "epochs=3_*", "summary.json"))
		long, _ := filepath.Glob(filepath.Join(out, "status", "epochs=1000000_*"))
		if len(short) == 4 && len(long) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the short points did not finish in 90 s: %d of 4; stderr %q", len(short), stderr.String())
		}
	}
	b, err := os.ReadFile(jobFile)
	if err != nil {
		t.Fatal(err)
	}
	job := strings.TrimSpace(string(b))
	t.Cleanup(func() { _ = exec.Command("scancel", job).Run() }) // (a failed test leaves no task running)
	time.Sleep(500 * time.Millisecond)                           // a long point under way
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "cancelled job array "+job) {
		t.Fatalf("exit %v, want 130 and the array cancelled; stderr %q", err, stderr.String())
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		q, err := exec.Command("squeue", "-h", "-r", "-j", job, "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING", "-o", "%i %T").Output()
		if err == nil && strings.TrimSpace(string(q)) == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after SIGINT, job %s still has tasks: %s", job, q)
		}
	}
	runs, err := filepath.Glob(filepath.Join(out, "runs", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || len(short) != 4 {
		t.Errorf("runs/ holds %q, want the 4 finished points only", runs)
	}
}

// A task Slurm ends early (here scancel of one task, as a time limit or
// preemption would) marks its point failed with the task's state, keeps
// the other points, and the sweep exits 1 (the next sweep runs the failed
// point again: TestSweepFailedPointReportedAndRerun).
func TestSweepSlurmKilledTaskMarkedFailed(t *testing.T) {
	requireSlurm(t)
	grid := writeGrid(t, "epochs = [3, 1000000]\n"+strings.NewReplacer("epochs = 3\n", "", "lr = [0.01, 0.02]\n", "", "seeds = [1, 2]\n", "").Replace(tinyGrid))
	out := filepath.Join(t.TempDir(), "sw")
	bbb := sweepWrapper(t)
	cmd := exec.Command(bbb, "sweep", "--grid", grid, "--out", out, "--on", "slurm", "--cpus-per-task", "1", "--poll", "300ms")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	long := filepath.Join(out, "status", "epochs=1000000.json")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if _, err := os.Stat(long); err == nil {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Join(out, "status"))
			t.Fatalf("the long point did not start in 90 s (status/ %v); stderr %q", entries, stderr.String())
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "slurm", "job"))
	if err != nil {
		t.Fatal(err)
	}
	job := strings.TrimSpace(string(b))
	t.Cleanup(func() { _ = exec.Command("scancel", job).Run() })
	if out, err := exec.Command("scancel", job+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel %s_1: %v: %s", job, err, out)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitRun {
		t.Fatalf("exit %v, want 1 (a point failed); stderr %q", err, stderr.String())
	}
	rows := readSweepCSV(t, out)
	if len(rows) != 2 || rows[0]["status"] != "ok" || rows[1]["status"] != "failed" || !strings.Contains(rows[1]["reason"], "slurm task cancelled") {
		t.Fatalf("rows %v; want the short point ok, the long one failed with its task's state", rows)
	}
	if _, err := os.Stat(filepath.Join(out, "runs", "epochs=1000000")); err == nil {
		t.Error("the cancelled point left a run folder")
	}
}

// A signal once sweep.csv and the figure are written (SIGPIPE from a
// `| head` that has gone among them) stops nothing: the sweep is
// complete, exit 0, for a run and for --collect.
func TestSweepSignalAfterWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	useHelperBBB(t, "")
	dir := filepath.Join(t.TempDir(), "s")
	if code, _, stderr := runCLI("sweep", "--grid", writeGrid(t, tinyGrid), "--out", dir, "--jobs", "2"); code != exitOK {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	signalAfterWritten(t, "--collect "+dir, "sweep", "--collect", dir)
	if rows := readSweepCSV(t, dir); len(rows) != 4 {
		t.Errorf("sweep.csv: %d rows, want 4", len(rows))
	}
}

// sweep --task without an index (and no SLURM_ARRAY_TASK_ID) says that the
// index is missing, with the range, in one line, exit 2.
func TestSweepTaskWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "g.grid")
	if err := os.WriteFile(grid, []byte("hidden = [4, 8]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := sweep.ReadGrid(grid)
	if err != nil {
		t.Fatal(err)
	}
	sw := filepath.Join(dir, "sw")
	plan, err := sweep.PlanGrid(g, sw, trainChecker())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := plan.Write(sw); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	wantUsage(t, []string{"sweep", "--task", sw}, "--task "+sw+": give the point's index after it (0 to 1), or set SLURM_ARRAY_TASK_ID")
	wantUsage(t, []string{"sweep", "--task", sw, "2"}, `--task `+sw+` "2": want a point index from 0 to 1`)
}
