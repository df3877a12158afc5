package graph_test

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

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
