package bench

import (
	"slices"
	"strings"
	"testing"
)

func row(points, hidden, epoch, pass float64) Row {
	return Row{Points: int(points), Hidden: int(hidden), Layers: 5, StepSecondsMedian: epoch, PredictSecondsPass: pass, PredictInputs: int(points) / 5}
}

func TestLabelBackends(t *testing.T) {
	bs := Label([]Backend{
		{Report: Report{Device: "gpu", Ops: "stock"}},
		{Report: Report{Device: "cuda", Ops: "pytorch-eager"}},
		{Report: Report{Device: "cpu", Ops: "fused"}},
		{Report: Report{Device: "cpu", Ops: "fused"}},
		{Report: Report{Device: "cpu", Ops: "pytorch-eager"}},
	})
	for i, want := range []string{"bbb-gpu", "torch-cuda", "bbb-cpu", "bbb-cpu#2", "torch-cpu"} {
		if bs[i].Label != want {
			t.Errorf("backend %d: label %q, want %q", i, bs[i].Label, want)
		}
	}
}

// The table has a row per size of any backend ("-" where one lacks it), a
// time per backend and this build's time over each other's.
func TestBenchTable(t *testing.T) {
	bs := Label([]Backend{
		{Report: Report{Device: "gpu", DeviceName: "NVIDIA H200", GEMM: "gonum", Ops: "stock", Dtype: "float32",
			Rows: []Row{row(20000, 20, 0.01, 0.002), row(20000, 512, 0.08, 0.02)}}},
		{Report: Report{Device: "cuda", DeviceName: "NVIDIA H200", GEMM: "torch 2.11.0", Ops: "pytorch-eager", Threads: 16, Dtype: "float32",
			Rows: []Row{row(20000, 20, 0.02, 0.004), row(20000, 512, 0.01, 0.003), row(20000, 1024, 0.012, 0.0035)}}, File: "torch.json"},
		{Report: Report{Device: "cpu", DeviceName: "AMD EPYC", GEMM: "openblas", Ops: "fused", Threads: 1, Dtype: "float32",
			Rows: []Row{row(20000, 512, 0.8, 0.08)}}, File: "cpu.json"},
	})
	var sb strings.Builder
	Table(&sb, bs)
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
	rows := TableRows(out)
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

// A --compare file of thousands of (points, layers) shapes: the figure
// draws this run's shapes only (one series per backend here), so its
// legend stays a few rows; the table still lists every size. Before, the
// figure had a legend row per shape: 8000 shapes took 90 s and 1.3 GB.
func TestBenchFigureKeepsToThisRunsShapes(t *testing.T) {
	this := Backend{Report: Report{Device: "cpu", Rows: []Row{
		{Points: 200, Hidden: 4, Layers: 1, StepSecondsMedian: 0.01, PredictSecondsPass: 0.01},
		{Points: 200, Hidden: 8, Layers: 1, StepSecondsMedian: 0.02, PredictSecondsPass: 0.02}}}}
	other := Backend{Report: Report{Device: "cpu"}}
	for i := range 8000 {
		other.Rows = append(other.Rows, Row{Points: 100 + i, Hidden: 4, Layers: 1 + i%3, StepSecondsMedian: 0.01, PredictSecondsPass: 0.01})
	}
	other.Rows = append(other.Rows, Row{Points: 200, Hidden: 16, Layers: 1, StepSecondsMedian: 0.03, PredictSecondsPass: 0.03})
	bs := Label([]Backend{this, other})
	f := Figure(bs)
	if len(f.Series) != 2 {
		t.Fatalf("%d series, want 2 (one shape, two backends)", len(f.Series))
	}
	if got := f.Series[1].Hidden; !slices.Equal(got, []float64{16}) {
		t.Errorf("the compared backend's series at this run's shape: hidden %v, want [16]", got)
	}
	var table strings.Builder
	Table(&table, bs)
	if rows := TableRows(table.String()); len(rows) != 8000+3 {
		t.Errorf("table has %d rows, want every size (8003)", len(rows))
	}
}

// No backends: no table and an empty figure, not a panic.
func TestTableFigureEmpty(t *testing.T) {
	var sb strings.Builder
	Table(&sb, nil)
	if sb.Len() != 0 {
		t.Errorf("table of no backends: %q", sb.String())
	}
	if f := Figure(nil); len(f.Series) != 0 || f.EpochTitle != "" {
		t.Errorf("figure of no backends: %+v", f)
	}
}
