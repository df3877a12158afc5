package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/internal/linalg"
)

// tableRows is the bench table's size rows: the lines whose first field is a
// number (the points).
func tableRows(table string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				rows = append(rows, f)
			}
		}
	}
	return rows
}

func row(points, hidden, epoch, pass float64) benchRow {
	return benchRow{Points: int(points), Hidden: int(hidden), Layers: 5, StepSecondsMedian: epoch, PredictSecondsPass: pass, PredictInputs: int(points) / 5}
}

func TestLabelBackends(t *testing.T) {
	bs := labelBackends([]backend{
		{benchReport: benchReport{Device: "gpu", Ops: "stock"}},
		{benchReport: benchReport{Device: "cuda", Ops: "pytorch-eager"}},
		{benchReport: benchReport{Device: "cpu", Ops: "fused"}},
		{benchReport: benchReport{Device: "cpu", Ops: "fused"}},
		{benchReport: benchReport{Device: "cpu", Ops: "pytorch-eager"}},
	})
	for i, want := range []string{"bbb-gpu", "torch-cuda", "bbb-cpu", "bbb-cpu#2", "torch-cpu"} {
		if bs[i].label != want {
			t.Errorf("backend %d: label %q, want %q", i, bs[i].label, want)
		}
	}
}

// The table has a row per size of any backend ("-" where one lacks it), a
// time per backend and this build's time over each other's.
func TestBenchTable(t *testing.T) {
	bs := labelBackends([]backend{
		{benchReport: benchReport{Device: "gpu", DeviceName: "NVIDIA H200", GEMM: "gonum", Ops: "stock", Dtype: "float32",
			Rows: []benchRow{row(20000, 20, 0.01, 0.002), row(20000, 512, 0.08, 0.02)}}},
		{benchReport: benchReport{Device: "cuda", DeviceName: "NVIDIA H200", GEMM: "torch 2.11.0", Ops: "pytorch-eager", Threads: 16, Dtype: "float32",
			Rows: []benchRow{row(20000, 20, 0.02, 0.004), row(20000, 512, 0.01, 0.003), row(20000, 1024, 0.012, 0.0035)}}, file: "torch.json"},
		{benchReport: benchReport{Device: "cpu", DeviceName: "AMD EPYC", GEMM: "openblas", Ops: "fused", Threads: 1, Dtype: "float32",
			Rows: []benchRow{row(20000, 512, 0.8, 0.08)}}, file: "cpu.json"},
	})
	var sb strings.Builder
	printBenchTable(&sb, bs)
	out := sb.String()
	words := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"bbb-gpu gpu NVIDIA H200 (stock ops, float32) [this build]",
		"torch-cuda cuda NVIDIA H200 (pytorch-eager, torch 2.11.0, float32) [torch.json]",
		"bbb-cpu cpu AMD EPYC (openblas, 1 thread, fused ops, float32) [cpu.json]",
		"bbb-gpu torch-cuda bbb-cpu vs torch-cuda vs bbb-cpu",
		"points hidden layers madds/epoch s/epoch s/pass s/epoch s/pass s/epoch s/pass epoch pass epoch pass"} {
		if !strings.Contains(words, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	rows := tableRows(out)
	want := [][]string{
		// points hidden layers madds | gpu epoch pass | torch epoch pass | cpu epoch pass | vs torch | vs cpu
		{"20000", "20", "5", "5.92e+07", "0.01000", "0.002000", "0.02000", "0.004000", "-", "-", "0.500", "0.500", "-", "-"},
		{"20000", "512", "5", "3.78e+10", "0.08000", "0.02000", "0.01000", "0.003000", "0.8000", "0.08000", "8.00", "6.67", "0.100", "0.250"},
		{"20000", "1024", "5", "1.51e+11", "-", "-", "0.01200", "0.003500", "-", "-", "-", "-", "-", "-"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), out)
	}
	for i := range want {
		if strings.Join(rows[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("row %d:\n got %v\nwant %v", i, rows[i], want[i])
		}
	}
	// Every line of the table proper is as wide as its header: the columns line up.
	lines := strings.Split(strings.TrimSpace(out[strings.Index(out, "\n\n"):]), "\n")
	for _, l := range lines[1:] {
		if len(l) != len(lines[1]) {
			t.Errorf("ragged table:\n%s", strings.Join(lines, "\n"))
			break
		}
	}
}

func TestSigFigs(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		n    int
		want string
	}{{0.0001234, 4, "0.0001234"}, {0.5, 3, "0.500"}, {12.345, 3, "12.3"}, {9.9996, 4, "10.00"}, {1234.5, 3, "1230"}, {0, 3, "0"}} {
		if got := sigFigs(tc.v, tc.n); got != tc.want {
			t.Errorf("sigFigs(%v, %d) = %q, want %q", tc.v, tc.n, got, tc.want)
		}
	}
}

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
	if rows := tableRows(stdout); len(rows) != 1 || len(rows[0]) != 4+3*2+2*2 {
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

// A --compare file of thousands of (points, layers) shapes: the figure
// draws this run's shapes only (one series per backend here), so its
// legend stays a few rows; the table still lists every size. Before, the
// figure had a legend row per shape: 8000 shapes took 90 s and 1.3 GB.
func TestBenchFigureKeepsToThisRunsShapes(t *testing.T) {
	this := backend{benchReport: benchReport{Device: "cpu", Rows: []benchRow{
		{Points: 200, Hidden: 4, Layers: 1, StepSecondsMedian: 0.01, PredictSecondsPass: 0.01},
		{Points: 200, Hidden: 8, Layers: 1, StepSecondsMedian: 0.02, PredictSecondsPass: 0.02}}}}
	other := backend{benchReport: benchReport{Device: "cpu"}}
	for i := range 8000 {
		other.Rows = append(other.Rows, benchRow{Points: 100 + i, Hidden: 4, Layers: 1 + i%3, StepSecondsMedian: 0.01, PredictSecondsPass: 0.01})
	}
	other.Rows = append(other.Rows, benchRow{Points: 200, Hidden: 16, Layers: 1, StepSecondsMedian: 0.03, PredictSecondsPass: 0.03})
	bs := labelBackends([]backend{this, other})
	f := benchFigure(bs)
	if len(f.Series) != 2 {
		t.Fatalf("%d series, want 2 (one shape, two backends)", len(f.Series))
	}
	if got := f.Series[1].Hidden; !slices.Equal(got, []float64{16}) {
		t.Errorf("the compared backend's series at this run's shape: hidden %v, want [16]", got)
	}
	var table strings.Builder
	printBenchTable(&table, bs)
	if rows := tableRows(table.String()); len(rows) != 8000+3 {
		t.Errorf("table has %d rows, want every size (8003)", len(rows))
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
