package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/nodes"
)

// classNet is a small classifier with one-hot targets (row r: class r mod k).
func classNet(t *testing.T, cfg Config, rows int) *Network {
	t.Helper()
	cfg.Task = Classification
	n := smallNet(t, cfg, rows, 17)
	k := n.Config.Classes
	y := make([]float64, rows*k)
	for r := 0; r < rows; r++ {
		y[r*k+r%k] = 1
	}
	if err := SetValues(n.Y, y); err != nil {
		t.Fatal(err)
	}
	return n
}

// The classifier's negative ELBO gradient against finite differences, for
// the paper's MNIST model (mixture prior, minibatch KL weight) and the
// local reparameterisation.
func TestClassifierLossGradient(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"normal", Config{Classes: 3}},
		{"mixture-klweight", Config{Classes: 4, Inputs: 2, Prior: paperMixture, KLWeightInput: true}},
		{"local-closed", Config{Classes: 3, KL: KLClosed, Estimator: LocalReparam}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			c.Layers, c.Hidden = 3, 4
			fdCheck(t, classNet(t, c, 7))
		})
	}
}

// NLL is −Σ_r log softmax(Output_r)[label_r], computed here from the
// graph's own logits, and the last layer has Classes outputs.
func TestClassifierNLL(t *testing.T) {
	n := classNet(t, Config{Layers: 2, Hidden: 5, Classes: 3}, 6)
	var out, nll G.Value
	G.Read(n.Output, &out)
	G.Read(n.NLL, &nll)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if s := n.Output.Shape(); s[0] != 6 || s[1] != 3 {
		t.Fatalf("output shape %v, want (6, 3)", s)
	}
	z, err := ValueFloats(out)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for r := 0; r < 6; r++ {
		row := z[3*r : 3*r+3]
		want -= row[r%3] - math.Log(math.Exp(row[0])+math.Exp(row[1])+math.Exp(row[2]))
	}
	got, err := Scalar(nll)
	if err != nil {
		t.Fatal(err)
	}
	if !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
		t.Errorf("NLL %v, want %v", got, want)
	}
}

func TestClassifierValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Task: Classification, Classes: 1}, "classes 1"},
		{Config{Task: Classification}, "classes 0"},
		{Config{Task: Classification, Classes: 3, Outputs: 2}, "outputs 2"},
		{Config{Task: Classification, Classes: 3, Likelihood: LikLearned{}}, "likelihood learned"},
		{Config{Classes: 3}, "only for the classification task"},
		{Config{Task: 9}, "task"},
	} {
		err := tc.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line naming %q", tc.cfg, err, tc.want)
		}
	}
	c := Config{Task: Classification, Classes: 10, Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.01}}.WithDefaults()
	if err := c.Validate(); err != nil || c.Outputs != 10 {
		t.Errorf("10-class config: outputs %d, %v", c.Outputs, err)
	}
	if Classification.String() != "classification" || Regression.String() != "regression" || !strings.Contains(Task(5).String(), "5") {
		t.Error("Task.String")
	}
}
