package job

import (
	"fmt"
	"math"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// MNISTInit starts the means at N(0, 0.1²) and every sigma at
// softplus(-5) = 0.0067: graph.Config's default init (means 0.001, sigma
// 0.08) leaves 784 inputs' worth of noise on each first-layer unit.
var MNISTInit = graph.Init{WMuStd: 0.1, WRhoMean: -5, BRho: -5, Set: true}

// MNISTGraph is g as the MNIST classifier of Classification and Prune:
// a classification task of data.MNISTPixels inputs and data.MNISTClasses
// classes, started at MNISTInit. g's other fields (layers, width, prior,
// ...) are kept.
func MNISTGraph(g graph.Config) graph.Config {
	g.Task, g.Classes, g.Inputs, g.Init = graph.Classification, data.MNISTClasses, data.MNISTPixels, MNISTInit
	return g
}

// MNISTImages is the number of MNIST's images, training, validation and
// test, all of which a classification run holds in memory.
const MNISTImages = 70000

// MNISTMemorySizes is the classifier's memory in memory.Estimate's terms
// (for memory.Check before a Classification runs): MNISTImages images of
// data.MNISTPixels inputs, and layers hidden layers of width hidden of
// values of dtypeBytes bytes (4: float32, 8: float64).
func MNISTMemorySizes(hidden, layers, dtypeBytes int) memory.Sizes {
	return memory.Sizes{Points: MNISTImages, Hidden: hidden, Layers: layers, Samples: 2, Workers: 1, Inputs: data.MNISTPixels, DtypeBytes: dtypeBytes}
}

// CheckMNISTModel refuses a saved model that is not a classifier of
// MNIST's 784 inputs and 10 classes (a regression model, say), before its
// parameters are read into a network. The error says what the model is
// ("a model of 1 inputs and 1 outputs (a regression model)"), for the
// caller to name the file.
func CheckMNISTModel(m modelfile.Network) error {
	if m.Task == graph.Classification.String() && m.Classes == data.MNISTClasses && m.Inputs == data.MNISTPixels {
		return nil
	}
	task := "task " + m.Task
	if m.Task == "" {
		task = "a regression model"
	}
	return fmt.Errorf("a model of %d inputs and %d outputs (%s)", m.Inputs, max(m.Classes, 1), task)
}

// Weights is the number of net's weights (its layers' weight matrices,
// not the biases): the count a pruned share is of.
func Weights(net *graph.Network) int {
	nw := 0
	for _, l := range net.Layers {
		nw += l.WMu.Shape().TotalSize()
	}
	return nw
}

// CheckPruneShare refuses a share of net's weights (Classification.Prune)
// that removes none of them or all: "of the model's N weights that
// removes K; ...". A share of 0 (no pruning) passes.
func CheckPruneShare(net *graph.Network, share float64) error {
	nw := Weights(net)
	if k := int(math.Round(share * float64(nw))); share > 0 && (k == 0 || k == nw) {
		return fmt.Errorf("of the model's %d weights that removes %d; want a share that removes some and keeps some", nw, k)
	}
	return nil
}
