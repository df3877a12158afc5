package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/internal/linalg"
)

// --compare takes a list: this project's bench.json and PyTorch's (the
// schema of scripts/torch_bench.py, extra keys and all) in one table and
// figure; bench.json keeps its keys and records the GEMM threads.
func TestBenchCompareList(t *testing.T) {
	t.Cleanup(func() { linalg.SetThreads(1) })
	dir := t.TempDir()
	torch := filepath.Join(dir, "torch.json")
	if err := os.WriteFile(torch, []byte(`{"device": "cuda", "device_name": "NVIDIA H200", "dtype": "float32", "ops": "pytorch-eager",
		"gemm": "torch 2.11.0, cuBLAS (CUDA 13.0)", "workers": 1, "threads": 16, "torch_version": "2.11.0", "cuda_version": "13.0",
		"rows": [{"points": 200, "hidden": 4, "layers": 5, "madds_per_epoch": 26240.0, "steps": 30, "step_seconds_median": 0.0115,
		"step_seconds_min": 0.011, "predict_passes": 1000, "predict_inputs": 40, "predict_seconds": 3.0,
		"predict_seconds_per_pass": 0.003, "forward_seconds_median": 0.0029}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"bench", "--hidden-sizes", "4", "--points", "200", "--epochs", "3", "--warmup", "1", "--seconds", "0.05", "--samples", "2", "-q"}
	cpu := filepath.Join(dir, "cpu")
	if code, _, stderr := runCLI(append(args, "--out", cpu, "--threads", "0")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(cpu, "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"device", "device_name", "dtype", "ops", "gemm", "workers", "threads", "rows"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("bench.json lacks %q", k)
		}
	}
	wantThreads := runtime.GOMAXPROCS(0) // gonum: all of GOMAXPROCS, whatever --threads says
	if linalg.ThreadsSettable() {
		wantThreads = runtime.NumCPU()
	}
	if got := keys["threads"]; got != float64(wantThreads) {
		t.Errorf("--threads 0 (%s): bench.json threads %v, want %d", linalg.Backend(), got, wantThreads)
	}

	out := filepath.Join(dir, "all")
	code, stdout, stderr := runCLI(append(args, "--out", out, "--format", "svg", "--compare", filepath.Join(cpu, "bench.json")+", "+torch)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if linalg.ThreadsSettable() && linalg.Threads() != 1 {
		t.Errorf("default --threads: %d OpenBLAS threads, want 1", linalg.Threads())
	}
	for _, want := range []string{"bbb-cpu#2", "torch-cuda", "vs bbb-cpu#2", "vs torch-cuda", torch} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if rows := bench.TableRows(stdout); len(rows) != 1 || len(rows[0]) != 4+3*2+2*2 {
		t.Errorf("rows %v:\n%s", rows, stdout)
	}
	svg, err := os.ReadFile(filepath.Join(out, "bench.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"torch-cuda: cuda NVIDIA H200", "bbb-cpu: cpu", "hidden width", "seconds per pass"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("figure lacks %q", want)
		}
	}

	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte(`{"device": "cpu", "rows": []}`), 0o644)
	for _, list := range []string{torch + "," + empty, torch + ",", filepath.Join(dir, "missing.json")} {
		code, _, stderr := runCLI("bench", "--compare", list, "--out", filepath.Join(dir, "bad"))
		if code != exitUsage || !strings.Contains(stderr, "--compare") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("--compare %s: exit %d, stderr %q", list, code, stderr)
		}
	}
	// One file twice, however spelt: refused, naming both spellings.
	t.Chdir(dir)
	wantUsage(t, []string{"bench", "--compare", torch + ",torch.json", "--out", filepath.Join(dir, "bad")},
		"--compare: "+torch+" and torch.json are one file (each backend once)")
}

// Every --compare file is checked before the sweep: a bad field is one
// line naming the file and the field, exit 2, and no run (before, negative
// times passed and failed at the figure after the whole sweep, exit 1).
func TestBenchCompareCheckedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	row := func(edit string) string {
		r := `"points": 200, "hidden": 4, "layers": 1, "madds_per_epoch": 960, "steps": 3, "step_seconds_median": 0.01,
			"step_seconds_min": 0.01, "predict_passes": 2, "predict_inputs": 40, "predict_seconds": 0.02, "predict_seconds_per_pass": 0.01`
		if edit != "" {
			k := strings.SplitN(edit, ":", 2)[0]
			i := strings.Index(r, k)
			end := strings.IndexAny(r[i:], ",")
			if end < 0 {
				end = len(r) - i
			}
			r = r[:i] + edit + r[i+end:]
		}
		return "{" + r + "}"
	}
	good := `{"device": "cpu", "rows": [` + row("") + `]}`
	for _, tc := range []struct{ name, body, field string }{
		{"negative-step", `{"device": "cpu", "rows": [` + row(`"step_seconds_median": -1`) + `]}`, "step_seconds_median"},
		{"zero-pass", `{"device": "cpu", "rows": [` + row(`"predict_seconds_per_pass": 0`) + `]}`, "predict_seconds_per_pass"},
		{"negative-predict", `{"device": "cpu", "rows": [` + row(`"predict_seconds": -0.5`) + `]}`, "predict_seconds"},
		{"zero-hidden", `{"device": "cpu", "rows": [` + row(`"hidden": 0`) + `]}`, "hidden"},
		{"negative-points", `{"device": "cpu", "rows": [` + row(`"points": -3`) + `]}`, "points"},
		{"repeated-size", `{"device": "cpu", "rows": [` + row("") + "," + row("") + `]}`, "rows[1]"},
		{"no-device", `{"rows": [` + row("") + `]}`, "device"},
		{"string-time", `{"device": "cpu", "rows": [` + row(`"step_seconds_min": "fast"`) + `]}`, "step_seconds_min"},
		{"huge-number", `{"device": "cpu", "rows": [` + row(`"step_seconds_median": 1e999`) + `]}`, "1e999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, tc.name+".json")
			ok := filepath.Join(dir, "good.json")
			os.WriteFile(ok, []byte(good), 0o644)
			if err := os.WriteFile(bad, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out-"+tc.name)
			code, _, stderr := runCLI("bench", "--hidden-sizes", "4", "--points", "200", "--epochs", "3", "--warmup", "1",
				"--seconds", "0.05", "--samples", "2", "-q", "--out", out, "--compare", ok+","+bad)
			if code != exitUsage || !strings.Contains(stderr, "--compare "+bad) || !strings.Contains(stderr, tc.field) ||
				strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q: want exit %d, one line naming %s and %q", code, stderr, exitUsage, bad, tc.field)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("--out %s exists (%v): the sweep ran before the file was checked", out, err)
			}
		})
	}
}

// bench's step counts are bounded before any work: warmup + epochs
// overflowed (exit 1 after work began), and a huge --warmup, which
// --seconds does not end, ran until killed.
func TestBenchStepBounds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b")
	for _, tc := range []struct{ flag, value string }{
		{"--epochs", "9223372036854775807"}, {"--epochs", "2"}, {"--warmup", "9223372036854775807"},
		{"--warmup", "1000000000000"}, {"--warmup", "-1"},
	} {
		code, _, stderr := runCLI("bench", "--hidden", "4", "--points", "100", "--seconds", "0.05", "--samples", "2", "-q",
			"--out", out, tc.flag, tc.value)
		if code != exitUsage || !strings.HasPrefix(stderr, "bbb: "+tc.flag+" "+tc.value+": want ") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s %s: exit %d, stderr %q; want exit 2, one line naming it", tc.flag, tc.value, code, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused bench wrote --out")
	}
}
