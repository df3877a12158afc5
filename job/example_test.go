package job_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/modelfile"
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

// Predictions of a saved model at new inputs, as bbb predict makes them:
// train and save a tiny model, rebuild its network from the file, and
// sample it at three inputs with the default quantiles.
func ExamplePredict() {
	dir, err := os.MkdirTemp("", "job")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "m.npz")
	cfg := train.Config{Graph: graph.Config{Layers: 2, Hidden: 8}, Data: data.CurveConfig{N: 60}, Epochs: 40, ReportEvery: 20, Samples: 20, Seed: 1}
	reg := job.Regression{Train: cfg, Outputs: job.Outputs{NoFigures: true, Save: model}}
	if _, err := reg.Run(context.Background(), dir, nil); err != nil {
		panic(err)
	}

	c, err := modelfile.Read(model)
	if err != nil {
		panic(err)
	}
	g, err := c.Config(0) // the network the file records, checked against its parameters
	if err != nil {
		panic(err)
	}
	net, err := graph.New(g, 1)
	if err != nil {
		panic(err)
	}
	if err := c.SetParams(net); err != nil {
		panic(err)
	}
	p, err := job.Predict{Net: net, Scaler: c.Model.Scaler, XNames: c.Model.XNames, X: []float64{-0.2, 0, 0.2}, Samples: 100, Seed: c.Model.Seed}.Run(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	var csv strings.Builder
	if err := p.WriteCSV(&csv); err != nil {
		panic(err)
	}
	lines := strings.Split(csv.String(), "\n")
	fmt.Printf("%d rows of %d passes\n%s\n", p.Rows(), 100, lines[0])
	for i := range p.Rows() {
		fmt.Printf("x = %4.1f: the 90 %% band holds the mean: %v\n", p.X[i], p.Bands.Q[0][i] <= p.Bands.Mean[i] && p.Bands.Mean[i] <= p.Bands.Q[2][i])
	}
	// Output:
	// 3 rows of 100 passes
	// x,mean,std_epistemic,std_total,q0.05,q0.5,q0.95
	// x = -0.2: the 90 % band holds the mean: true
	// x =  0.0: the 90 % band holds the mean: true
	// x =  0.2: the 90 % band holds the mean: true
}

// The paper's pruning experiment on a toy classifier: two classes of
// points on either side of 0, a network of one hidden layer of 8 units
// (8 + 16 = 24 weights), and the test error with half and then 3/4 of
// the weights removed, those of lowest |mu|/sigma (rows[i].Scores).
func ExamplePrune() {
	dir, err := os.MkdirTemp("", "job")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	points := func(n int) data.Split { // x, then its label one-hot: x < 0 or x >= 0
		s := data.Split{Inputs: 1}
		for i := range n {
			x := float64(i)/float64(n) - 0.5
			s.X = append(s.X, x)
			if x < 0 {
				s.Y = append(s.Y, 1, 0)
			} else {
				s.Y = append(s.Y, 0, 1)
			}
		}
		return s
	}
	set := data.ClassData{Set: data.Set{Train: points(40), Val: points(10)}, Test: points(20), Classes: 2}
	cls := job.Classification{
		Train: train.Config{Graph: graph.Config{Task: graph.Classification, Classes: 2, Inputs: 1, Layers: 2, Hidden: 8},
			Epochs: 2, ReportEvery: 1, Samples: 1, Seed: 1},
		Data: set, Outputs: job.Outputs{NoFigures: true},
	}
	model := filepath.Join(dir, "c.npz")
	cls.Save = model
	if _, err := cls.Run(context.Background(), dir, nil); err != nil {
		panic(err)
	}

	c, err := modelfile.Read(model)
	if err != nil {
		panic(err)
	}
	net, err := graph.New(cls.Train.WithDefaults().Graph, 1) // the network the model was trained as
	if err != nil {
		panic(err)
	}
	if err := c.SetParams(net); err != nil {
		panic(err)
	}

	out := filepath.Join(dir, "prune")
	if err := os.Mkdir(out, 0o755); err != nil {
		panic(err)
	}
	rows, err := job.Prune{Net: net, Data: set, Fractions: []float64{0.5, 0.75}, Samples: 10, Format: "svg"}.Run(context.Background(), out, nil)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Printf("%.2f removed: %2d weights\n", r.Fraction, r.Removed)
	}
	files, err := os.ReadDir(out)
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// 0.00 removed:  0 weights
	// 0.50 removed: 12 weights
	// 0.75 removed: 18 weights
	// prune.csv
	// prune_error.svg
	// snr.svg
}

// Check a saved model before building the MNIST classifier it should be:
// a regression model is refused with what it is.
func ExampleCheckMNISTModel() {
	for _, m := range []modelfile.Network{
		{Task: "classification", Inputs: 784, Classes: 10},
		{Inputs: 1},
	} {
		fmt.Println(job.CheckMNISTModel(m))
	}
	g := job.MNISTGraph(graph.Config{Layers: 3, Hidden: 400})
	fmt.Println(g.Task, g.Inputs, g.Classes, g.Layers, g.Hidden)
	// Output:
	// <nil>
	// a model of 1 inputs and 1 outputs (a regression model)
	// classification 784 10 3 400
}
