package train

import (
	"context"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
)

// The resident graph (the CUDA build's, here on the CPU): a checkpoint of
// its parameters, loaded into a fresh network, predicts what the trainer's
// network predicts (through the batched predictive graph, two inputs);
// resuming it is refused.
func TestResidentCheckpointPredicts(t *testing.T) {
	cfg := Config{Graph: graph.Config{Layers: 2, Hidden: 6, Inputs: 2, Dtype: tensor.Float32, Resident: true}, Epochs: 4, ReportEvery: 2, Seed: 3}
	var d data.Set
	for i := range 40 {
		s := &d.Train
		if i%5 == 0 {
			s = &d.Val
		}
		s.X = append(s.X, float64(i)/40, float64(i%3))
		s.Y = append(s.Y, float64(i)/20)
		s.Inputs = 2
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	f, err := tr.Checkpoint(ckptModel(2, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	var c modelfile.File
	c.Params = nil
	for _, p := range tr.Net.Learnables() {
		c.Params = append(c.Params, p.Name())
	}
	c.Arrays = f.Arrays
	net, err := graph.New(cfg.Graph, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetParams(net); err != nil {
		t.Fatal(err)
	}
	want, err := Predict(tr.Net, d.Val.X, 8, 1, 9)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Predict(net, d.Val.X, 8, 1, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Mean) != 8 || !slices.Equal(got.Mean, want.Mean) || !slices.Equal(got.Q95, want.Q95) {
		t.Errorf("loaded model predicts %v, trainer %v", got.Mean, want.Mean)
	}
	c.Adam = false
	again, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.Restore(&c); err == nil || !strings.Contains(err.Error(), "resident") {
		t.Errorf("resume of the resident graph: %v", err)
	}
}
