package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/rundir"
)

// TestHelperMain is the bbb command when BBB_HELPER_ARGS is set: the
// signal tests run it in a child process. BBB_PAUSE_AT names a stage at
// which the child says "paused" on stderr and waits: for the cancellation
// ("wait") or for ever ("hang", to test the hard stop).
func TestHelperMain(t *testing.T) {
	args := os.Getenv("BBB_HELPER_ARGS")
	if args == "" {
		t.Skip("helper process only")
	}
	if at := os.Getenv("BBB_PAUSE_AT"); at != "" {
		mode := os.Getenv("BBB_PAUSE_MODE")
		interrupt.Hooks.Stage = func(ctx context.Context, name string) {
			if !strings.HasPrefix(name, at) {
				return
			}
			fmt.Fprintf(os.Stderr, "paused at %s\n", name)
			if mode == "hang" {
				select {}
			}
			<-ctx.Done()
		}
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// startHelper runs bbb args in a child process; it returns the command and
// a channel of its stderr lines.
func startHelper(t *testing.T, env []string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$")
	cmd.Env = append(os.Environ(), append(env, "BBB_HELPER_ARGS="+strings.Join(args, "\x1f"))...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines
}

// waitLine waits for a stderr line containing want, collecting all lines.
func waitLine(t *testing.T, lines <-chan string, want string, all *[]string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("child ended before %q; stderr %q", want, *all)
			}
			*all = append(*all, l)
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q in 60 s; stderr %q", want, *all)
		}
	}
}

// A signal at any stage stops the run within a second, says where, and
// exits 128 + the signal; --out keeps what an earlier run wrote.
func TestSignalStopsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	quick := []string{"train", "--points", "400", "--epochs", "60", "--report-every", "20", "--samples", "20"}
	for _, tc := range []struct {
		name      string
		pauseAt   string // "" : signal once a progress line is out (training)
		mode      string
		sig       syscall.Signal
		code      int
		wantStage string
		extra     []string
		twice     bool // the signal delivered twice at once, as GNU timeout does (process, then group)
	}{
		{"training", "", "", syscall.SIGINT, 130, "during training (after epoch", []string{"--epochs", "100000000", "--report-every", "5"}, false},
		{"training-twice", "", "", syscall.SIGINT, 130, "during training (after epoch", []string{"--epochs", "100000000", "--report-every", "5"}, true},
		{"sampling", "predictive sampling", "wait", syscall.SIGTERM, 143, "during predictive sampling (validation inputs)", nil, false},
		{"figures", "figures", "wait", syscall.SIGINT, 130, "during figures (data.png)", nil, false},
		{"after-training", "summary", "wait", syscall.SIGINT, 130, "during summary", nil, false},
		{"hard-stop", "figures (band_val", "hang", syscall.SIGTERM, 143, "during figures (band_val.png)", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			out := parent + "/out"
			writePreviousRun(t, out)
			args := append(append(append([]string{}, quick...), tc.extra...), "--out", out)
			env := []string{"BBB_PAUSE_AT=" + tc.pauseAt, "BBB_PAUSE_MODE=" + tc.mode}
			cmd, lines := startHelper(t, env, args...)
			var all []string
			if tc.pauseAt == "" {
				waitLine(t, lines, "epoch ", &all)
			} else {
				waitLine(t, lines, "paused at", &all)
			}
			t0 := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if tc.twice {
				cmd.Process.Signal(tc.sig)
			}
			for l := range lines {
				all = append(all, l)
			}
			err := cmd.Wait()
			took := time.Since(t0)
			if took > time.Second {
				t.Errorf("stopped %v after the signal, want under 1 s", took)
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit %d (%v), want %d", code, err, tc.code)
			}
			last := all[len(all)-1]
			if !strings.Contains(last, tc.wantStage) || !strings.HasPrefix(last, "bbb: interrupted by ") {
				t.Errorf("last stderr line %q: want it to say %q", last, tc.wantStage)
			}
			checkPrevious(t, out)
			if tc.mode == "hang" { // ended without clean-up: the next run removes what it left
				if code, _, stderr := runCLI("train", "--points", "100", "--epochs", "2", "--samples", "2", "--no-figures", "-q", "--out", out); code != 0 {
					t.Fatalf("next run: exit %d: %s", code, stderr)
				}
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("beside --out: %v, want only out", names)
			}
		})
	}
}

// writePreviousRun makes out a train run folder holding only a
// summary.json of "{}\n" (and its manifest).
func writePreviousRun(t *testing.T, out string) {
	t.Helper()
	d, err := rundir.Open(out, "train")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := os.WriteFile(d.Stage+"/summary.json", []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
}

// checkPrevious checks that out holds only the earlier run's summary.json
// (and its manifest).
func checkPrevious(t *testing.T, out string) {
	t.Helper()
	ents, _ := os.ReadDir(out)
	if b, _ := os.ReadFile(out + "/summary.json"); string(b) != "{}\n" || len(ents) != 2 {
		t.Errorf("--out changed by the failed run: %d files, summary.json %q", len(ents), b)
	}
}

// kill -9 during figures: --out keeps the previous run; the next run
// removes the staging directory and the lock file, and replaces --out.
func TestKilledRunLeavesPrevious(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	parent := t.TempDir()
	out := parent + "/out"
	writePreviousRun(t, out)
	cmd, lines := startHelper(t, []string{"BBB_PAUSE_AT=figures (band_val", "BBB_PAUSE_MODE=hang"},
		"train", "--points", "200", "--epochs", "5", "--samples", "4", "--out", out)
	var all []string
	waitLine(t, lines, "paused at", &all)
	cmd.Process.Kill()
	cmd.Wait()
	checkPrevious(t, out)
	if m, _ := filepath.Glob(parent + "/.out.bbb-stage-*"); len(m) != 1 {
		t.Fatalf("staging directories after kill -9: %v, want 1", m)
	}
	code, _, stderr := runCLI("train", "--points", "200", "--epochs", "5", "--samples", "4", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Errorf("beside --out after the next run: %d entries, want out only", len(ents))
	}
	if _, err := os.Stat(out + "/band_val.png"); err != nil {
		t.Error(err)
	}
}

// A second run into an --out that a run holds is refused (exit 2) before
// any work; an --out with other files is never replaced.
func TestRunDirLockAndForeign(t *testing.T) {
	parent := t.TempDir()
	out := parent + "/out"
	rd, err := openRunDir("--out", out)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI("train", "--points", "100", "--epochs", "2", "-q", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "another bbb run is writing it") {
		t.Errorf("second run: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCLI("bench", "--hidden", "4", "--points", "100", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "another bbb run") {
		t.Errorf("bench into a held --out: exit %d, %q", code, stderr)
	}
	rd.Abort()
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("after Abort: %d entries beside --out", len(ents))
	}
	home := parent + "/home"
	os.Mkdir(home, 0o755)
	os.WriteFile(home+"/notes.txt", []byte("mine"), 0o644)
	code, _, stderr = runCLI("train", "--points", "100", "--epochs", "2", "-q", "--out", home)
	if code != exitUsage || !strings.Contains(stderr, "notes.txt") {
		t.Errorf("foreign --out: exit %d, %q", code, stderr)
	}
	if b, _ := os.ReadFile(home + "/notes.txt"); string(b) != "mine" {
		t.Error("foreign --out changed")
	}
}

// An interrupted run writes no --cpuprofile: a profile named outside --out
// keeps the previous run's, as --out keeps the previous run (before, the
// interrupted run's profile replaced it).
func TestInterruptKeepsPreviousProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	prof := filepath.Join(dir, "cp.prof")
	// (gzip's magic first, as in pprof's files: --cpuprofile replaces only a profile)
	if err := os.WriteFile(prof, []byte("\x1f\x8b the previous profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, lines := startHelper(t, nil, "train", "--points", "400", "--epochs", "100000000", "--report-every", "5",
		"--samples", "20", "--cpuprofile", prof, "--out", filepath.Join(dir, "out"))
	var all []string
	waitLine(t, lines, "epoch ", &all)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if b, _ := os.ReadFile(prof); string(b) != "\x1f\x8b the previous profile" {
		t.Errorf("--cpuprofile after the interrupt: %.40q, want the previous profile", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries beside the profile, want none (no --out, no temporary file)", len(ents)-1)
	}
}

// A signal once the outputs are in place stops nothing: the run is
// complete, and says so with exit 0 (not 130 for a run whose new outputs
// replaced the old); train's --out holds the new run.
func TestSignalAfterWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	parent := t.TempDir()
	out := parent + "/out"
	writePreviousRun(t, out)
	signalAfterWritten(t, "--out "+out, "train", "--points", "100", "--epochs", "20", "--samples", "5", "--no-figures", "-q", "--out", out)
	if b, _ := os.ReadFile(out + "/summary.json"); len(b) < 100 {
		t.Errorf("--out holds summary.json %q, want the new run's", b)
	}
}

// signalAfterWritten runs bbb args, sends SIGINT when its outputs (what:
// "--out DIR") are in place, and checks that the run says it is complete,
// exit 0.
func signalAfterWritten(t *testing.T, what string, args ...string) {
	t.Helper()
	cmd, lines := startHelper(t, []string{"BBB_PAUSE_AT=written", "BBB_PAUSE_MODE=wait"}, args...)
	var all []string
	waitLine(t, lines, "paused at written", &all)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		all = append(all, l)
	}
	if err := cmd.Wait(); err != nil || cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("exit %d (%v), want 0; stderr %q", cmd.ProcessState.ExitCode(), err, all)
	}
	if last := all[len(all)-1]; last != "bbb: interrupted by SIGINT after "+what+" was written whole; the run is complete" {
		t.Errorf("last stderr line %q", last)
	}
}

// A --save outside --out is written once --out is in place: a run stopped
// after training (here in predictive sampling) leaves both as they were;
// one that completes replaces both.
func TestSaveOutsideOutKeptWhenStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	parent := t.TempDir()
	out, save := parent+"/out", parent+"/model.npz"
	args := []string{"train", "--points", "100", "--epochs", "20", "--samples", "5", "--no-figures", "-q", "--out", out, "--save", save}
	if code, _, stderr := runCLI(args...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(save)
	summary, _ := os.ReadFile(out + "/summary.json")
	cmd, lines := startHelper(t, []string{"BBB_PAUSE_AT=predictive sampling", "BBB_PAUSE_MODE=wait"}, append(args, "--seed", "7")...)
	var all []string
	waitLine(t, lines, "paused at", &all)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if cmd.Wait(); cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("stopped run: exit %d, want 130", cmd.ProcessState.ExitCode())
	}
	if after, _ := os.ReadFile(save); !bytes.Equal(after, before) {
		t.Error("the stopped run replaced --save")
	}
	if now, _ := os.ReadFile(out + "/summary.json"); !bytes.Equal(now, summary) {
		t.Error("the stopped run replaced --out")
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 2 {
		t.Errorf("beside --out and --save: %d entries, want 2", len(ents))
	}
	if code, _, stderr := runCLI(append(args, "--seed", "7")...); code != 0 {
		t.Fatalf("completed run: exit %d: %s", code, stderr)
	}
	if after, _ := os.ReadFile(save); bytes.Equal(after, before) {
		t.Error("the completed run did not replace --save")
	}
}

// commitOut writes what lies outside the run (prepare: --save elsewhere)
// before it replaces --out: a write that fails leaves --out as it was; one
// that succeeds is renamed into place after it.
func TestCommitOutPreparesFirst(t *testing.T) {
	saved := runCommand
	runCommand = "train"
	defer func() { runCommand = saved }()
	out := t.TempDir() + "/out"
	writePreviousRun(t, out)
	rd, err := openRunDir("--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rd.Stage+"/summary.json", []byte("{\"new\": 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd.Prepare = func() (func() error, func(), error) { return nil, nil, errors.New("--save m.npz: disk full") }
	if err := rd.commitOut(context.Background()); err == nil || err.Error() != "--save m.npz: disk full" {
		t.Errorf("commitOut: %v", err)
	}
	rd.Abort()
	checkPrevious(t, out)

	rd, err = openRunDir("--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rd.Stage+"/summary.json", []byte("{\"new\": 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var order []string
	rd.Prepare = func() (func() error, func(), error) {
		order = append(order, "prepare")
		return func() error { order = append(order, "rename"); return nil }, func() { order = append(order, "abort") }, nil
	}
	if err := rd.commitOut(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out + "/summary.json"); string(b) != "{\"new\": 1}\n" {
		t.Errorf("--out holds %q", b)
	}
	if want := []string{"prepare", "rename", "abort"}; !slices.Equal(order, want) { // (abort after the rename does nothing)
		t.Errorf("order %v, want %v", order, want)
	}
}
