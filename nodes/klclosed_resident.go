package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// KLClosedTerm returns the closed-form KL of one weight tensor for the
// resident graph, a scalar: Σ KL(N(mu, sigma²) ‖ p) with sigma =
// softplus(rho), the prior p a Normal N(pm, ps²) (Normal.KLNormal's
// formula, taking rho as KLTerm does, so no sigma node is needed):
//
//	log(ps/sigma) + (sigma² + (mu - pm)²)/(2 ps²) - 1/2
//
// Gradients (scalar upstream g): d/dmu = g (mu - pm)/ps², d/drho =
// g (sigma/ps² - 1/sigma) sigmoid(rho). A prior without a closed form
// (nodes.ClosedKL) is an error, and so is one whose closed form has no
// resident kernel (every prior but the Normal).
func KLClosedTerm(mu, rho *G.Node, prior Prior) (*G.Node, error) {
	p, ok := prior.(Normal)
	if !ok {
		if _, closed := prior.(ClosedKL); !closed {
			return nil, fmt.Errorf("nodes: KLClosedTerm: prior %v has no closed-form KL", prior)
		}
		return nil, fmt.Errorf("nodes: KLClosedTerm: prior %v: the resident closed-form KL takes only a Normal", prior)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := sameShape("KLClosedTerm mu/rho", mu, rho); err != nil {
		return nil, err
	}
	if err := sameDtype("KLClosedTerm", mu, rho); err != nil {
		return nil, err
	}
	op := &klClosedOp{residentBase: residentBase{opBase{"KLClosed(prior " + p.klLabel() + ")"}, mu.Shape().Dims()}, prior: p}
	n, err := G.ApplyOp(op, mu, rho)
	if err != nil {
		return nil, fmt.Errorf("nodes: KLClosedTerm: %w", err)
	}
	return n, nil
}

// klClosedAt is one weight's term of KLClosedTerm.
func (p Normal) klClosedAt(mu, rho float64) float64 { return p.KLNormalAt(mu, softplus64(rho)) }

// klClosedGradAt is g times d klClosedAt / d mu, or d / d rho when drho.
func (p Normal) klClosedGradAt(g, mu, rho float64, drho bool) float64 {
	pv := p.Sigma * p.Sigma
	if !drho {
		return g * (mu - p.Mu) / pv
	}
	s := softplus64(rho)
	return g * (s/pv - 1/s) * sigmoid64(rho)
}

type klClosedOp struct {
	residentBase
	prior Normal
}

func (op *klClosedOp) Arity() int { return 2 }
func (op *klClosedOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, elem)
}
func (op *klClosedOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op *klClosedOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	mu, rho := floats(ts[0]), floats(ts[1])
	if len(rho) != len(mu) {
		return nil, fmt.Errorf("%w: %s: %v vs %v", ErrShape, op.name, ts[0].Shape(), ts[1].Shape())
	}
	var sum float64
	for i := range mu {
		sum += op.prior.klClosedAt(mu[i], rho[i])
	}
	if ts[0].Dtype() == tensor.Float32 {
		return G.NewF32(float32(sum)), nil
	}
	return G.NewF64(sum), nil
}
func (op *klClosedOp) DiffWRT(int) []bool { return []bool{true, true} }
func (op *klClosedOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	var out G.Nodes
	for _, drho := range []bool{false, true} {
		name := "KLClosed.dmu"
		if drho {
			name = "KLClosed.drho"
		}
		d, err := G.ApplyOp(&klClosedGradOp{residentBase: residentBase{opBase{name}, op.dims}, prior: op.prior, rho: drho}, grad, in[0], in[1])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// klClosedGradOp is d KLClosedTerm / d mu (or d rho when rho) times the
// scalar g; inputs (g, mu, rho).
type klClosedGradOp struct {
	residentBase
	prior Normal
	rho   bool
	buf   buffer
}

func (op *klClosedGradOp) Arity() int { return 3 }
func (op *klClosedGradOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(elem, t, t, t)
}
func (op *klClosedGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[1].(tensor.Shape).Clone(), nil
}
func (op *klClosedGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *klClosedGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("nodes: %s: want 3 inputs, got %d", op.name, len(in))
	}
	g, err := ScalarValue(in[0])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	return residentElementwise(op.name, &op.buf, prealloc, in[1:], func(x []float64) float64 {
		return op.prior.klClosedGradAt(g, x[0], x[1], op.rho)
	})
}

// klClosedKernel is the prefix of KLClosedTerm's CUDA kernels (_partial,
// _dmu, _drho), which take the prior's mean and standard deviation after n.
const klClosedKernel = "bbb_klclosed"
