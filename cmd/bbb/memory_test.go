package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bbb-go/bbb/internal/linalg"
)

// The estimate against the peak RSS measured with the OpenBLAS build
// (docs/MEMORY.md: the commands, float32, 2-core AMD EPYC): within 2x
// either way, and the largest term names what the command's user typed.
// The measurements are recorded constants; the commands in docs/MEMORY.md
// remeasure them.
func TestMemoryEstimateWithin2x(t *testing.T) {
	const mib = 1 << 20
	h100 := func(job memJob, points, workers, samples int) memSizes {
		return memSizes{job: job, points: points, hidden: 100, layers: 5, samples: samples, workers: workers, inputs: 1, dtypeBytes: 4}
	}
	csv := func(rows, inputs int) memSizes {
		s := h100(memTrain, rows, 2, 10)
		s.inputs, s.pointsFrom = inputs, "--data d.csv"
		return s
	}
	// grad sets dot's layers, negative: with --grad.
	grad := func(s memSizes, layers int) memSizes {
		s.layers, s.gradients = max(layers, -layers), layers < 0
		return s
	}
	for _, tc := range []struct {
		name        string
		s           memSizes
		measuredMiB float64
	}{
		{"train seed curve 50k", h100(memTrain, 50000, 2, 10), 254.2},
		{"train seed curve 200k", h100(memTrain, 200000, 2, 10), 858.2},
		{"train --data 50k", csv(50000, 1), 254.3},
		{"train --data 200k", csv(200000, 1), 858.8},
		{"train --data 400k (the check point)", csv(400000, 1), 1678.8},
		{"train --data 100k, 2 inputs", csv(100000, 2), 452.7},
		{"train seed job (1000 samples)", memSizes{points: 20000, hidden: 20, layers: 5, samples: 1000, workers: 2, inputs: 1, dtypeBytes: 4}, 101.2},
		{"train hidden 1000, 2 workers", memSizes{points: 2000, hidden: 1000, layers: 5, samples: 10, workers: 2, inputs: 1, dtypeBytes: 4}, 589.3},
		{"train hidden 1000, 1 worker", memSizes{points: 2000, hidden: 1000, layers: 5, samples: 10, workers: 1, inputs: 1, dtypeBytes: 4}, 525.2},
		{"train 20 layers hidden 50", memSizes{points: 50000, hidden: 50, layers: 20, samples: 10, workers: 2, inputs: 1, dtypeBytes: 4}, 563.4},
		{"predict 50k", h100(memPredict, 50000, 2, 10), 64.8},
		{"predict 200k", h100(memPredict, 200000, 2, 10), 79.2},
		{"predict 200k, 100 samples", h100(memPredict, 200000, 2, 100), 82.9},
		{"predict 400k (the check point)", h100(memPredict, 400000, 2, 10), 114.9},
		{"bench 50k", h100(memTrain, 50000, 1, 2), 239.6},
		{"bench 200k", h100(memTrain, 200000, 1, 2), 789.7},
		{"dot --rows 50000", h100(memGraph, 50000, 1, 2), 19.9},
		{"dot --rows 200000 --grad", grad(h100(memGraph, 200000, 1, 2), 5), 28.1},
		{"dot --layers 50", grad(h100(memGraph, 16000, 1, 2), 50), 25.6},
		{"dot --layers 200", grad(h100(memGraph, 16000, 1, 2), 200), 29.6},
		{"dot --layers 50 --grad", grad(h100(memGraph, 16000, 1, 2), -50), 78.1},
		{"dot --layers 200 --grad", grad(h100(memGraph, 16000, 1, 2), -200), 129.7},
	} {
		est, _ := estimateMemory(tc.s)
		t.Logf("%s: estimate %.1f MiB, measured %.1f MiB: %.2fx", tc.name, est/mib, tc.measuredMiB, est/(tc.measuredMiB*mib))
		if r := est / (tc.measuredMiB * mib); r < 0.5 || r > 2 {
			t.Errorf("%s: estimate %s, measured %.1f MiB: %.2fx", tc.name, bytesText(est), tc.measuredMiB, r)
		}
	}
}

// A run over the limit is refused naming what drives its largest part in
// THAT command (before: --points for --data, --layers and dot --rows,
// --hidden for bench's lists and predict's model); --max-memory moves the
// limit both ways.
func TestMemoryGuardNamesTheFlagAndMaxMemoryOverrides(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("x,y\n"+strings.Repeat("0.5,1\n1.5,2\n", 20000)), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI("train", "--data", csv, "--epochs", "2", "--report-every", "1", "--samples", "2", "--no-figures", "-q",
		"--out", filepath.Join(dir, "run"), "--save", model); code != 0 {
		t.Fatalf("training the model: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", csv, "--samples", "2", "--max-memory", "1M"}, "--data " + csv + " (40000 rows): the run needs about"},
		{[]string{"train", "--layers", "64", "--max-memory", "100M"}, "--layers 64: the run needs about"},
		{[]string{"train", "--hidden", "3000", "--points", "200", "--max-memory", "100M"}, "--hidden 3000:"},
		{[]string{"train", "--points", "900000", "--max-memory", "100M"}, "--points 900000:"},
		{[]string{"train", "--workers", "300", "--hidden", "400", "--max-memory", "200M"}, "--workers 300:"},
		{[]string{"bench", "--hidden-sizes", "20,3000", "--max-memory", "100M"}, "--hidden-sizes 3000:"},
		{[]string{"bench", "--points-list", "200,900000", "--max-memory", "100M"}, "--points-list 900000:"},
		{[]string{"bench", "--hidden-sizes", "20", "--layers-list", "2,64", "--max-memory", "100M"}, "--layers-list 64:"},
		{[]string{"dot", "--layers", "64", "--grad", "--max-memory", "10M"}, "--layers 64:"},
		{[]string{"predict", "--model", model, "--data", csv, "--samples", "100000000", "--max-memory", "100M"}, "--samples 100000000:"},
		{[]string{"predict", "--model", model, "--data", csv, "--samples", "2", "--max-memory", "1M"}, "--model " + model + " (hidden 20): the run needs about"},
		{[]string{"train", "--max-memory", "12XB"}, "max-memory"},
		{[]string{"train", "--max-memory", "-5G"}, "max-memory"},
		{[]string{"train", "--max-memory", "0"}, "max-memory"},
	} {
		args := tc.args
		if args[0] != "dot" && args[0] != "predict" {
			args = append(args, "--out", out)
		} else if args[0] == "predict" {
			args = append(args, "--out", filepath.Join(dir, "p.csv"))
		}
		code, _, stderr := runCLI(args...)
		if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want exit %d, one line with %q", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
	for _, p := range []string{out, filepath.Join(dir, "p.csv")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a refused run wrote %s (%v)", p, err)
		}
	}
	// The same sizes pass with room: --max-memory replaces the machine's
	// available memory, so it also lets a run past it.
	for _, args := range [][]string{
		{"dot", "--layers", "3", "--max-memory", "1T", "-o", filepath.Join(dir, "g.dot")},
		{"train", "--epochs", "2", "--points", "200", "--samples", "2", "--report-every", "1", "--no-figures", "-q", "--max-memory", "512MiB", "--out", out},
	} {
		if code, _, stderr := runCLI(args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	var l memoryLimit
	for in, want := range map[string]float64{"12GiB": 12 << 30, "800M": 800 << 20, "1.5g": 1.5 * (1 << 30), "4096": 4096, "2kb": 2048, "3 T": 3 << 40} {
		if err := l.Set(in); err != nil || l.bytes != want {
			t.Errorf("--max-memory %s: %v bytes, %v; want %v", in, l.bytes, err, want)
		}
	}
}

// huge is the value every size flag is tried with: 2^40 (4 TiB of float32
// for one row's worth): more than any machine, less than int64's range.
const huge = "1099511627776"

// Every integer flag of every command either sizes an allocation, and then
// a huge value is refused before any work in one line (exit 2) naming that
// flag (it is in the memory estimate, or bounded), or is listed here with
// why it cannot exhaust memory. The flags come from each command's -h, so
// a new integer flag fails this test until it is classified. (Before:
// dot --rows and --samples of train, predict and bench died with Go's
// fatal out-of-memory; bandit's --batch, --buffer, --depth and --hidden
// panicked; --mc-samples and --threads were unbounded.)
func TestEverySizeFlagBounded(t *testing.T) {
	dir, model, data := savedModel(t)
	base := map[string][]string{
		"train":   {"-q", "--epochs", "2", "--points", "200", "--samples", "4", "--report-every", "1", "--no-figures", "--out", filepath.Join(dir, "t")},
		"predict": {"-q", "--model", model, "--data", data, "--out", filepath.Join(dir, "p.csv")},
		"bench":   {"--points", "200", "--hidden", "8", "--epochs", "3", "--warmup", "0", "--samples", "2", "--out", filepath.Join(dir, "b")},
		"dot":     {"-o", filepath.Join(dir, "g.dot")},
		"bandit":  {"-q", "--steps", "10", "--out", filepath.Join(dir, "bd")},
		"prune":   {"--model", model, "--out", filepath.Join(dir, "pr")},
	}
	// Flags that size no allocation: the reason, per flag name.
	notSizes := map[string]string{
		"epochs": "time only, interruptible between epochs", "report-every": "a period", "checkpoint-every": "a period",
		"warmup": "bench's untimed epochs: time only", "steps": "bandit's steps: time only, the regret grows as it goes",
		"every": "a period", "updates": "time only", "val-samples": "draws averaged one at a time",
		"mnist-train": "the first N images, at most the file's", "mnist-val": "the first N images, at most the file's",
		"mnist-test": "the first N images, at most the file's",
	}
	// Commands whose --samples are draws averaged one at a time (no trace).
	timeOnlySamples := map[string]bool{"prune": true}
	// List flags of sizes, tried with a list holding the huge value.
	lists := map[string][]string{"bench": {"hidden-sizes", "layers-list", "points-list"}}
	listOf := map[string]string{"hidden-sizes": "hidden", "layers-list": "layers", "points-list": "points"}
	intFlag := regexp.MustCompile(`(?m)^  -(\S+) int$`)
	for cmd, args := range base {
		code, help, _ := runCLI(cmd, "-h")
		if code != 0 {
			t.Fatalf("%s -h: exit %d", cmd, code)
		}
		flags := lists[cmd]
		for _, m := range intFlag.FindAllStringSubmatch(help, -1) {
			flags = append(flags, m[1])
		}
		for _, fl := range flags {
			if _, ok := notSizes[fl]; ok || fl == "samples" && timeOnlySamples[cmd] {
				continue
			}
			a := slices.Clone(args)
			// The flag replaces its base value; bench's lists replace the
			// single size they conflict with.
			for i := 0; i < len(a); i++ {
				if a[i] == "--"+fl || a[i] == "--"+listOf[fl] {
					a = slices.Delete(a, i, i+2)
					i--
				}
			}
			a = append(append([]string{cmd}, a...), "--"+fl, huge)
			code, stderr := runIsolated(t, a...)
			first, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
			t.Logf("%s --%s: %s", cmd, fl, first)
			if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "--"+fl+" ") {
				t.Errorf("%s --%s %s: exit %d: want exit 2, one line naming --%s (or list it in notSizes with why)", cmd, fl, huge, code, fl)
			}
		}
	}
	for _, p := range []string{"t", "p.csv", "b", "g.dot", "bd", "pr"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("a refused run wrote %s (%v)", p, err)
		}
	}
}

// runIsolated runs the CLI in a child process (this test binary, through
// TestHelperRunCLI), so that a run dying of Go's fatal out-of-memory, or
// a panic, fails its case rather than the whole test binary; a run still
// going after 30 s is killed. Its exit code and stderr.
func runIsolated(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperRunCLI$")
	cmd.Env = append(os.Environ(), "BBB_TEST_CLI_ARGS="+strings.Join(args, "\x1f"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return -1, "still running after 30 s: " + stderr.String()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// TestHelperRunCLI is runIsolated's child: it runs the CLI with the
// arguments in BBB_TEST_CLI_ARGS and exits as bbb would (nothing without).
func TestHelperRunCLI(t *testing.T) {
	args, ok := os.LookupEnv("BBB_TEST_CLI_ARGS")
	if !ok {
		return
	}
	code, _, stderr := runCLI(strings.Split(args, "\x1f")...)
	fmt.Fprint(os.Stderr, stderr)
	os.Exit(code)
}

// The terms added for the sizes above, against peak RSS measured with the
// pure-Go build (docs/MEMORY.md, 2-core AMD EPYC): many predictive passes
// over few rows, and bandit's agents.
func TestMemoryEstimateWithin2xSamplesAndBandit(t *testing.T) {
	const mib = 1 << 20
	bandit := func(batch, hidden int) memSizes {
		return memSizes{job: memBandit, points: batch, hidden: hidden, layers: 3, inputs: 119, workers: 4, buffer: 4096, dtypeBytes: 4}
	}
	for _, tc := range []struct {
		name        string
		s           memSizes
		measuredMiB float64
	}{
		{"predict 300 rows, 100000 samples", memSizes{job: memPredict, points: 300, hidden: 20, layers: 5, samples: 100000, workers: 2, inputs: 1, levels: 3, dtypeBytes: 4}, 249.4},
		{"bandit defaults", bandit(64, 100), 29.9},
		{"bandit --batch 20000", bandit(20000, 100), 494.7},
		{"bandit --batch 5000 --hidden 200 (check point)", bandit(5000, 200), 166.7},
	} {
		est, _ := estimateMemory(tc.s)
		t.Logf("%s: estimate %.1f MiB, measured %.1f MiB: %.2fx", tc.name, est/mib, tc.measuredMiB, est/(tc.measuredMiB*mib))
		if r := est / (tc.measuredMiB * mib); r < 0.5 || r > 2 {
			t.Errorf("%s: estimate %s, measured %.1f MiB: %.2fx", tc.name, bytesText(est), tc.measuredMiB, r)
		}
	}
}

// --max-memory reads every unit up to E (before: "1EiB" was called "not a
// size > 0"), refuses what no 64-bit process can address, and says what
// is wrong: the unit, the number or the range.
func TestMaxMemoryParse(t *testing.T) {
	for in, want := range map[string]float64{"1EiB": 1 << 60, "2P": 2 << 50, "16EiB": 1 << 64, "1.5": 2, "12Gb": 12 << 30, " 7 kib ": 7 << 10} {
		var l memoryLimit
		if err := l.Set(in); err != nil || l.bytes != want {
			t.Errorf("--max-memory %q: %v bytes, %v; want %v", in, l.bytes, err, want)
		}
	}
	for in, want := range map[string]string{
		"17EiB": "at most 16EiB", "1e30": "at most 16EiB", "1e400": "at most 16EiB", "12XB": `unit "XB"`, "1i": `unit "i"`,
		"0x10G": "not a number", "NaN": "want a number", "Inf": "want a number", "": "want a number", "G": "want a number",
		"0": "at least 1 byte", "-5G": "at least 1 byte", "0.4": "at least 1 byte", "1e-400": "at least 1 byte",
	} {
		var l memoryLimit
		if err := l.Set(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--max-memory %q: error %v, want one with %q", in, err, want)
		}
	}
}

// --mc-samples and --threads have bounds with reasons (flags.go): the
// bound passes the check, one more is refused naming the flag.
func TestMCSamplesAndThreadsBounded(t *testing.T) {
	for _, tc := range []struct {
		set  func(m *modelFlags, v int)
		max  int
		flag string
	}{
		{func(m *modelFlags, v int) { m.paper.mcSamples = v }, maxMCSamples, "--mc-samples"},
		{func(m *modelFlags, v int) { m.threads = v }, maxThreads, "--threads"},
	} {
		for _, v := range []int{tc.max, tc.max + 1} {
			var m modelFlags
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			m.register(fs)
			tc.set(&m, v)
			err := m.check()
			if ok := v <= tc.max; ok != (err == nil) || err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%s %d", tc.flag, v)) {
				t.Errorf("%s %d: %v", tc.flag, v, err)
			}
		}
	}
	linalg.SetThreads(1) // (check set it)
}

// A saved model (2 inputs, 3 layers of 8) and its bytes, for the tests
// that damage it.
func savedModel(t *testing.T) (dir, model, data string) {
	t.Helper()
	dir = t.TempDir()
	data = filepath.Join(dir, "d.csv")
	writeCSV(t, data, 60, true)
	model = filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI("train", "-q", "--data", data, "--x-cols", "a,b", "--hidden", "8", "--layers", "3", "--epochs", "4",
		"--samples", "4", "--report-every", "2", "--no-figures", "--save", model, "--out", filepath.Join(dir, "o")); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return dir, model, data
}

// --max-memory raises the limit only up to the machine's memory and swap:
// past them Go dies with a fatal error after the run has begun (seen with
// --points 1e12 --max-memory 16EiB), so such a run is refused first.
func TestMaxMemoryNotPastMachine(t *testing.T) {
	if machineMemory() == 0 {
		t.Skip("no /proc/meminfo")
	}
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := runCLI("train", "--preset", "quick", "--epochs", "5", "--no-figures", "-q", "--out", out,
		"--points", "1000000000000", "--max-memory", "16EiB")
	if code != exitUsage || !strings.Contains(stderr, "--points 1000000000000: ") || !strings.Contains(stderr, "over this machine's") ||
		strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("exit %d, stderr %q; want exit 2, one line naming --points and the machine's memory", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run wrote --out")
	}
}
