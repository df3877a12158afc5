package train

import (
	"context"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// A resident run with the closed-form KL, and one with local
// reparameterisation too, trains (the loss falls), reports, and predicts:
// the local one by resident forward passes (NewPredictive samples weights,
// which local reparameterisation does not draw).
func TestResidentClosedKLAndLocalTrain(t *testing.T) {
	for _, est := range []graph.Estimator{graph.Reparam, graph.LocalReparam} {
		cfg := smallConfig(tensor.Float32)
		cfg.Graph.Resident = true
		cfg.Graph.KL, cfg.Graph.Estimator = graph.KLClosed, est
		d, err := data.MakeCurve(cfg.Data, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		reports, err := tr.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		first, last := mean(tr.TrainLosses[:10]), mean(tr.TrainLosses[len(tr.TrainLosses)-10:])
		if !(last < 0.75*first) {
			t.Errorf("%v: training loss per point: first 10 epochs %v, last 10 %v", est, first, last)
		}
		if len(reports) != 3 || !(reports[2].ValLoss < reports[0].ValLoss) {
			t.Errorf("%v: reports %+v", est, reports)
		}
		b, err := Predict(tr.Net, d.Val.X, 20, 2, cfg.Seed)
		if err != nil {
			t.Fatalf("%v: %v", est, err)
		}
		for i := range b.Mean {
			if !(b.Q05[i] <= b.Mean[i] && b.Mean[i] <= b.Q95[i]) || b.Q05[i] == b.Q95[i] {
				t.Fatalf("%v: input %d: band %v %v %v", est, i, b.Q05[i], b.Mean[i], b.Q95[i])
			}
		}
	}
}
