package graph_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// A research model without the CLI: Blundell et al.'s scale-mixture prior
// and a learned noise scale, one more learnable after the layers'.
func ExampleConfig_mixturePriorLearnedNoise() {
	cfg := graph.Config{
		Layers:          3,
		Prior:           nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)},
		Likelihood:      graph.LikLearned{},
		LikelihoodSigma: 1.5, // the learned scale's starting value
	}
	net, err := graph.New(cfg, 4)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	_ = graph.SetValues(net.X, []float64{-3, -1, 1, 3})
	_ = graph.SetValues(net.Y, []float64{24.6, -6.2, 6.2, -24.6})
	_ = net.Init(rng)
	_ = net.FillEps(rng)
	if err := net.Differentiate(); err != nil {
		panic(err)
	}
	vm := G.NewTapeMachine(net.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	z, _ := net.Noise()
	ls := net.Learnables()
	fmt.Println("prior:", net.Config.WeightPrior())
	fmt.Println("learnables:", len(ls), "last:", ls[len(ls)-1].Name())
	fmt.Printf("noise sigma: %.2f\n", z.Sigma)
	// Output:
	// prior: mixture:0.5,1,0.0024787521766663585
	// learnables: 13 last: noise_rho
	// noise sigma: 1.50
}
