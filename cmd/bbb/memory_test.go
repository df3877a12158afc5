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

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
)

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
	var l memory.Limit
	for in, want := range map[string]float64{"12GiB": 12 << 30, "800M": 800 << 20, "1.5g": 1.5 * (1 << 30), "4096": 4096, "2kb": 2048, "3 T": 3 << 40} {
		if err := l.Set(in); err != nil || l.Bytes() != want {
			t.Errorf("--max-memory %s: %v bytes, %v; want %v", in, l.Bytes(), err, want)
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

// --mc-samples and --threads have bounds with reasons (job.ModelSettings): the
// bound passes the check, one more is refused naming the flag.
func TestMCSamplesAndThreadsBounded(t *testing.T) {
	for _, tc := range []struct {
		set  func(m *modelFlags, v int)
		max  int
		flag string
	}{
		{func(m *modelFlags, v int) { m.MCSamples = v }, job.MaxMCSamples, "--mc-samples"},
		{func(m *modelFlags, v int) { m.Threads = v }, job.MaxThreads, "--threads"},
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
	if memory.Machine() == 0 {
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

// The memory package's refusal is the CLI's usage error (exit 2) with its
// message: over the available memory, the commands with --max-memory say
// it overrides, bandit (without the flag) says nothing more; over a limit
// or the machine, the message alone.
func TestCheckMemoryIsUsageError(t *testing.T) {
	if memory.Available() == 0 || memory.Machine() == 0 {
		t.Skip("no /proc/meminfo")
	}
	huge := memory.Sizes{Points: 1000000000000, Hidden: 20, Layers: 5, Samples: 2, Workers: 1, Inputs: 1, DtypeBytes: 4}
	need, _ := memory.Estimate(huge)
	size := `[0-9]+\.[0-9] [KMGTPE]?i?B`
	small, _ := memory.ParseLimit("1M")
	all, _ := memory.ParseLimit("16EiB")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{checkMemory(huge, memory.Limit{}), `^--points 1000000000000: the run needs about ` + regexp.QuoteMeta(memory.Format(need)) +
			` of memory, over the ` + size + ` available \(--max-memory overrides\)$`},
		{checkMemory(huge, all), `^--points 1000000000000: the run needs about ` + regexp.QuoteMeta(memory.Format(need)) +
			` of memory, over this machine's ` + size + ` of memory and swap \(--max-memory 16\.0 EiB cannot raise that\)$`},
		{checkMemory(huge, small), `^--points 1000000000000: the run needs about ` + regexp.QuoteMeta(memory.Format(need)) +
			` of memory, over --max-memory 1\.0 MiB$`}, // (the bound that binds: 1 MiB is under the machine's)
		{checkMemory(memory.Sizes{Points: 200, Hidden: 20, Layers: 5, Samples: 2, Workers: 1, Inputs: 1, DtypeBytes: 4}, small),
			`^--hidden 20: the run needs about ` + size + ` of memory, over --max-memory 1\.0 MiB$`},
		{checkBanditSizes(bandit.Config{Agents: []bandit.Agent{{}}, Batch: 1 << 40}, 117, memory.Limit{}), `^--batch 1099511627776: the run needs about ` + size +
			` of memory, over the ` + size + ` available \(--max-memory overrides\)$`},
		{checkBanditSizes(bandit.Config{Agents: []bandit.Agent{{}}, Hidden: 100}, 117, small), `^--hidden 100: the run needs about ` + size +
			` of memory, over --max-memory 1\.0 MiB$`},
	} {
		var ue usageError
		if !errors.As(tc.err, &ue) || !regexp.MustCompile(tc.want).MatchString(tc.err.Error()) {
			t.Errorf("%#v: want a usage error matching %s", tc.err, tc.want)
		}
	}
	if err := checkMemory(huge, all); err == nil {
		t.Error("--max-memory 16EiB let a run past the machine's memory")
	}
}
