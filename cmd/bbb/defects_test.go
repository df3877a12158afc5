package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/bench"
)

// Issue 9's defects 3-5: each bad value is one line naming the flag, exit
// 2, nothing written.
func TestDefectsBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--points", "1000000000000"}, "--points 1000000000000: the run needs about"},
		{[]string{"train", "--hidden", "100000"}, "--hidden 100000: the run needs about"},
		{[]string{"train", "--points", "200000000", "--hidden", "200"}, "--points 200000000"},
		{[]string{"train", "--workers", "1000000", "--hidden", "2000"}, "--workers 1000000"},
		{[]string{"bench", "--hidden-sizes", "20,100000"}, "--hidden-sizes 100000"},
		{[]string{"dot", "--hidden", "100000"}, "--hidden 100000"},
		{[]string{"train", "--cpuprofile", dir}, "--cpuprofile " + dir + ": is a directory"},
		{[]string{"train", "--cpuprofile", filepath.Join(dir, "no", "such", "cpu.prof")}, "--cpuprofile"},
		{[]string{"dot", "-o", dir}, "--out " + dir + ": is a directory"},
		{[]string{"dot", "-o", ""}, "--out: empty path"},
		{[]string{"dot", "--out", filepath.Join(dir, "no", "x.dot")}, "--out"},
		{[]string{"dot", "--points", "5"}, "points"},
		{[]string{"bench", "--hidden", "8", "--hidden-sizes", "8,16"}, "--hidden-sizes 8,16: has no effect with --hidden 8"},
		{[]string{"bench", "--format", "gif"}, "--format"},
		{[]string{"train", "--format", "x.png"}, `--format "x.png": want png, svg or pdf`},
		{[]string{"sweep", "--grid", "g", "--format", ".svg"}, `--format ".svg": want png, svg or pdf`},
		{[]string{"bandit", "--format", "a.pdf"}, `--format "a.pdf": want png, svg or pdf`},
		// A file or column flag given empty would take its default: --data
		// "" trained on the seed's curve, --resume "" from scratch.
		{[]string{"train", "--data", ""}, `--data "": empty (give a value, or leave --data out)`},
		{[]string{"train", "--resume", ""}, `--resume "": empty (give a value, or leave --resume out)`},
		{[]string{"train", "--save", ""}, `--save "": empty`},
		{[]string{"train", "--cpuprofile", ""}, `--cpuprofile "": empty`},
		{[]string{"bandit", "--data", ""}, `--data "": empty`},
		{[]string{"bench", "--compare", ""}, `--compare "": empty`},
		{[]string{"sweep", "--grid", ""}, `--grid "": empty`},
	} {
		args := tc.args
		if args[0] != "dot" {
			args = append(args, "--out", out)
		}
		code, _, stderr := runCLI(args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, exitUsage, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q: want one line with %q", tc.args, stderr, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); err == nil {
		t.Error("--cpuprofile or --out created a missing directory")
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		t.Errorf("bad input wrote %d files to --out", len(ents))
	}
}

// bench --hidden times that one width (it was ignored), one size draws its
// figure, -h shows bench's own --workers default, --format PNG is png.
func TestBenchOneHidden(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI("bench", "--hidden", "8", "--points", "200", "--epochs", "3", "--warmup", "1",
		"--seconds", "0.05", "--samples", "2", "-q", "--format", "PNG", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep bench.Report
	b, _ := os.ReadFile(filepath.Join(out, "bench.json"))
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Rows) != 1 || rep.Rows[0].Hidden != 8 {
		t.Errorf("bench.json %s (%v): want one row at hidden 8", b, err)
	}
	ents, _ := os.ReadDir(out)
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if strings.Join(names, ",") != "bench.json,bench.png" {
		t.Errorf("--out holds %v, want bench.json,bench.png", names)
	}
	_, help, _ := runCLI("bench", "-h")
	i := strings.Index(help, "-workers")
	if i < 0 || !strings.Contains(help[i:min(len(help), i+120)], "(default 1)") {
		t.Errorf("bench -h: --workers default is not 1:\n%s", help)
	}
	if _, dotHelp, _ := runCLI("dot", "-h"); strings.Contains(dotHelp, "-points") || !strings.Contains(dotHelp, "-out") {
		t.Errorf("dot -h lists --points or lacks --out:\n%s", dotHelp)
	}
}

// --format PNG writes .png files; one epoch still draws its loss figure.
func TestFormatUpperCaseOneEpoch(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI("train", "--points", "100", "--epochs", "1", "--samples", "4", "--format", "PNG", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"losses.png", "band_val.png", "band_train.png", "data.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(out, "*.PNG")); len(m) > 0 {
		t.Errorf("wrote %v", m)
	}
}

// dot --out and -o write the same file.
func TestDotOut(t *testing.T) {
	dir := t.TempDir()
	for _, flag := range []string{"-o", "--out"} {
		p := filepath.Join(dir, "g"+flag+".dot")
		if code, _, stderr := runCLI("dot", "--layers", "2", "--rows", "4", flag, p); code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, stderr)
		}
		if b, err := os.ReadFile(p); err != nil || !strings.HasPrefix(string(b), "digraph") {
			t.Errorf("%s: %q %v", flag, b, err)
		}
	}
}

// Subdirectories of --out (bench's out/bench, torch_bench's out/torch) are
// other runs: a train run into out carries them over.
func TestSubdirectoriesCarried(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(filepath.Join(out, "torch"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "torch", "bench.json"), []byte("{}"), 0o644)
	for range 2 {
		if code, _, stderr := runCLI("train", "--points", "100", "--epochs", "2", "--samples", "2", "--no-figures", "-q", "--out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "torch", "bench.json")); err != nil || string(b) != "{}" {
		t.Errorf("out/torch/bench.json: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Error(err)
	}
}

// A --preset whose every setting is given too changes nothing but the
// name the run records (and a --resume must repeat it): refused. A preset
// with one of its settings left to it is taken.
func TestPresetWithEverySettingGiven(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	wantUsage(t, []string{"train", "--preset", "quick", "--epochs", "10", "--points", "100", "--samples", "10", "--out", out},
		"--preset quick: has no effect with --epochs, --points, --samples given: they are every setting it makes")
	wantUsage(t, []string{"train", "--preset", "calibrated", "--likelihood", "fixed", "--likelihood-sigma", "0.1", "--out", out},
		"--preset calibrated: has no effect with --likelihood, --likelihood-sigma given")
	// mnist is also the classifier and its data: taken with every setting given.
	if _, _, stderr := runCLI("train", "--preset", "mnist", "--layers", "3", "--hidden", "20", "--batch-size", "128", "--prior", "mixture", "--lr", "0.001",
		"--lr-milestones", "40,52", "--epochs", "60", "--samples", "10", "--threads", "0", "--report-every", "1", "--mnist-dir", filepath.Join(t.TempDir(), "none"), "--out", out); strings.Contains(stderr, "--preset") {
		t.Errorf("--preset mnist with every setting given: %s", stderr)
	}
	if code, _, stderr := runCLI("train", "-q", "--no-figures", "--preset", "quick", "--epochs", "2", "--report-every", "1", "--points", "100", "--out", out); code != exitOK {
		t.Errorf("a preset with a setting of its own left (--samples): exit %d: %s", code, stderr)
	}
}
