package train_test

import (
	"context"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// Train a small Bayes-by-Backprop network on the seed's curve, then draw
// its predictive band at three inputs and score it on the held-out points.
// (The seed's own job is train.Config{}: 20000 points, 5000 epochs.)
func Example() {
	cfg := train.Config{
		Graph: graph.Config{
			Layers: 3,                             // 1-20-20-1
			Dtype:  tensor.Float64,                // float64: the same digits from every BLAS
			Prior:  nodes.Normal{Mu: 0, Sigma: 1}, // the weights' prior N(0, 1)
		},
		Data:         data.CurveConfig{N: 500}, // 400 training, 100 validation points
		Epochs:       800,
		LearningRate: 0.03,
		ReportEvery:  400,
		Seed:         1, // fixes the data, the initial weights and every epsilon
		Workers:      1,
	}
	set, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		panic(err)
	}
	tr, err := train.NewTrainer(cfg, set)
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	reports, err := tr.Run(context.Background(), nil) // nil: no progress callback
	if err != nil {
		panic(err)
	}
	first, last := reports[0], reports[len(reports)-1]
	fmt.Printf("loss per point: epoch %d %.1f, epoch %d %.1f\n", first.Epoch, first.TrainLoss, last.Epoch, last.TrainLoss)

	// 100 stochastic passes (weight draws) at x = -2, 0, 2.
	bands, err := train.Predict(tr.Net, []float64{-2, 0, 2}, 100, 1, 7)
	if err != nil {
		panic(err)
	}
	for i, x := range []float64{-2, 0, 2} {
		fmt.Printf("x=%+.0f: mean %5.2f, 90%% band [%5.2f, %5.2f], true curve %5.2f\n", x, bands.Mean[i], bands.Q05[i], bands.Q95[i], data.Curve(x))
	}

	// The band on the validation split, scored against its noisy targets.
	val, err := train.Predict(tr.Net, set.Val.X, 100, 1, 7)
	if err != nil {
		panic(err)
	}
	m := metrics.ScoreBand(val.Mean, val.Q05, val.Q95, set.Val.Y, set.Val.YTrue)
	fmt.Printf("validation: RMSE %.2f against the targets, %.2f against the curve\n", m.RMSENoisy, m.RMSETrue)
	// Output:
	// loss per point: epoch 400 194.3, epoch 800 144.1
	// x=-2: mean -1.52, 90% band [-2.51, -0.57], true curve -1.60
	// x=+0: mean -0.42, 90% band [-0.99,  0.22], true curve  0.00
	// x=+2: mean  1.13, 90% band [ 0.33,  2.15], true curve  1.60
	// validation: RMSE 1.62 against the targets, 0.70 against the curve
}
