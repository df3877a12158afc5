package job

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
)

// Config carries the counts; a folder without the idx files is refused
// by CheckFiles and Load as a setting of Dir.
func TestMNISTSettingsFiles(t *testing.T) {
	dir := t.TempDir()
	s := MNISTSettings{Dir: dir, MNISTTest: 7}
	tr := MNISTTraining{MNISTTrain: 5, MNISTVal: 6}
	if c := s.Config(tr); c.Dir != dir || c.Train != 5 || c.Val != 6 || c.TestRows != 7 {
		t.Errorf("config %+v", c)
	}
	want := "<Dir> " + strconv.Quote(dir) + ": "
	if got := settingText(t, s.CheckFiles()); !strings.HasPrefix(got, want) || !strings.Contains(got, "train-images-idx3-ubyte.gz") {
		t.Errorf("CheckFiles: %s", got)
	}
	if _, err := s.Load(tr); !strings.HasPrefix(settingText(t, err), want) {
		t.Errorf("Load: %s", settingText(t, err))
	}
}

// CheckPrune and CheckFrom refuse a share out of range, pruning with the
// local reparameterisation, a model that is no MNIST classifier and one
// of another shape, each by its setting.
func TestMNISTTrainingCheckFrom(t *testing.T) {
	for _, c := range []struct {
		tr    MNISTTraining
		local bool
		want  string
	}{
		{MNISTTraining{Prune: 0.5, From: "m.npz"}, false, ""},
		{MNISTTraining{Prune: 1}, false, "<Prune> 1: want a share of the weights, 0 < share < 1"},
		{MNISTTraining{Prune: -0.1, From: "m.npz"}, true, "<Prune> -0.1: want a share of the weights, 0 < share < 1"},
		{MNISTTraining{Prune: 0.5, From: "m.npz"}, true, "<Prune>: not with <LocalReparam> (it draws no weights to hold at zero)"},
		{MNISTTraining{Prune: 0.5}, true, ""}, // (--prune without --from: the CLI's flag rules)
		{MNISTTraining{From: "m.npz"}, true, ""},
	} {
		if got := settingText(t, c.tr.CheckPrune(c.local)); got != c.want {
			t.Errorf("%+v local %v: got %q, want %q", c.tr, c.local, got, c.want)
		}
	}
	g := MNISTGraph(graph.Config{Layers: 2, Hidden: 4})
	tr := MNISTTraining{From: "m.npz", Prune: 0.5}
	regression := &modelfile.File{Model: modelfile.Model{Network: modelfile.Network{Inputs: 3}}}
	if got := settingText(t, tr.CheckFrom(regression, g)); got != "<From> m.npz: a model of 3 inputs and 1 outputs (a regression model); --preset mnist needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)" {
		t.Errorf("a regression model: %s", got)
	}
	empty := &modelfile.File{Model: modelfile.Model{Network: modelfile.Network{Inputs: 784, Classes: 10, Task: "classification"}}}
	if got := settingText(t, tr.CheckFrom(empty, g)); !strings.HasPrefix(got, "<From> m.npz: not a model of <Layers> 2 <Hidden> 4: ") {
		t.Errorf("a classifier without parameters: %s", got)
	}
}

// CheckFrom takes an MNIST classifier of the network's shape, and refuses
// a share of its weights that removes none or all of them.
func TestMNISTTrainingCheckFromShare(t *testing.T) {
	g := MNISTGraph(graph.Config{Layers: 2, Hidden: 1}) // 784·1 + 1·10 = 794 weights
	net, err := graph.New(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := &modelfile.File{Model: modelfile.Model{Network: modelfile.Network{Inputs: 784, Classes: 10, Task: "classification"}}, Arrays: map[string]modelfile.Array{}}
	for _, p := range net.Learnables() {
		shape := []int(p.Shape())
		n := 1
		for _, d := range shape {
			n *= d
		}
		c.Params = append(c.Params, p.Name())
		c.Arrays[p.Name()] = modelfile.Array{Shape: shape, Data: make([]float64, n)}
	}
	for share, want := range map[float64]string{
		0.5:    "",
		0:      "",
		0.0001: "<Prune> 0.0001: of the model's 794 weights that removes 0; want a share that removes some and keeps some",
	} {
		if got := settingText(t, MNISTTraining{From: "m.npz", Prune: share}.CheckFrom(c, g)); got != want {
			t.Errorf("share %v: got %q, want %q", share, got, want)
		}
	}
}
