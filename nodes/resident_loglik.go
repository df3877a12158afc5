package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// GaussianLogLikResident is GaussianLogLik for resident graphs: the same
// value and gradient, and in the CUDA build a kernel (a two-pass sum of
// squared differences) so that the predictions never leave the GPU.
func GaussianLogLikResident(y, pred *G.Node, sigma float64) (*G.Node, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("nodes: GaussianLogLik: sigma %v: need 0 < sigma < inf", sigma)
	}
	if err := sameShape("GaussianLogLik y/pred", y, pred); err != nil {
		return nil, err
	}
	if err := sameDtype("GaussianLogLik", y, pred); err != nil {
		return nil, err
	}
	op := residentLogLikOp{&gaussianLogLikOp{opBase: opBase{fmt.Sprintf("GaussianLogLik(σ=%g)", sigma)}, sigma: sigma, dims: y.Shape().Dims()}}
	n, err := G.ApplyOp(op, y, pred)
	if err != nil {
		return nil, fmt.Errorf("nodes: GaussianLogLik: %w", err)
	}
	return n, nil
}

type residentLogLikOp struct{ *gaussianLogLikOp }

func (op residentLogLikOp) ReturnsPtr() bool  { return onDevice }
func (op residentLogLikOp) CallsExtern() bool { return onDevice }
func (op residentLogLikOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := residentLogLikGradOp{&gaussianLogLikGradOp{opBase: opBase{op.name + ".dpred"}, sigma: op.sigma, dims: op.dims}}
	dpred, err := G.ApplyOp(g, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{nil, dpred}, nil
}

type residentLogLikGradOp struct{ *gaussianLogLikGradOp }

func (op residentLogLikGradOp) ReturnsPtr() bool  { return onDevice }
func (op residentLogLikGradOp) CallsExtern() bool { return onDevice }
