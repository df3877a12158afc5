package job

import (
	"testing"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// MNISTGraph makes any model description the MNIST classifier, keeping
// its sizes.
func TestMNISTGraph(t *testing.T) {
	g := MNISTGraph(graph.Config{Layers: 3, Hidden: 7})
	if g.Task != graph.Classification || g.Classes != 10 || g.Inputs != 784 || g.Init != MNISTInit || g.Layers != 3 || g.Hidden != 7 {
		t.Errorf("%+v", g)
	}
	if err := g.WithDefaults().Validate(); err != nil {
		t.Error(err)
	}
}

// CheckMNISTModel passes MNIST classifiers only, and says what else it got.
func TestCheckMNISTModel(t *testing.T) {
	if err := CheckMNISTModel(modelfile.Network{Task: "classification", Classes: 10, Inputs: 784}); err != nil {
		t.Errorf("an MNIST classifier: %v", err)
	}
	for _, tc := range []struct {
		m    modelfile.Network
		want string
	}{
		{modelfile.Network{Inputs: 1}, "a model of 1 inputs and 1 outputs (a regression model)"},
		{modelfile.Network{Task: "classification", Classes: 3, Inputs: 784}, "a model of 784 inputs and 3 outputs (task classification)"},
		{modelfile.Network{Task: "classification", Classes: 10, Inputs: 4}, "a model of 4 inputs and 10 outputs (task classification)"},
	} {
		if err := CheckMNISTModel(tc.m); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.m, err, tc.want)
		}
	}
}

// Weights counts the weight matrices' entries; CheckPruneShare refuses a
// share that removes none or all of them.
func TestCheckPruneShare(t *testing.T) {
	net, err := graph.New(graph.Config{Layers: 2, Hidden: 4, Inputs: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := Weights(net); n != 3*4+4*1 {
		t.Fatalf("%d weights, want 16", n)
	}
	for share, want := range map[float64]string{
		0: "", 0.5: "", 0.9: "",
		0.01: "of the model's 16 weights that removes 0; want a share that removes some and keeps some",
		0.99: "of the model's 16 weights that removes 16; want a share that removes some and keeps some",
	} {
		err := CheckPruneShare(net, share)
		if (err == nil && want != "") || (err != nil && err.Error() != want) {
			t.Errorf("share %v: %v, want %q", share, err, want)
		}
	}
}

// MNISTMemorySizes holds every image and sizes the estimate by the
// network's width, depth and value size; the paper's 400-unit model is
// well within a laptop's memory.
func TestMNISTMemorySizes(t *testing.T) {
	s := MNISTMemorySizes(400, 3, 4)
	if s.Points != 70000 || s.Inputs != 784 || s.Hidden != 400 || s.Layers != 3 || s.DtypeBytes != 4 {
		t.Errorf("%+v", s)
	}
	small, _ := memory.Estimate(s)
	big, _ := memory.Estimate(MNISTMemorySizes(400, 3, 8))
	if !(small > 0 && big > small && small < 4<<30) {
		t.Errorf("estimates: float32 %v, float64 %v bytes", small, big)
	}
}
