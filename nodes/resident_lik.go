package nodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// The resident forms of the learned-scale, heteroscedastic and categorical
// log-likelihoods: the values and gradients of LearnedGaussianLogLik,
// HeteroGaussianLogLik and CategoricalLogLik, as nodes that stay on the GPU
// in the CUDA build (a kernel per node, nodes/kernels/bbb.cu, "resident
// likelihoods"). On the CPU they run the host ops' float64 code.

// LearnedGaussianLogLikResident is LearnedGaussianLogLik with the scale
// given by its raw parameter: Σ_i log N(y_i | pred_i, sigma²), sigma =
// softplus(rho), rho a 1-element vector (a resident network's Param, so
// that Adam updates it on the device). Gradients: ∂/∂pred_i =
// (y_i - pred_i)/sigma², ∂/∂rho = (Σ_i (y_i - pred_i)²/sigma³ -
// n/sigma)·sigmoid(rho); y gets none.
func LearnedGaussianLogLikResident(y, pred, rho *G.Node) (*G.Node, error) {
	if err := checkLearned("rho", y, pred, rho); err != nil {
		return nil, err
	}
	return applyResidentLoss("LearnedGaussianLogLik(σ = softplus ρ)", learnedRhoLL{}, y, pred, rho)
}

// HeteroGaussianLogLikResident is HeteroGaussianLogLik for resident graphs.
func HeteroGaussianLogLikResident(y, out *G.Node, scale HeteroScale) (*G.Node, error) {
	k, err := heteroOf(y, out, scale)
	if err != nil {
		return nil, err
	}
	return applyResidentLoss(k.name(), k, y, out)
}

// CategoricalLogLikResident is CategoricalLogLik for resident graphs: on
// the GPU one thread per row takes the row's log-sum-exp, its maximum
// factored out.
func CategoricalLogLikResident(y, logits *G.Node) (*G.Node, error) {
	k, err := categoricalOf(y, logits)
	if err != nil {
		return nil, err
	}
	return applyResidentLoss("CategoricalLogLik", k, y, logits)
}

// learnedRhoLL is learnedLL with sigma = softplus(rho) (in[2] holds rho).
type learnedRhoLL struct{}

func (learnedRhoLL) sigmaIn(in [][]float64) [][]float64 {
	return [][]float64{in[0], in[1], {softplus64(in[2][0])}}
}

func (k learnedRhoLL) value(in [][]float64) float64 { return learnedLL{}.value(k.sigmaIn(in)) }

func (k learnedRhoLL) grad(in [][]float64, which int, g float64, out []float64) {
	learnedLL{}.grad(k.sigmaIn(in), which, g, out)
	if which == 2 { // d sigma / d rho
		out[0] *= sigmoid64(in[2][0])
	}
}

func applyResidentLoss(name string, k lossKernel, in ...*G.Node) (*G.Node, error) {
	dims := make([]int, len(in))
	for i, n := range in {
		dims[i] = n.Shape().Dims()
	}
	n, err := G.ApplyOp(residentLossOp{&lossOp{opBase: opBase{name}, k: k, dims: dims}}, in...)
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", name, err)
	}
	return n, nil
}

// residentLossOp is a lossOp whose output, and its gradients', stay on the
// GPU in the CUDA build.
type residentLossOp struct{ *lossOp }

func (op residentLossOp) ReturnsPtr() bool  { return onDevice }
func (op residentLossOp) CallsExtern() bool { return onDevice }
func (op residentLossOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	for w := 1; w < len(in); w++ {
		g := residentLossGradOp{&lossGradOp{opBase: opBase{fmt.Sprintf("%s.d%d", op.name, w)}, k: op.k, dims: op.dims, which: w}}
		n, err := G.ApplyOp(g, append(append(G.Nodes{}, in...), grad)...)
		if err != nil {
			return nil, err
		}
		out[w] = n
	}
	return out, nil
}

type residentLossGradOp struct{ *lossGradOp }

func (op residentLossGradOp) ReturnsPtr() bool  { return onDevice }
func (op residentLossGradOp) CallsExtern() bool { return onDevice }
