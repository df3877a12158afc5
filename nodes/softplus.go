package nodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/internal/vecmath"
)

// Softplus returns sigma = log(1 + exp(rho)), the positive standard deviation
// of a variational posterior parameterised by the unconstrained rho. It is
// one node; its gradient sigmoid(rho)·g is one node too (Gorgonia's own
// softplus takes two, a sigmoid and a product, each a pass over rho). The
// float32 kernels are internal/vecmath's.
func Softplus(rho *G.Node) (*G.Node, error) {
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		d, err := applyElementwise("Softplus.d", 2, kernelOf(sigmoidMul32, sigmoidMul[float64]), nil, in[0], grad)
		return G.Nodes{d}, err
	}
	s, err := applyElementwise("Softplus", 1, kernelOf(softplus32, softplus[float64]), diff, rho)
	if err != nil {
		return nil, fmt.Errorf("nodes: Softplus: %w", err)
	}
	return s, nil
}

// StockSoftplus is Gorgonia's softplus node (with its CUDA kernel): the
// stock-ops graph's.
func StockSoftplus(rho *G.Node) (*G.Node, error) {
	if err := sameDtype("Softplus", rho); err != nil {
		return nil, err
	}
	s, err := G.Softplus(rho)
	if err != nil {
		return nil, fmt.Errorf("nodes: Softplus: %w", err)
	}
	return s, nil
}

func softplus32(out []float32, in ...[]float32)   { vecmath.Softplus(out, in[0]) }
func sigmoidMul32(out []float32, in ...[]float32) { vecmath.SigmoidMul(out, in[0], in[1]) }
func softplus[T ~float64](out []T, in ...[]T) {
	x := in[0]
	out = out[:len(x)]
	for i, v := range x {
		out[i] = T(SoftplusAt(float64(v)))
	}
}
func sigmoidMul[T ~float64](out []T, in ...[]T) {
	x, g := in[0], in[1][:len(in[0])]
	out = out[:len(x)]
	for i, v := range x {
		out[i] = T(sigmoidAt(float64(v))) * g[i]
	}
}
