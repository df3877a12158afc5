package graph_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// A narrower Normal prior with the closed-form KL instead of the seed's
// one-sample estimate: the KL term then depends on the weights' means and
// scales only, not on the epsilon drawn. (Train such a Config with
// train.Config{Graph: cfg}; see the train package's example.)
func ExampleConfig_normalPriorClosedKL() {
	cfg := graph.Config{
		Layers: 2,
		Hidden: 8,
		Prior:  nodes.Normal{Mu: 0, Sigma: 0.1},
		KL:     graph.KLClosed,
	}
	net, err := graph.New(cfg, 3)
	if err != nil {
		panic(err)
	}
	_ = graph.SetValues(net.X, []float64{-1, 0, 1})
	_ = graph.SetValues(net.Y, []float64{-6.2, 0, 6.2})
	_ = net.Init(rand.New(rand.NewPCG(1, 2)))

	klOf := func(epsSeed uint64) float64 { // one forward pass with fresh epsilons
		if err := net.FillEps(rand.New(rand.NewPCG(epsSeed, 0))); err != nil {
			panic(err)
		}
		var kl G.Value
		G.Read(net.KL, &kl)
		vm := G.NewTapeMachine(net.Graph)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			panic(err)
		}
		v, _ := graph.Scalar(kl)
		return v
	}
	a, b := klOf(1), klOf(2)
	fmt.Println("prior:", net.Config.WeightPrior(), "KL:", net.Config.KL)
	fmt.Println("weights and biases:", len(net.Learnables())/2, "(mu, rho) pairs")
	fmt.Println("KL the same for two epsilon draws:", a == b)
	// Output:
	// prior: normal:0,0.1 KL: closed
	// weights and biases: 4 (mu, rho) pairs
	// KL the same for two epsilon draws: true
}

// laplace is a weight prior this project does not define: Laplace(Mu, B),
// log p(w) = -log(2B) - |w - Mu|/B. The four methods of nodes.Prior are
// all graph.Config needs; LogProb here composes Gorgonia's own ops (their
// gradients come with them), and LogProbAt serves host statistics such as
// train.LayerStats' Monte-Carlo KL.
type laplace struct{ Mu, B float64 }

func (p laplace) LogProb(w *G.Node) (*G.Node, error) {
	c := func(v float64) *G.Node {
		if w.Dtype() == tensor.Float32 {
			return G.NewConstant(float32(v))
		}
		return G.NewConstant(v)
	}
	d, err := G.Sub(w, c(p.Mu))
	if err != nil {
		return nil, err
	}
	if d, err = G.Abs(d); err != nil {
		return nil, err
	}
	if d, err = G.Mul(d, c(-1/p.B)); err != nil {
		return nil, err
	}
	return G.Sub(d, c(math.Log(2*p.B)))
}

func (p laplace) LogProbAt(w float64) float64 { return -math.Log(2*p.B) - math.Abs(w-p.Mu)/p.B }

func (p laplace) Validate() error {
	if !(p.B > 0) || math.IsInf(p.B, 0) || math.IsNaN(p.Mu) || math.IsInf(p.Mu, 0) {
		return fmt.Errorf("laplace{Mu: %v, B: %v}: need a finite mu and 0 < b < inf", p.Mu, p.B)
	}
	return nil
}

func (p laplace) String() string { return fmt.Sprintf("laplace:%g,%g", p.Mu, p.B) }

// A prior of one's own: any nodes.Prior goes in Config.Prior (nil there is
// the seed's N(0, 1)). Its KL is the one-sample Monte-Carlo estimate, the
// seed's; KLClosed and the resident (GPU) graph refuse it.
func ExampleConfig_customPrior() {
	cfg := graph.Config{Layers: 2, Hidden: 8, Prior: laplace{Mu: 0, B: 0.5}}
	net, err := graph.New(cfg, 3)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	_ = graph.SetValues(net.X, []float64{-1, 0, 1})
	_ = graph.SetValues(net.Y, []float64{-6.2, 0, 6.2})
	_ = net.Init(rng)
	_ = net.FillEps(rng)
	if err := net.Differentiate(); err != nil {
		panic(err)
	}
	var kl G.Value
	G.Read(net.KL, &kl)
	vm := G.NewTapeMachine(net.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	v, _ := graph.Scalar(kl)
	fmt.Println("prior:", net.Config.WeightPrior())
	fmt.Println("KL finite:", !math.IsNaN(v) && !math.IsInf(v, 0))

	cfg.KL = graph.KLClosed
	_, err = graph.New(cfg, 3)
	fmt.Println(err)
	// Output:
	// prior: laplace:0,0.5
	// KL finite: true
	// graph: kl closed: prior laplace:0,0.5 has no closed-form KL (use the normal prior or kl mc)
}
