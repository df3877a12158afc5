package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/nodes"
)

// Through the sampler: the total band holds the epistemic one, is wider by
// about the noise, agrees with the PIT's coverage, and does not depend on
// workers; a fixed likelihood's scale is its sigma.
func TestSamplerTotalBand(t *testing.T) {
	for _, lik := range []graph.Likelihood{graph.LikFixed{}, graph.LikLearned{}, graph.LikHetero{}} {
		t.Run(lik.String(), func(t *testing.T) {
			cfg := smallConfig(tensor.Float32)
			cfg.Graph.Likelihood, cfg.Graph.LikelihoodSigma = lik, 0.8
			cfg.Epochs = 100
			tr, d := trained(t, cfg)
			sm := NewSampler(tr.Net, 2)
			defer sm.Close()
			b, err := sm.Score(d.Val.X, d.Val.Y, 200, 4)
			if err != nil {
				t.Fatal(err)
			}
			var inBand, wider float64
			for i := range b.Mean {
				if d.Val.Y[i] >= b.TotalQ05[i] && d.Val.Y[i] <= b.TotalQ95[i] {
					inBand++
				}
				if b.TotalQ95[i]-b.TotalQ05[i] > b.Q95[i]-b.Q05[i] {
					wider++
				}
			}
			n := float64(len(b.Mean))
			sc := metrics.Score(b.PIT, b.LogDensity, b.TotalQ05, b.TotalQ95)
			if !(math.Abs(inBand/n-sc.Coverage90) <= 0.03) {
				t.Errorf("total band covers %v, the PIT says %v", inBand/n, sc.Coverage90)
			}
			if wider/n < 0.99 {
				t.Errorf("total band wider than the epistemic one at only %v of inputs", wider/n)
			}
			if math.IsNaN(sc.NLPD) || math.IsInf(sc.NLPD, 0) {
				t.Errorf("NLPD %v", sc.NLPD)
			}
			sm1 := NewSampler(tr.Net, 1)
			defer sm1.Close()
			b1, err := sm1.Score(d.Val.X, d.Val.Y, 200, 4)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(b.TotalQ95, b1.TotalQ95) || !slices.Equal(b.PIT, b1.PIT) {
				t.Error("total band or PIT depends on workers")
			}
			z, _ := tr.Net.Noise()
			if lik == (graph.LikFixed{}) && z.Sigma != 0.8 {
				t.Errorf("fixed noise sigma %v, want 0.8", z.Sigma)
			}
		})
	}
}

// BenchmarkScore1000Val: Sampler.Score over the 4000 validation inputs
// (the bands plus the total band, PIT and log density), beside
// BenchmarkPredict1000Val2Workers (the bands alone).
func BenchmarkScore1000Val(b *testing.B) {
	tr, d := benchTrainer(b, graph.Config{})
	sm := NewSampler(tr.Net, 2)
	defer sm.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := sm.Score(d.Val.X, d.Val.Y, 1000, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// load reads input i's (mean, raw scale) pair of every pass from the
// trace (passes × inputs × width, row-major), for both noise widths.
func TestTotalScratchLoad(t *testing.T) {
	const samples, n = 3, 4
	for _, z := range []graph.Noise{{Kind: graph.LikFixed{}, Sigma: 0.5}, {Kind: graph.LikHetero{}, Hetero: nodes.HeteroScale{Min: 0.1}}} {
		wd := z.Width()
		trace := make([]float32, samples*n*wd)
		for s := 0; s < samples; s++ {
			for i := 0; i < n; i++ {
				row := trace[(s*n+i)*wd:]
				row[0] = float32(10*s + i) // the mean names its pass and input
				if wd == 2 {
					row[1] = float32(-s - i)
				}
			}
		}
		ts := newTotalScratch(samples, 1)
		for i := 0; i < n; i++ {
			ts.load(trace, samples, n, i, z)
			for s := 0; s < samples; s++ {
				wantSigma := 0.5
				if wd == 2 {
					wantSigma = 0.1 + nodes.SoftplusAt(float64(-s-i))
				}
				if ts.mu[s] != float64(10*s+i) || math.Abs(ts.sigma[s]-wantSigma) > 1e-6 {
					t.Fatalf("%v: input %d pass %d: mu %v, sigma %v; want %v, %v", z.Kind, i, s, ts.mu[s], ts.sigma[s], 10*s+i, wantSigma)
				}
			}
		}
	}
}

// summarise reads each pass's mean at its row of a width-2 trace, and an
// input's total band depends on its index in the whole set (lo0 + i), not
// on the chunk or the worker that summarises it.
func TestSummariseRowsAndNoiseStreams(t *testing.T) {
	const samples, n, wd = 4, 8, 2
	z := graph.Noise{Kind: graph.LikHetero{}, Hetero: nodes.HeteroScale{Min: 0.1}}
	r := rand.New(rand.NewPCG(9, 9))
	trace := make([]float32, samples*n*wd)
	for i := range trace {
		trace[i] = float32(r.NormFloat64())
	}
	bands := func(n int) Bands {
		return Bands{Mean: make([]float64, n), Q05: make([]float64, n), Q95: make([]float64, n), TotalQ05: make([]float64, n), TotalQ95: make([]float64, n)}
	}
	all := bands(n)
	summarise(trace, samples, n, 3, all, nil, z, 0, 5)
	for i := range n {
		var sum float64
		for s := range samples {
			sum += float64(trace[(s*n+i)*wd])
		}
		if want := sum / samples; math.Abs(all.Mean[i]-want) > 1e-12 {
			t.Fatalf("input %d: mean %v, want %v", i, all.Mean[i], want)
		}
	}
	// Inputs 5..7 summarised as a chunk of their own, starting at 5.
	part := make([]float32, samples*3*wd)
	for s := range samples {
		copy(part[s*3*wd:(s+1)*3*wd], trace[(s*n+5)*wd:(s*n+8)*wd])
	}
	tail := bands(3)
	summarise(part, samples, 3, 1, tail, nil, z, 5, 5)
	if !slices.Equal(tail.Mean, all.Mean[5:]) || !slices.Equal(tail.TotalQ05, all.TotalQ05[5:]) || !slices.Equal(tail.TotalQ95, all.TotalQ95[5:]) {
		t.Errorf("inputs 5..7 as a chunk: total band %v..%v, in the whole set %v..%v", tail.TotalQ05, tail.TotalQ95, all.TotalQ05[5:], all.TotalQ95[5:])
	}
}
