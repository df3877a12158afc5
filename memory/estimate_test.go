package memory_test

import (
	"runtime"
	"testing"

	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/train"
)

// The estimate against the peak RSS measured with the OpenBLAS build
// (docs/MEMORY.md: the commands, float32, 2-core AMD EPYC): within 2x
// either way, and the largest term names what the command's user typed.
// The measurements are recorded constants; the commands in docs/MEMORY.md
// remeasure them.
func TestMemoryEstimateWithin2x(t *testing.T) {
	const mib = 1 << 20
	h100 := func(job memory.Job, points, workers, samples int) memory.Sizes {
		return memory.Sizes{Job: job, Points: points, Hidden: 100, Layers: 5, Samples: samples, Workers: workers, Inputs: 1, DtypeBytes: 4}
	}
	csv := func(rows, inputs int) memory.Sizes {
		s := h100(memory.Train, rows, 2, 10)
		s.Inputs, s.PointsFrom = inputs, "--data d.csv"
		return s
	}
	// grad sets dot's layers, negative: with --grad.
	grad := func(s memory.Sizes, layers int) memory.Sizes {
		s.Layers, s.Gradients = max(layers, -layers), layers < 0
		return s
	}
	for _, tc := range []struct {
		name        string
		s           memory.Sizes
		measuredMiB float64
	}{
		{"train seed curve 50k", h100(memory.Train, 50000, 2, 10), 254.2},
		{"train seed curve 200k", h100(memory.Train, 200000, 2, 10), 858.2},
		{"train --data 50k", csv(50000, 1), 254.3},
		{"train --data 200k", csv(200000, 1), 858.8},
		{"train --data 400k (the check point)", csv(400000, 1), 1678.8},
		{"train --data 100k, 2 inputs", csv(100000, 2), 452.7},
		{"train seed job (1000 samples)", memory.Sizes{Points: 20000, Hidden: 20, Layers: 5, Samples: 1000, Workers: 2, Inputs: 1, DtypeBytes: 4}, 101.2},
		{"train hidden 1000, 2 workers", memory.Sizes{Points: 2000, Hidden: 1000, Layers: 5, Samples: 10, Workers: 2, Inputs: 1, DtypeBytes: 4}, 589.3},
		{"train hidden 1000, 1 worker", memory.Sizes{Points: 2000, Hidden: 1000, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4}, 525.2},
		{"train 20 layers hidden 50", memory.Sizes{Points: 50000, Hidden: 50, Layers: 20, Samples: 10, Workers: 2, Inputs: 1, DtypeBytes: 4}, 563.4},
		{"predict 50k", h100(memory.Predict, 50000, 2, 10), 64.8},
		{"predict 200k", h100(memory.Predict, 200000, 2, 10), 79.2},
		{"predict 200k, 100 samples", h100(memory.Predict, 200000, 2, 100), 82.9},
		{"predict 400k (the check point)", h100(memory.Predict, 400000, 2, 10), 114.9},
		{"bench 50k", h100(memory.Train, 50000, 1, 2), 239.6},
		{"bench 200k", h100(memory.Train, 200000, 1, 2), 789.7},
		{"dot --rows 50000", h100(memory.Graph, 50000, 1, 2), 19.9},
		{"dot --rows 200000 --grad", grad(h100(memory.Graph, 200000, 1, 2), 5), 28.1},
		{"dot --layers 50", grad(h100(memory.Graph, 16000, 1, 2), 50), 25.6},
		{"dot --layers 200", grad(h100(memory.Graph, 16000, 1, 2), 200), 29.6},
		{"dot --layers 50 --grad", grad(h100(memory.Graph, 16000, 1, 2), -50), 78.1},
		{"dot --layers 200 --grad", grad(h100(memory.Graph, 16000, 1, 2), -200), 129.7},
	} {
		est, _ := memory.Estimate(tc.s)
		t.Logf("%s: estimate %.1f MiB, measured %.1f MiB: %.2fx", tc.name, est/mib, tc.measuredMiB, est/(tc.measuredMiB*mib))
		if r := est / (tc.measuredMiB * mib); r < 0.5 || r > 2 {
			t.Errorf("%s: estimate %s, measured %.1f MiB: %.2fx", tc.name, memory.Format(est), tc.measuredMiB, r)
		}
	}
}

// The terms added for the sizes above, against peak RSS measured with the
// pure-Go build (docs/MEMORY.md, 2-core AMD EPYC): many predictive passes
// over few rows, and bandit's agents.
func TestMemoryEstimateWithin2xSamplesAndBandit(t *testing.T) {
	const mib = 1 << 20
	bandit := func(batch, hidden int) memory.Sizes {
		return memory.Sizes{Job: memory.Bandit, Points: batch, Hidden: hidden, Layers: 3, Inputs: 119, Workers: 4, Variational: 1, Buffer: 4096, DtypeBytes: 4}
	}
	agents := func(s memory.Sizes, n, variational int) memory.Sizes {
		s.Workers, s.Variational = n, variational
		return s
	}
	for _, tc := range []struct {
		name        string
		s           memory.Sizes
		measuredMiB float64
	}{
		{"predict 300 rows, 100000 samples", memory.Sizes{Job: memory.Predict, Points: 300, Hidden: 20, Layers: 5, Samples: 100000, Workers: 2, Inputs: 1, Levels: 3, DtypeBytes: 4}, 249.4},
		{"bandit defaults", bandit(64, 100), 29.9},
		{"bandit --batch 20000", bandit(20000, 100), 494.7},
		{"bandit --batch 5000 --hidden 200 (check point)", bandit(5000, 200), 166.7},
		// --steps 2 --every 1 (Adam's moments made), /usr/bin/time's peak RSS.
		{"bandit --hidden 3000", bandit(64, 3000), 1306.4},
		{"bandit --hidden 3000 --agents bbb", agents(bandit(64, 3000), 1, 1), 745.1},
		{"bandit --hidden 3000 --agents greedy", agents(bandit(64, 3000), 1, 0), 208.1},
	} {
		est, _ := memory.Estimate(tc.s)
		t.Logf("%s: estimate %.1f MiB, measured %.1f MiB: %.2fx", tc.name, est/mib, tc.measuredMiB, est/(tc.measuredMiB*mib))
		if r := est / (tc.measuredMiB * mib); r < 0.5 || r > 2 {
			t.Errorf("%s: estimate %s, measured %.1f MiB: %.2fx", tc.name, memory.Format(est), tc.measuredMiB, r)
		}
	}
}

// The seed's sizes pass the memory estimate, and it grows with each size.
func TestMemoryEstimate(t *testing.T) {
	seed := memory.Sizes{Points: 20000, Hidden: 20, Layers: 5, Samples: 1000, Workers: 2, Inputs: 1, DtypeBytes: 4}
	total, _ := memory.Estimate(seed)
	if total > 1<<30 || total < 64<<20 {
		t.Errorf("seed job estimate %s", memory.Format(total))
	}
	for _, grow := range []func(*memory.Sizes){
		func(s *memory.Sizes) { s.Points *= 100 }, func(s *memory.Sizes) { s.Hidden *= 100 },
		func(s *memory.Sizes) { s.Layers *= 100 }, func(s *memory.Sizes) { s.Workers *= 100 },
	} {
		s := seed
		grow(&s)
		if big, _ := memory.Estimate(s); !(big > total) {
			t.Errorf("%+v: estimate %s not above the seed's %s", s, memory.Format(big), memory.Format(total))
		}
	}
	// The trace of passes is bounded in rows, not in samples (at least one
	// row of every pass, and each summarising goroutine's four float64
	// columns of samples): past the bound 10^7 samples cost their 4 bytes
	// and 32 per core each over 10^5, no more.
	a, b := seed, seed
	a.Samples, b.Samples = 100000, 10000000
	ea, _ := memory.Estimate(a)
	eb, _ := memory.Estimate(b)
	if eb > ea+float64(b.Samples)*(4+32*float64(runtime.GOMAXPROCS(0))) {
		t.Errorf("estimate grows with --samples past the bounded trace: %s vs %s", memory.Format(ea), memory.Format(eb))
	}
}

// The trace term mirrors train's bounds on the predictive passes (the
// package does not import train): a change there must change it here.
func TestTraceBoundsAreTrains(t *testing.T) {
	if memory.PredictChunk != train.PredictChunk || memory.MaxTrace != train.MaxTrace {
		t.Errorf("chunk %d, trace %d; train's are %d and %d", memory.PredictChunk, memory.MaxTrace, train.PredictChunk, train.MaxTrace)
	}
}

// The largest term names the size as the user set it (the From fields),
// by bbb's flags where unset; a product of sizes is blamed on the size
// furthest above its default; Workers past DefaultWorkers are blamed on
// --workers; each Job has its own terms.
func TestEstimateNamesTheSetting(t *testing.T) {
	for _, tc := range []struct {
		s    memory.Sizes
		want string
	}{
		{memory.Sizes{Points: 900000, Hidden: 20, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4}, "--points 900000"},
		{memory.Sizes{Points: 900000, Hidden: 20, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4, PointsFrom: "--data d.csv (900000 rows)"}, "--data d.csv (900000 rows)"},
		{memory.Sizes{Points: 200, Hidden: 3000, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4}, "--hidden 3000"},
		{memory.Sizes{Points: 200, Hidden: 3000, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4, HiddenFrom: "--hidden-sizes 3000"}, "--hidden-sizes 3000"},
		{memory.Sizes{Points: 20000, Hidden: 20, Layers: 64, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4}, "--layers 64"},
		{memory.Sizes{Points: 200, Hidden: 400, Layers: 5, Samples: 10, Workers: 300, DefaultWorkers: 2, Inputs: 1, DtypeBytes: 4}, "--workers 300"},
		{memory.Sizes{Points: 200, Hidden: 400, Layers: 5, Samples: 10, Workers: 300, DefaultWorkers: 1000, Inputs: 1, DtypeBytes: 4}, "--hidden 400"},
		{memory.Sizes{Points: 200, Hidden: 20, Layers: 5, Samples: 100000000, Workers: 1, Inputs: 1, DtypeBytes: 4}, "--samples 100000000"},
		{memory.Sizes{Job: memory.Predict, Points: 200, Hidden: 20, Layers: 5, Samples: 2, Workers: 1, Inputs: 1, Levels: 5000, DtypeBytes: 4}, "--quantiles (5000 levels)"},
		{memory.Sizes{Job: memory.Graph, Points: 30000000000, Hidden: 20, Layers: 5, Inputs: 1, DtypeBytes: 4, PointsFrom: "--rows 30000000000"}, "--rows 30000000000"},
		{memory.Sizes{Job: memory.Graph, Gradients: true, Points: 16000, Hidden: 20, Layers: 64, Inputs: 1, DtypeBytes: 4}, "--layers 64"},
		{memory.Sizes{Job: memory.Bandit, Points: 64, Hidden: 100, Layers: 3, Inputs: 119, Workers: 4, Buffer: 100000000, DtypeBytes: 4}, "--buffer 100000000"},
		{memory.Sizes{Job: memory.Bandit, Points: 64, Hidden: 100, Layers: 3, Inputs: 119, Workers: 400, Buffer: 4096, DtypeBytes: 4}, "--agents (400 agents)"},
		{memory.Sizes{Job: memory.Bandit, Points: 20000, Hidden: 100, Layers: 3, Inputs: 119, Workers: 4, Buffer: 4096, DtypeBytes: 4, PointsFrom: "--batch 20000"}, "--batch 20000"},
		// A CSV of 300,000 columns: its first layer is the weights, not --hidden 20's.
		{memory.Sizes{Points: 14, Hidden: 20, Layers: 5, Samples: 10, Workers: 1, Inputs: 300000, DtypeBytes: 4, PointsFrom: "--data w.csv (14 rows)", InputsFrom: "--data w.csv (300000 columns)"}, "--data w.csv (300000 columns)"},
		{memory.Sizes{Points: 14, Hidden: 20, Layers: 5, Samples: 10, Workers: 1, Inputs: 300000, DtypeBytes: 4}, "300000 input columns"},
		{memory.Sizes{Job: memory.Predict, Points: 14, Hidden: 20, Layers: 5, Samples: 10, Workers: 1, Inputs: 300000, DtypeBytes: 4, InputsFrom: "--model m.npz (300000 inputs)"}, "--model m.npz (300000 inputs)"},
		// 50 columns and hidden 400: the hidden layers' weights are most of them.
		{memory.Sizes{Points: 200, Hidden: 4000, Layers: 5, Samples: 10, Workers: 1, Inputs: 50, DtypeBytes: 4, InputsFrom: "--data d.csv (50 columns)"}, "--hidden 4000"},
	} {
		if _, top := memory.Estimate(tc.s); top.From != tc.want || !(top.Bytes > 0) {
			t.Errorf("%+v: largest term %+v, want one from %q", tc.s, top, tc.want)
		}
	}
	// float64 doubles the values that are the dtype's.
	s := memory.Sizes{Points: 20000, Hidden: 100, Layers: 5, Samples: 10, Workers: 1, Inputs: 1, DtypeBytes: 4}
	f32, _ := memory.Estimate(s)
	s.DtypeBytes = 8
	if f64, _ := memory.Estimate(s); !(f64 > f32) {
		t.Errorf("float64 estimate %s not above float32's %s", memory.Format(f64), memory.Format(f32))
	}
}

func TestFormat(t *testing.T) {
	for b, want := range map[float64]string{0: "0.0 B", 12: "12.0 B", 1023: "1023.0 B", 1024: "1.0 KiB", 1.5 * (1 << 30): "1.5 GiB",
		800 << 20: "800.0 MiB", 1 << 60: "1.0 EiB", 1 << 70: "1024.0 EiB"} {
		if got := memory.Format(b); got != want {
			t.Errorf("Format(%v) = %q, want %q", b, got, want)
		}
	}
}
