package train

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
)

// Benchmarks on the seed's workload (16000 training points, 5 layers of
// width 20). Compare runs with benchstat:
//
//	go test ./train -run '^$' -bench . -count 6 > new.txt

func benchTrainer(b *testing.B, g graph.Config) (*Trainer, Data) {
	b.Helper()
	cfg := Config{Graph: g, Seed: 1}
	d, err := MakeData(cfg.Data, cfg.Seed)
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
