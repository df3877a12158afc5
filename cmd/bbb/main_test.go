package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bbb-go/bbb/bench"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// Bad input: exit 2, one line on stderr naming the flag, nothing written.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--epochs", "0"}, "--epochs"},
		{[]string{"train", "--epochs", "-5"}, "--epochs"},
		{[]string{"train", "--hidden", "0"}, "--hidden"},
		{[]string{"train", "--layers", "0"}, "--layers"},
		{[]string{"train", "--lr", "0"}, "--lr"},
		{[]string{"train", "--lr", "-1"}, "--lr"},
		{[]string{"train", "--lr", "NaN"}, "--lr"},
		{[]string{"train", "--lr-milestones", "40,30"}, `--lr-milestones "40,30": learning-rate milestones [40 30]: not increasing (30 after 40)`},
		{[]string{"train", "--lr-milestones", "x"}, `--lr-milestones "x": learning-rate milestones "x": "x" is not an epoch`},
		{[]string{"train", "--lr-milestones", "0,5"}, `--lr-milestones "0,5": learning-rate milestone 0: need an epoch >= 1`},
		{[]string{"bench", "--lr-milestones", "5"}, "--lr-milestones"},
		{[]string{"train", "--epochs", "10", "--lr-milestones", "5,10"}, "--lr-milestones"},
		{[]string{"train", "--preset", "mnist", "--epochs", "3", "--lr-milestones", "3"}, "--lr-milestones"},
		{[]string{"train", "--lr-gamma", "0"}, "--lr-gamma"},
		{[]string{"train", "--lr-gamma", "NaN"}, "--lr-gamma"},
		{[]string{"train", "--samples", "1"}, "--samples"},
		{[]string{"train", "--dtype", "float16"}, "--dtype"},
		{[]string{"train", "--device", "gpu"}, "make cuda"},
		{[]string{"train", "--tf32"}, "--tf32: TF32 GEMMs run on an NVIDIA GPU; this bbb was built without CUDA"},
		{[]string{"bench", "--tf32"}, "make cuda"},
		{[]string{"train", "--tf32", "--stock-ops"}, "--tf32: has no effect with --stock-ops"},
		{[]string{"bench", "--tf32", "--dtype", "float64"}, "--tf32: has no effect with --dtype float64"},
		{[]string{"train", "--device", "tpu"}, "--device"},
		{[]string{"train", "--format", "gif"}, "--format"},
		{[]string{"train", "--preset", "huge"}, "--preset"},
		{[]string{"train", "--report-every", "0"}, "--report-every"},
		{[]string{"train", "--prior-sigma", "0"}, "--prior-sigma"},
		{[]string{"train", "--out", filepath.Join(file, "sub")}, "--out"},
		{[]string{"train", "--epochs", "many"}, "epochs"},
		{[]string{"train", "--no-such-flag"}, "no-such-flag"},
		{[]string{"train", "extra"}, "extra"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"bench", "--hidden-sizes", "20,x"}, "--hidden-sizes"},
		{[]string{"bench", "--epochs", "0"}, "--epochs"},
		{[]string{"bench", "--layers-list", "3,0"}, "--layers-list"},
		{[]string{"train", "--threads", "-1"}, "--threads"},
		{[]string{"bench", "--threads", "-2"}, "--threads"},
		{[]string{"bench", "--threads", "x"}, "threads"},
		{[]string{"bench", "--compare", file + ",," + file}, "--compare"},
		{[]string{"bench", "--compare", file}, "--compare"},
	} {
		args := tc.args
		if args[0] == "train" && !strings.Contains(strings.Join(args, " "), "--out") {
			args = append(args, "--out", out)
		}
		code, _, stderr := runCLI(args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, exitUsage, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q: want one line naming %q", tc.args, stderr, tc.want)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		t.Errorf("bad input wrote %d files to --out", len(ents))
	}
}

// A divergent run exits 1 naming the epoch; losses.csv so far is whole.
func TestDivergenceExit(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI("train", "--preset", "quick", "--lr", "10", "--out", out, "-q")
	if code != exitRun || !strings.Contains(stderr, "diverged at epoch") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "losses.csv"))
	if err != nil || !strings.HasPrefix(string(b), "epoch,train,val\n") {
		t.Errorf("losses.csv %q, %v", b, err)
	}
}

// A diverged run into an --out that holds a finished run keeps that run
// whole (a failed run leaves the previous set), and says so; its losses
// take the place only of an --out without one.
func TestDivergenceKeepsPreviousRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI("train", "--preset", "quick", "--epochs", "20", "--samples", "10", "--out", out, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := snapshot(t, out)
	code, _, stderr := runCLI("train", "--preset", "quick", "--lr", "10", "--out", out, "-q")
	if code != exitRun || !strings.Contains(stderr, "diverged at epoch") || !strings.Contains(stderr, "keeps its previous run") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if after := snapshot(t, out); !maps.Equal(before, after) {
		t.Error("a diverged run changed the previous run in --out")
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("%d entries beside the run, want only it (no stage, no lock left)", len(ents))
	}
	// A folder holding a diverged run's losses holds no finished run: the
	// next diverged run's losses take its place.
	fresh := filepath.Join(t.TempDir(), "fresh")
	var losses []string
	for _, lr := range []string{"10", "9"} {
		if code, _, stderr := runCLI("train", "--preset", "quick", "--report-every", "5", "--lr", lr, "--out", fresh, "-q"); code != exitRun || strings.Contains(stderr, "keeps its previous run") {
			t.Fatalf("--lr %s into %s: exit %d, %q", lr, fresh, code, stderr)
		}
		b, _ := os.ReadFile(filepath.Join(fresh, "losses.csv"))
		losses = append(losses, string(b))
	}
	if losses[0] == losses[1] {
		t.Error("a second diverged run kept the first one's losses")
	}
	// A --save outside --out rewritten by a checkpoint is said.
	save := filepath.Join(t.TempDir(), "m.npz")
	code, _, stderr = runCLI("train", "--preset", "quick", "--report-every", "5", "--checkpoint-every", "5", "--lr", "10", "--save", save, "--out", out, "-q")
	if code != exitRun || !strings.Contains(stderr, "keeps its previous run") || !strings.Contains(stderr, "--save "+save+" holds this run's last checkpoint") {
		t.Errorf("a checkpointing run: exit %d, %q", code, stderr)
	}
}

// A quick job writes summary.json with the stable keys, the figures
// (decodable) and losses.csv; the same seed gives the same numbers.
func TestTrainEndToEnd(t *testing.T) {
	summaries := make([]map[string]any, 2)
	for k := range summaries {
		out := t.TempDir()
		code, stdout, stderr := runCLI("train", "--preset", "quick", "--epochs", "120", "--report-every", "40", "--samples", "30", "--out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stderr, "epoch 120/120") || !strings.Contains(stderr, "ETA") {
			t.Errorf("no progress line on stderr: %q", stderr)
		}
		if !strings.Contains(stdout, "val_rmse_true") {
			t.Errorf("stdout %q", stdout)
		}
		b, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"preset", "dtype", "device", "seed", "epochs", "train_seconds", "seconds_per_epoch",
			"train_loss_per_point", "val_loss_per_point", "samples", "predict_seconds", "val_rmse_true",
			"val_rmse_noisy", "val_coverage90", "val_band_width", "figures"} {
			if _, ok := s[key]; !ok {
				t.Errorf("summary.json lacks %q", key)
			}
		}
		if s["device"] != "cpu" || s["dtype"] != "float32" || s["preset"] != "quick" {
			t.Errorf("summary %v", s)
		}
		figs := s["figures"].([]any)
		if len(figs) != 5 { // data, band_val, losses, calibration, band_train
			t.Errorf("figures %v", figs)
		}
		for _, f := range figs {
			fh, err := os.Open(filepath.Join(out, f.(string)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(fh); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			fh.Close()
		}
		csv, _ := os.ReadFile(filepath.Join(out, "losses.csv"))
		if got := strings.Count(string(csv), "\n"); got != 4 {
			t.Errorf("losses.csv has %d lines, want header + 3", got)
		}
		if dot, _ := os.ReadFile(filepath.Join(out, "graph.dot")); !bytes.Contains(dot, []byte("negative_ELBO")) {
			t.Error("graph.dot lacks the negative_ELBO node")
		}
		summaries[k] = s
	}
	for _, key := range []string{"train_loss_per_point", "val_loss_per_point", "val_rmse_true", "val_rmse_noisy", "val_coverage90", "val_band_width"} {
		if summaries[0][key] != summaries[1][key] {
			t.Errorf("%s: %v then %v with the same seed", key, summaries[0][key], summaries[1][key])
		}
	}
}

func TestDot(t *testing.T) {
	code, stdout, stderr := runCLI("dot", "--layers", "2", "--rows", "8", "--grad")
	if code != 0 || !strings.Contains(stdout, "digraph") || !strings.Contains(stdout, "Linear.dw") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// bench writes bench.json and its figure, prints a table, and --compare puts
// another report in the same table with ratio columns (bench_test.go has
// more).
func TestBenchEndToEnd(t *testing.T) {
	out := t.TempDir()
	args := []string{"bench", "--hidden-sizes", "4,8", "--points", "200", "--epochs", "3", "--warmup", "1", "--seconds", "0.05", "--samples", "2", "-q"}
	code, stdout, stderr := runCLI(append(args, "--out", out)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "bbb-cpu") || !strings.Contains(stdout, "s/epoch") || !strings.Contains(stdout, "s/pass") || len(bench.TableRows(stdout)) != 2 {
		t.Errorf("table %q", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Device != "cpu" || len(rep.Rows) != 2 || rep.Rows[1].Hidden != 8 || !(rep.Rows[0].StepSecondsMedian > 0) || !(rep.Rows[0].PredictSecondsPass > 0) {
		t.Errorf("bench.json %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(out, "bench.png")); err != nil {
		t.Error(err)
	}
	out2 := t.TempDir()
	code, stdout, stderr = runCLI(append(args, "--out", out2, "--compare", filepath.Join(out, "bench.json"))...)
	if code != 0 || !strings.Contains(stdout, "vs bbb-cpu#2") {
		t.Errorf("--compare: exit %d, table %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := runCLI("bench", "--compare", filepath.Join(out, "missing.json"), "--out", out2); code != exitUsage || !strings.Contains(stderr, "--compare") {
		t.Errorf("missing --compare file: exit %d, %q", code, stderr)
	}
}

// `bbb help CMD` is `bbb CMD -h` (`bbb help X` of another X, or with
// more arguments, is a usage error); an unknown command's error lists
// every command of the usage text.
func TestHelpCommand(t *testing.T) {
	for cmd := range examples {
		code, out, _ := runCLI("help", cmd)
		wcode, want, _ := runCLI(cmd, "-h")
		if code != 0 || out != want || wcode != 0 {
			t.Errorf("help %s: exit %d, %d bytes; %s -h: %d bytes", cmd, code, len(out), cmd, len(want))
		}
	}
	for _, args := range [][]string{{"help", "nosuch"}, {"help", "train", "extra"}, {"help", "help", "x"}} {
		code, out, stderr := runCLI(args...)
		if code != exitUsage || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "want a command (train,") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want one line naming the commands, exit 2", args, code, out, stderr)
		}
	}
	for _, h := range []string{"help", "-h", "--help"} {
		if code, out, _ := runCLI("help", h); code != 0 || !strings.HasPrefix(out, "usage: bbb <command>") {
			t.Errorf("help %s: exit %d, %q; want the usage text", h, code, out)
		}
	}
	_, _, stderr := runCLI("nosuch")
	for cmd := range examples {
		if !strings.Contains(stderr, " "+cmd) {
			t.Errorf("unknown command's error %q does not list %s", stderr, cmd)
		}
	}
}

// brokenPipe is a stdout whose reader has gone.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
}

// A reader of stdout that has gone (| head) ends a command as SIGPIPE
// would, exit 141, without an error line; a train run whose outputs are
// in place when its summary lines cannot be written is complete: exit 0.
func TestStdoutReaderGone(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"dot", "--hidden", "3"}, brokenPipe{}, &stderr); code != 141 || stderr.Len() != 0 {
		t.Errorf("dot: exit %d, stderr %q; want 141 and nothing", code, stderr.String())
	}
	out := filepath.Join(t.TempDir(), "o")
	stderr.Reset()
	if code := run([]string{"train", "--epochs", "20", "--samples", "5", "--points", "100", "--no-figures", "-q", "--out", out}, brokenPipe{}, &stderr); code != 0 {
		t.Errorf("train: exit %d, stderr %q; want 0", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("train: %v", err)
	}
}

// snapshot records every entry under dir (not following links) and the
// bytes of its regular files.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		snap[rel] = d.Type().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			snap[rel] += string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
