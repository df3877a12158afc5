package train

import (
	"context"
	"math"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/nodes"
)

// One epoch on 2000 MNIST images with the paper's model (smaller hidden
// layers): the validation loss and error fall from their initial values.
func TestMNISTOneEpochLowersLoss(t *testing.T) {
	d, err := data.LoadMNIST(data.MNISTConfig{Train: 2000, Val: 500, TestRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := Config{
		Graph: graph.Config{Task: graph.Classification, Classes: 10, Inputs: data.MNISTPixels, Layers: 3, Hidden: 100,
			Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)},
			Init:  graph.Init{WMuStd: 0.1, WRhoMean: -5, BRho: -5, Set: true}},
		Epochs: 1, LearningRate: 0.001, ReportEvery: 1, Samples: 2, Seed: 1, Batch: Batch{Size: 128},
	}
	tr, err := NewTrainer(c, d.Set)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	cl, err := NewClassifier(tr.Net, d.Val.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	score := func() (float64, metrics.ClassScores) {
		loss, err := tr.Val.Loss(tr.Net)
		if err != nil {
			t.Fatal(err)
		}
		mean, first, err := cl.Probs(tr.Net, d.Val.X, 2, 7)
		if err != nil {
			t.Fatal(err)
		}
		s, err := metrics.ScoreClasses(mean, first, data.Labels(d.Val, 10), 10)
		if err != nil {
			t.Fatal(err)
		}
		return loss, s
	}
	loss0, s0 := score()
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	loss1, s1 := score()
	if !(loss1 < loss0) || !(s1.NLL < s0.NLL) || !(s1.Error < 0.5*s0.Error) {
		t.Errorf("validation loss %v -> %v, NLL %v -> %v, error %v -> %v: want each lower (error halved)",
			loss0, loss1, s0.NLL, s1.NLL, s0.Error, s1.Error)
	}
}
