package nodes_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// A variational weight vector: sigma = softplus(rho), w = mu + sigma ⊙ eps,
// and the one-sample KL estimate against a N(0, 1) prior.
func ExampleKL() {
	g := G.NewGraph()
	vec := func(name string, v ...float64) *G.Node {
		return G.NodeFromAny(g, tensor.New(tensor.WithBacking(v)), G.WithName(name))
	}
	mu := vec("mu", 0.5, -0.2)
	rho := vec("rho", -1, 0)
	eps := vec("eps", 0.3, -1.2) // drawn by the caller from a seeded source
	sigma, _ := nodes.Softplus(rho)
	w, _ := nodes.Reparameterize(mu, sigma, eps)
	kl, _ := nodes.KL(w, mu, sigma, nodes.Normal{Mu: 0, Sigma: 1})

	var wv, klv G.Value
	G.Read(w, &wv)
	G.Read(kl, &klv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	fmt.Printf("w = %.4f\nKL sample = %.4f\n", wv.Data(), klv.Data())
	// Output:
	// w = [0.5940 -1.0318]
	// KL sample = 1.4709
}
