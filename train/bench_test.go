package train

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/nodes"
)

// Benchmarks on the seed's workload (16000 training points, 5 layers of
// width 20). Compare runs with benchstat:
//
//	go test ./train -run '^$' -bench . -count 6 > new.txt

func benchTrainer(b *testing.B, g graph.Config) (*Trainer, data.Set) {
	b.Helper()
	cfg := Config{Graph: g, Seed: 1, Epochs: math.MaxInt32} // Step past Epochs is an error
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	for i := 0; i < 3; i++ { // first runs allocate the op buffers
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
	return tr, d
}

func benchStep(b *testing.B, g graph.Config) {
	tr, _ := benchTrainer(b, g)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStep32(b *testing.B) { benchStep(b, graph.Config{Dtype: tensor.Float32}) }
func BenchmarkStep64(b *testing.B) { benchStep(b, graph.Config{Dtype: tensor.Float64}) }
func BenchmarkStepStockOps32(b *testing.B) {
	benchStep(b, graph.Config{Dtype: tensor.Float32, StockOps: true})
}

// One op is the seed's 1000 predictive passes over the 4000 validation inputs.
func benchPredict(b *testing.B, workers int) {
	tr, d := benchTrainer(b, graph.Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Predict(tr.Net, d.Val.X, 1000, workers, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict1000Val1Worker(b *testing.B)  { benchPredict(b, 1) }
func BenchmarkPredict1000Val2Workers(b *testing.B) { benchPredict(b, 2) }

// One minibatch step of the paper's MNIST model (784-400-400-10, mixture
// prior, batches of 128): weight sampling, forward, backward, Adam, at one
// and two threads (OpenBLAS's and parallel's; what --threads sets). Its
// allocs/op are the per-step allocations.
//
//	go test -tags openblas ./train -run '^$' -bench MNISTStep -benchmem
func BenchmarkMNISTStep(b *testing.B) {
	d, err := data.LoadMNIST(data.MNISTConfig{Train: 128, Val: 1, TestRows: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer linalg.SetThreads(1)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			linalg.SetThreads(threads)
			c := Config{
				Graph: graph.Config{Task: graph.Classification, Classes: 10, Inputs: data.MNISTPixels, Layers: 3, Hidden: 400,
					Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)},
					Init:  graph.Init{WMuStd: 0.1, WRhoMean: -5, BRho: -5, Set: true}},
				LearningRate: 0.001, Seed: 1, Batch: Batch{Size: 128}, Epochs: math.MaxInt32,
			}
			tr, err := NewTrainer(c, d.Set)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { tr.Close() })
			for i := 0; i < 3; i++ {
				if _, err := tr.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
