package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/train"
)

// Read this build's report and PyTorch's (scripts/torch_bench.py writes
// the same keys), and print them as one table: each backend's seconds per
// epoch and per predictive pass, then the first's time over the other's.
func ExampleTable() {
	var bs []bench.Backend
	for _, file := range []string{"testdata/gpu.json", "testdata/torch.json"} {
		r, err := bench.Read(file)
		if err != nil {
			panic(err)
		}
		bs = append(bs, bench.Backend{Report: *r, File: file})
	}
	bs[0].File = "" // the first is this build's
	bench.Table(os.Stdout, bench.Label(bs))
	fmt.Println("figure:", bench.Figure(bs).EpochTitle)
	// Output:
	// backends (vs X: this build's seconds / X's seconds; under 1: this build is faster):
	//   bbb-gpu     gpu NVIDIA H200 (resident ops, float32) [this build]
	//   torch-cuda  cuda NVIDIA H200 (pytorch-eager, torch 2.11.0+cu130, cuBLAS (CUDA 13.0), float32) [testdata/torch.json]
	//
	//                                                    bbb-gpu           torch-cuda   vs torch-cuda
	// points  hidden  layers  madds/epoch    s/epoch      s/pass   s/epoch     s/pass   epoch    pass
	//  20000      20       5     5.92e+07   0.002682  0.00007581   0.01050  0.0002100   0.255   0.361
	//  20000     512       5     3.78e+10   0.002872   0.0002463   0.01120  0.0002500   0.256   0.985
	// figure: Training: seconds per epoch (16000 rows, 5 layers)
}

// Time one small size, as `bbb bench --hidden 8 --layers 2 --points 500`
// does, and write the row into a report. The times differ run to run; the
// size and the counts do not.
func ExampleMeasure() {
	cfg := bench.Config{
		Train:   train.Config{Graph: graph.Config{Hidden: 8, Layers: 2}, Data: data.CurveConfig{N: 500}, Seed: 1, Workers: 1},
		Steps:   6,   // timed steps at most (in chunks of 2 here: Steps/3)
		Warmup:  1,   // untimed first
		Passes:  5,   // predictive passes over the validation inputs
		Seconds: 0.5, // or fewer steps, once this long (at least 3 chunks)
	}
	row, err := bench.Measure(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	rep := bench.Report{Device: "cpu", Rows: []bench.Row{row}}
	fmt.Println("valid:", rep.Validate() == nil)
	fmt.Printf("points %d, hidden %d, layers %d: %.3g madds per epoch\n", row.Points, row.Hidden, row.Layers, row.MaddsPerEpoch)
	fmt.Printf("%d passes over %d inputs\n", row.PredictPasses, row.PredictInputs)
	// Output:
	// valid: true
	// points 500, hidden 8, layers 2: 1.6e+04 madds per epoch
	// 5 passes over 100 inputs
}

// Time two hidden widths at one size, as `bbb bench --hidden-sizes 4,8
// --layers 2 --points 300` does, and write bench.json. The times differ
// run to run; the sizes do not.
func ExampleSweep() {
	s := bench.Sweep{
		Config: bench.Config{Train: train.Config{Seed: 1, Workers: 1}, Steps: 3, Passes: 2, Seconds: 0.1},
		Points: []int{300}, Layers: []int{2}, Hidden: []int{4, 8},
	}
	fmt.Println("sizes:", s.Sizes())
	rows, err := s.Run(context.Background())
	if err != nil {
		panic(err)
	}
	rep := bench.Report{Device: "cpu", Rows: rows}
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := rep.Write(filepath.Join(dir, "bench.json")); err != nil {
		panic(err)
	}
	back, err := bench.Read(filepath.Join(dir, "bench.json"))
	if err != nil {
		panic(err)
	}
	for _, r := range back.Rows {
		fmt.Printf("points %d, hidden %d, layers %d: %d steps timed\n", r.Points, r.Hidden, r.Layers, r.Steps)
	}
	// Output:
	// sizes: [{300 2 4} {300 2 8}]
	// points 300, hidden 4, layers 2: 3 steps timed
	// points 300, hidden 8, layers 2: 3 steps timed
}
