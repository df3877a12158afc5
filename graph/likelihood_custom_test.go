package graph_test

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
)

// nil and LikFixed build the same graph, whatever the options.
func TestNilLikelihoodIsTheSeeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  graph.Config
	}{
		{"default", graph.Config{}},
		{"stock-float64", graph.Config{StockOps: true, Dtype: tensor.Float64}},
		{"local-reparam", graph.Config{Estimator: graph.LocalReparam, KL: graph.KLClosed}},
		{"resident", graph.Config{Resident: true}},
		{"classification", graph.Config{Task: graph.Classification, Classes: 3, Outputs: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dot := func(l graph.Likelihood) string {
				c := tc.cfg
				c.Likelihood = l
				n, err := graph.New(c, 7)
				if err != nil {
					t.Fatal(err)
				}
				if got := n.Config.Lik(); got != (graph.LikFixed{}) {
					t.Errorf("likelihood %v: Lik %v, want fixed", l, got)
				}
				if n.Config.Likelihood != (graph.LikFixed{}) || len(n.LikLearnables()) != 0 {
					t.Errorf("likelihood %v: Config.Likelihood %v, %d learnables", l, n.Config.Likelihood, len(n.LikLearnables()))
				}
				return n.DOT()
			}
			if a, b := dot(nil), dot(graph.LikFixed{}); a != b {
				t.Errorf("Likelihood nil and LikFixed build different graphs:\n%s\n---\n%s", a, b)
			}
		})
	}
}

// A likelihood this project does not define builds, passes the gradient
// check, computes the log-density it says, and trains with a finite loss.
func TestCustomLikelihood(t *testing.T) {
	l := studentT{Nu: 3, S: 0.7}
	for _, c := range []graph.Config{
		{Layers: 3, Hidden: 4, Likelihood: l},
		{Layers: 2, Hidden: 3, StockOps: true, NBatch: 3, Likelihood: l},
		{Layers: 2, Hidden: 3, Estimator: graph.LocalReparam, KL: graph.KLClosed, KLWeightInput: true, Likelihood: l},
		{Layers: 2, Hidden: 3, Outputs: 2, Likelihood: l},
	} {
		graph.FDCheck(t, graph.SmallNet(t, c, 11, 4))
	}

	// The NLL node is minus the sum of the t's log-densities at the output.
	n := graph.SmallNet(t, graph.Config{Layers: 2, Hidden: 3, Outputs: 2, Likelihood: l}, 5, 9)
	var nll, out G.Value
	G.Read(n.NLL, &nll)
	G.Read(n.Output, &out)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, err := graph.Scalar(nll)
	if err != nil {
		t.Fatal(err)
	}
	mu, y := out.Data().([]float64), n.Y.Value().Data().([]float64)
	a, _ := math.Lgamma((l.Nu + 1) / 2)
	b, _ := math.Lgamma(l.Nu / 2)
	want := 0.0
	for i := range y {
		z := (y[i] - mu[i]) / l.S
		want -= a - b - math.Log(l.S*math.Sqrt(l.Nu*math.Pi)) - (l.Nu+1)/2*math.Log(1+z*z/l.Nu)
	}
	if len(y) != 10 || math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Errorf("NLL %v over %d targets, want %v", got, len(y), want)
	}
	if z, err := n.Noise(); err != nil || z.Kind != l || z.Width() != 1 || math.Abs(z.Sigma-0.7*math.Sqrt(3)) > 1e-12 {
		t.Errorf("Noise() = %+v, %v", z, err)
	}
	if lp, err := graph.LikParams(n.Config); err != nil || len(lp) != 0 || len(n.Learnables()) != 8 {
		t.Errorf("LikParams %v, %v; %d learnables, want the layers' 8", lp, err, len(n.Learnables()))
	}

	trainFinite(t, graph.Config{Layers: 2, Hidden: 6, Likelihood: l})
}

// noOutputs reads no network output: an error, not an empty layer.
type noOutputs struct{ studentT }

func (noOutputs) Outputs() int { return 0 }

// A likelihood that cannot give a density is an error before any graph is
// built: an invalid value, a nil pointer in the interface, a likelihood the
// resident graph or a classifier lacks, an unknown flag name.
func TestBadLikelihood(t *testing.T) {
	for _, tc := range []struct {
		cfg  graph.Config
		want string
	}{
		{graph.Config{Likelihood: studentT{Nu: -1, S: 1}}, "studentT{Nu: -1, S: 1}"},
		{graph.Config{Likelihood: studentT{Nu: 3, S: math.NaN()}}, "studentT"},
		{graph.Config{Likelihood: studentT{Nu: math.Inf(1), S: 1}}, "studentT"},
		{graph.Config{Likelihood: (*studentT)(nil)}, "graph: likelihood *graph_test.studentT: a nil value"},
		{graph.Config{Likelihood: noOutputs{studentT{Nu: 3, S: 1}}}, "graph: likelihood student-t:3,1: 0 outputs per target: need at least 1"},
		{graph.Config{Likelihood: studentT{Nu: 3, S: 1}, Resident: true}, "graph: likelihood student-t:3,1: no resident form (a graph.ResidentLikelihood): the resident (GPU) graph cannot run it"},
		{graph.Config{Likelihood: studentT{Nu: 3, S: 1}, Task: graph.Classification, Classes: 2, Outputs: 2}, "graph: likelihood student-t:3,1: a classifier's likelihood is the categorical one"},
	} {
		err := tc.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.cfg.Likelihood, err, tc.want)
		}
		if _, err := graph.New(tc.cfg, 3); err == nil {
			t.Errorf("New(%v): want an error", tc.cfg.Likelihood)
		}
	}
	for _, s := range []string{"", "Fixed", "student-t", "gaussian", "hetero "} {
		l, err := graph.ParseLikelihood(s)
		if l != nil || err == nil || err.Error() != `graph: likelihood "`+s+`": want fixed, learned or hetero` {
			t.Errorf("ParseLikelihood(%q) = %v, %v: want an error", s, l, err)
		}
	}
}
