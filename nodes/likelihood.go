package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
)

// GaussianLogLik returns sum_i log N(y_i | pred_i, sigma²), a scalar node:
// the log-likelihood of the targets y under a Normal with fixed scale sigma
// centred on the network's predictions. It is one node; its gradient with
// respect to pred is (y - pred)/sigma² times the upstream gradient (the
// targets get none).
func GaussianLogLik(y, pred *G.Node, sigma float64) (*G.Node, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("nodes: GaussianLogLik: sigma %v: need 0 < sigma < inf", sigma)
	}
	if err := sameShape("GaussianLogLik y/pred", y, pred); err != nil {
		return nil, err
	}
	if err := sameDtype("GaussianLogLik", y, pred); err != nil {
		return nil, err
	}
	op := &gaussianLogLikOp{opBase: opBase{fmt.Sprintf("GaussianLogLik(σ=%g)", sigma)}, sigma: sigma, dims: y.Shape().Dims()}
	n, err := G.ApplyOp(op, y, pred)
	if err != nil {
		return nil, fmt.Errorf("nodes: GaussianLogLik: %w", err)
	}
	return n, nil
}

type gaussianLogLikOp struct {
	opBase
	sigma float64
	dims  int // of y and pred
}

func (op *gaussianLogLikOp) Arity() int { return 2 }
func (op *gaussianLogLikOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, elem)
}
func (op *gaussianLogLikOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *gaussianLogLikOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	y, pred := ts[0], ts[1]
	if y.Size() != pred.Size() {
		return nil, fmt.Errorf("%w: %s: %v vs %v", ErrShape, op.name, y.Shape(), pred.Shape())
	}
	var ss float64
	switch y.Dtype() {
	case tensor.Float32:
		ss = sumSquaredDiff(y.Float32s(), pred.Float32s())
	default:
		ss = sumSquaredDiff(y.Float64s(), pred.Float64s())
	}
	n := float64(y.Size())
	ll := -0.5*ss/(op.sigma*op.sigma) - n*(math.Log(op.sigma)+halfLog2Pi)
	if y.Dtype() == tensor.Float32 {
		return G.NewF32(float32(ll)), nil
	}
	return G.NewF64(ll), nil
}

// sumSquaredDiff accumulates in float64: 16000 float32 terms summed in
// float32 would lose digits the loss reports.
func sumSquaredDiff[T linalg.Float](y, p []T) float64 {
	p = p[:len(y)]
	var s float64
	for i := range y {
		d := float64(y[i] - p[i])
		s += d * d
	}
	return s
}

func (op *gaussianLogLikOp) DiffWRT(int) []bool { return []bool{false, true} }
func (op *gaussianLogLikOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dpred, err := G.ApplyOp(&gaussianLogLikGradOp{opBase: opBase{op.name + ".dpred"}, sigma: op.sigma, dims: op.dims}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{nil, dpred}, nil
}

// gaussianLogLikGradOp is (y - pred)/sigma² · g for a scalar g.
type gaussianLogLikGradOp struct {
	opBase
	sigma float64
	dims  int
	buf   buffer
}

func (op *gaussianLogLikGradOp) Arity() int { return 3 }
func (op *gaussianLogLikGradOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, elem, t)
}
func (op *gaussianLogLikGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *gaussianLogLikGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}
func (op *gaussianLogLikGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("nodes: %s: want 3 inputs, got %d", op.name, len(in))
	}
	ts, err := dense(op.name, 2, in[:2])
	if err != nil {
		return nil, err
	}
	y, pred := ts[0], ts[1]
	g, err := ScalarValue(in[2])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	out, err := op.buf.out(prealloc, y.Dtype(), y.Shape()...)
	if err != nil {
		return nil, err
	}
	scale := g / (op.sigma * op.sigma)
	switch y.Dtype() {
	case tensor.Float32:
		scaledDiff(y.Float32s(), pred.Float32s(), out.Float32s(), float32(scale))
	default:
		scaledDiff(y.Float64s(), pred.Float64s(), out.Float64s(), scale)
	}
	return out, nil
}

func scaledDiff[T linalg.Float](y, p, out []T, scale T) {
	p, out = p[:len(y)], out[:len(y)]
	for i := range y {
		out[i] = (y[i] - p[i]) * scale
	}
}

// ScalarValue reads a float scalar value, whatever its representation
// (a Gorgonia scalar, a float, or a one-element tensor).
func ScalarValue(v G.Value) (float64, error) {
	if v == nil {
		return 0, fmt.Errorf("nodes: no value")
	}
	switch d := v.Data().(type) {
	case float32:
		return float64(d), nil
	case float64:
		return d, nil
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), nil
		}
	case []float64:
		if len(d) == 1 {
			return d[0], nil
		}
	}
	return 0, fmt.Errorf("want a scalar, got %T of shape %v", v, v.Shape())
}
