package job_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/train"
)

// A tiny regression job on the seed's curve: 60 points, a network of two
// layers of 8 units, 40 epochs and 20 predictive passes, written into a
// temporary folder (bbb train writes into a staged run folder and swaps
// it in for --out).
func ExampleRegression() {
	dir, err := os.MkdirTemp("", "job")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	j := job.Regression{
		Train: train.Config{
			Graph:  graph.Config{Layers: 2, Hidden: 8},
			Data:   data.CurveConfig{N: 60},
			Epochs: 40, ReportEvery: 20, Samples: 20, Seed: 1,
		},
		Outputs: job.Outputs{Format: "svg"},
	}
	s, err := j.Run(context.Background(), dir, nil) // nil: no progress lines
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d epochs, %d training and %d validation points, %d predictive passes\n", s.Epochs, s.TrainPoints, s.ValPoints, s.Samples)
	files, err := os.ReadDir(dir)
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// 40 epochs, 48 training and 12 validation points, 20 predictive passes
	// band_train.svg
	// band_val.svg
	// calibration.svg
	// data.svg
	// graph.dot
	// layers.csv
	// losses.csv
	// losses.svg
	// pred_val.csv
	// summary.json
}
