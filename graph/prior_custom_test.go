package graph_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// nil and the seed's N(0, 1) build the same graph, whatever the options.
func TestNilPriorIsTheSeeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  graph.Config
	}{
		{"default", graph.Config{}},
		{"kl-closed", graph.Config{KL: graph.KLClosed}},
		{"learned", graph.Config{Likelihood: graph.LikLearned{}}},
		{"stock-float64", graph.Config{StockOps: true, Dtype: tensor.Float64}},
		{"resident", graph.Config{Resident: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dot := func(p nodes.Prior) string {
				c := tc.cfg
				c.Prior = p
				n, err := graph.New(c, 7)
				if err != nil {
					t.Fatal(err)
				}
				if got := n.Config.WeightPrior(); got != (nodes.Normal{Mu: 0, Sigma: 1}) {
					t.Errorf("prior %v: WeightPrior %v, want normal:0,1", p, got)
				}
				return n.DOT()
			}
			if a, b := dot(nil), dot(nodes.Normal{Mu: 0, Sigma: 1}); a != b {
				t.Errorf("Prior nil and N(0, 1) build different graphs:\n%s\n---\n%s", a, b)
			}
		})
	}
}

// A prior this project does not define builds, passes the gradient check,
// trains with a finite loss and gets a finite Monte-Carlo KL per layer.
func TestCustomPrior(t *testing.T) {
	p := laplace{Mu: 0.1, B: 0.5}
	for _, lik := range []graph.Likelihood{graph.LikFixed{}, graph.LikLearned{}} {
		graph.FDCheck(t, graph.SmallNet(t, graph.Config{Layers: 3, Hidden: 4, LikelihoodSigma: 0.5, Likelihood: lik, Prior: p}, 13, 5))
	}
	graph.FDCheck(t, graph.SmallNet(t, graph.Config{Layers: 2, Hidden: 3, LikelihoodSigma: 0.5, StockOps: true, NBatch: 3, Prior: p}, 9, 6))

	tr := trainFinite(t, graph.Config{Layers: 2, Hidden: 6, Prior: p})
	st, err := train.LayerStats(tr.Net, len(tr.TrainLosses))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if math.IsNaN(s.KL) || math.IsInf(s.KL, 0) || s.KL == 0 {
			t.Errorf("layer %d: KL %v: want a finite estimate", s.Layer, s.KL)
		}
	}
}

// A prior that cannot give a density is an error before any graph is
// built: an invalid value, a nil pointer in the interface, a prior the
// resident graph lacks.
func TestBadPrior(t *testing.T) {
	for _, tc := range []struct {
		cfg  graph.Config
		want string
	}{
		{graph.Config{Prior: laplace{B: -1}}, "laplace"},
		{graph.Config{Prior: laplace{B: math.NaN()}}, "laplace"},
		{graph.Config{Prior: (*laplace)(nil)}, "graph: prior *graph_test.laplace: a nil value"},
		{graph.Config{Prior: nodes.Normal{Sigma: math.Inf(1)}}, "Normal"},
		{graph.Config{Prior: laplace{B: 1}, KL: graph.KLClosed}, "no closed-form KL"},
		{graph.Config{Prior: laplace{B: 1}, Resident: true}, "graph: prior laplace:0,1: the resident (GPU) graph supports only the normal and mixture priors"},
	} {
		err := tc.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.want)
		}
		if _, err := graph.New(tc.cfg, 3); err == nil {
			t.Errorf("New(%+v): want an error", tc.cfg)
		}
	}
}

// trainFinite trains g for 5 epochs on 60 points of the seed's curve and
// fails t unless every loss is finite.
func trainFinite(t *testing.T, g graph.Config) *train.Trainer {
	t.Helper()
	cfg := train.Config{Graph: g, Data: data.CurveConfig{N: 60}, Epochs: 5, LearningRate: 0.01, ReportEvery: 5, Seed: 3, Workers: 1}
	set, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 || len(tr.TrainLosses) != cfg.Epochs {
		t.Fatalf("%d reports, %d losses", len(reports), len(tr.TrainLosses))
	}
	for _, l := range append(tr.TrainLosses, reports[0].ValLoss) {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			t.Fatalf("loss %v: want finite", l)
		}
	}
	return tr
}
