package graph_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
)

// Build the seed's network for a batch of 4 inputs, draw its parameters and
// one epsilon, and read the negative ELBO and its parts.
func ExampleNew() {
	net, err := graph.New(graph.Config{}, 4) // zero Config: the seed's model
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	_ = graph.SetValues(net.X, []float64{-3, -1, 1, 3})
	_ = graph.SetValues(net.Y, []float64{24.6, -6.2, 6.2, -24.6})
	_ = net.Init(rng)
	_ = net.FillEps(rng)

	var loss, nll, kl G.Value
	G.Read(net.Loss, &loss)
	G.Read(net.NLL, &nll)
	G.Read(net.KL, &kl)
	vm := G.NewTapeMachine(net.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	l, _ := graph.Scalar(loss)
	n, _ := graph.Scalar(nll)
	k, _ := graph.Scalar(kl)
	fmt.Println(len(net.Layers), "layers,", len(net.Learnables()), "learnables,", len(net.Eps()), "eps inputs")
	fmt.Println("first layer:", net.Layers[0].WMu.Name(), net.Layers[0].WSigma.Op(), net.Layers[0].WEps.Name())
	fmt.Println("loss = NLL + KL:", math.Abs(l-(n+k)) <= 1e-4*math.Abs(l))
	// Output:
	// 5 layers, 20 learnables, 10 eps inputs
	// first layer: w_mu0 Softplus w_eps0
	// loss = NLL + KL: true
}
