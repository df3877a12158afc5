package bench

import (
	"slices"
	"testing"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// A report records the model its steps computed (ModelOf), and the
// table's backend line names what differs from the seed's step, so that
// two models' timings are not read as two backends' at one workload.
func TestModelOf(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   train.Config
		want  Model
		named []string
	}{
		{"the seed's step", train.Config{}, Model{Prior: "normal:0,1", KL: "mc", Likelihood: "fixed", Estimator: "reparam", MCSamples: 1}, nil},
		{"mixture, minibatches",
			train.Config{Graph: graph.Config{Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.25}}, Batch: train.Batch{Size: 64}},
			Model{Prior: "mixture:0.5,1,0.25", KL: "mc", Likelihood: "fixed", Estimator: "reparam", BatchSize: 64, MCSamples: 1},
			[]string{"mixture:0.5,1,0.25 prior", "64-row minibatches"}},
		{"local, learned, draws",
			train.Config{Graph: graph.Config{KL: graph.KLClosed, Estimator: graph.LocalReparam, Likelihood: graph.LikLearned{}}, MCSamples: 4},
			Model{Prior: "normal:0,1", KL: "closed", Likelihood: "learned", Estimator: "local", MCSamples: 4},
			[]string{"closed KL", "learned likelihood", "local reparameterisation", "4 draws a step"}},
	} {
		m := ModelOf(c.cfg)
		if *m != c.want {
			t.Errorf("%s: ModelOf %+v, want %+v", c.name, *m, c.want)
		}
		if got := m.differences(); !slices.Equal(got, c.named) {
			t.Errorf("%s: differences %q, want %q", c.name, got, c.named)
		}
	}
	b := Backend{Report: Report{Device: "cpu", GEMM: "openblas", Ops: "fused", Dtype: "float32", Model: &Model{Prior: "normal:0,1", KL: "mc", Likelihood: "hetero", Estimator: "reparam", MCSamples: 1}}}
	if got, want := b.Details(), "openblas, fused ops, float32, hetero likelihood"; got != want {
		t.Errorf("Details %q, want %q", got, want)
	}
	b.Model = nil // a file of another tool, or from before the key
	if got, want := b.Details(), "openblas, fused ops, float32"; got != want {
		t.Errorf("Details without a model %q, want %q", got, want)
	}
}
