package train

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// Per-layer KL: the closed form for the Normal prior (summed over layers it
// is the KL node of a KLClosed graph); the mixture's estimate is near the
// exact expectation by quadrature.
func TestLayerStats(t *testing.T) {
	cfg := batchConfig()
	cfg.Graph.KL = graph.KLClosed
	tr, _ := newTestTrainer(t, cfg)
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	st, err := LayerStats(tr.Net, 1)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, s := range st {
		total += s.KL
		if !(s.WSigma > 0) || !(s.BSigma > 0) {
			t.Errorf("layer %d: sigmas %v, %v", s.Layer, s.WSigma, s.BSigma)
		}
	}
	n, err := graph.New(tr.Net.Config, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.CopyParams(tr.Net); err != nil {
		t.Fatal(err)
	}
	var kl G.Value
	G.Read(n.KL, &kl)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if want, _ := graph.Scalar(kl); !(math.Abs(total-want) <= 1e-9*math.Abs(want)) { // (NaN fails)
		t.Errorf("per-layer KL sums to %v, the closed-form KL node is %v", total, want)
	}
	// The mixture: 64 draws near the quadrature value.
	p := nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)}
	mu, s := 0.3, 0.2
	var exact float64
	const k = 20000
	for i := 0; i < k; i++ { // midpoint rule over eps in [-8, 8]
		e := -8 + 16*(float64(i)+0.5)/k
		w := mu + s*e
		q := math.Exp(-0.5*e*e) / math.Sqrt(2*math.Pi)
		exact += q * (16.0 / k) * (-0.5*e*e - math.Log(s) - 0.5*math.Log(2*math.Pi) - p.LogProbAt(w))
	}
	got := klTerm(p, mu, s, rand.New(rand.NewPCG(1, 2)))
	if !(math.Abs(got-exact) <= 0.1*math.Abs(exact)) {
		t.Errorf("mixture KL estimate %v, quadrature %v", got, exact)
	}
	path := filepath.Join(t.TempDir(), "layers.csv")
	if err := WriteLayers(path, st); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if lines := strings.Count(string(b), "\n"); lines != 1+len(st) {
		t.Errorf("layers.csv has %d lines", lines)
	}
}

// klTerm exactly: the Normal closed form against quadrature of gonum's
// densities (a prior mean that is not 0), the mixture's 64-draw estimate
// against the same draws scored by gonum; LayerStats' sigma means against
// a loop over softplus(rho).
func TestKLTermAndSigmaMeans(t *testing.T) {
	const mu, s = 0.3, 0.2
	q := distuv.Normal{Mu: mu, Sigma: s}
	prior := nodes.Normal{Mu: 0.5, Sigma: 2}
	pd := distuv.Normal{Mu: prior.Mu, Sigma: prior.Sigma}
	var exact float64
	const k = 20000
	for i := 0; i < k; i++ { // midpoint rule over w in mu ± 10 s
		w := mu - 10*s + 20*s*(float64(i)+0.5)/k
		exact += q.Prob(w) * (20 * s / k) * (q.LogProb(w) - pd.LogProb(w))
	}
	if got := klTerm(prior, mu, s, nil); !(math.Abs(got-exact) <= 1e-9) {
		t.Errorf("Normal KL %v, quadrature %v", got, exact)
	}
	mix := nodes.ScaleMixture{Pi: 0.25, Sigma1: 1, Sigma2: math.Exp(-6)}
	c1, c2 := distuv.Normal{Sigma: mix.Sigma1}, distuv.Normal{Sigma: mix.Sigma2}
	rng := rand.New(rand.NewPCG(3, 4))
	var want float64
	for range 64 {
		w := mu + s*rng.NormFloat64()
		want += (q.LogProb(w) - math.Log(mix.Pi*c1.Prob(w)+(1-mix.Pi)*c2.Prob(w))) / 64
	}
	if got := klTerm(mix, mu, s, rand.New(rand.NewPCG(3, 4))); !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
		t.Errorf("mixture KL estimate %v, the same 64 draws scored by gonum %v", got, want)
	}

	tr, _ := newTestTrainer(t, batchConfig())
	st, err := LayerStats(tr.Net, 0)
	if err != nil {
		t.Fatal(err)
	}
	ps := tr.Net.Learnables()
	mean := func(n *G.Node) float64 {
		rho, _ := graph.Values(n)
		var sum float64
		for _, r := range rho {
			sum += math.Log1p(math.Exp(r))
		}
		return sum / float64(len(rho))
	}
	for i, l := range st {
		if w, b := mean(ps[4*i+1]), mean(ps[4*i+3]); !(math.Abs(l.WSigma-w) <= 1e-12*w && math.Abs(l.BSigma-b) <= 1e-12*b) {
			t.Errorf("layer %d: sigma means %v, %v; want %v, %v", i, l.WSigma, l.BSigma, w, b)
		}
	}
}
