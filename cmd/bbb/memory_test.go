package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
