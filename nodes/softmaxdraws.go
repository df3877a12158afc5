package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxDraws turns the logits of K stochastic passes, z of shape (K,
// rows, classes), into the two things a classifier's scores need, in one
// tensor (2, rows, classes): [0] the sum over the K draws of the softmax
// probabilities, [1] those of draw 0 alone. Each probability is exp(z -
// logsumexp(z)) capped at 1 (a log-probability rounded above 0 would give
// 1.0000000000000002). On the GPU it is one kernel, so a run of K passes
// reads back rows × classes × 2 numbers, not K × rows × classes. It has no
// gradient.
func SoftmaxDraws(z *G.Node) (*G.Node, error) {
	if s := z.Shape(); s.Dims() != 3 || s[2] < 2 {
		return nil, fmt.Errorf("%w: SoftmaxDraws: logits %v: want (K, rows, classes) with at least 2 classes", ErrShape, s)
	}
	if err := sameDtype("SoftmaxDraws", z); err != nil {
		return nil, err
	}
	n, err := G.ApplyOp(&softmaxDrawsOp{residentBase: residentBase{opBase{"SoftmaxDraws"}, 3}}, z)
	if err != nil {
		return nil, fmt.Errorf("nodes: SoftmaxDraws: %w", err)
	}
	return n, nil
}

type softmaxDrawsOp struct {
	residentBase
	buf buffer
}

func (op *softmaxDrawsOp) Arity() int { return 1 }
func (op *softmaxDrawsOp) Type() hm.Type {
	t := G.TensorType{Dims: 3, Of: elem}
	return hm.NewFnType(t, t)
}
func (op *softmaxDrawsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := in[0].(tensor.Shape)
	return tensor.Shape{2, s[1], s[2]}, nil
}
func (op *softmaxDrawsOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *softmaxDrawsOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 1, in)
	if err != nil {
		return nil, err
	}
	s := ts[0].Shape()
	draws, rows, k := s[0], s[1], s[2]
	out, err := op.buf.out(prealloc, ts[0].Dtype(), 2, rows, k)
	if err != nil {
		return nil, err
	}
	setFloats(out, softmaxDraws(floats(ts[0]), draws, rows, k))
	return out, nil
}

// softmaxDraws is SoftmaxDraws on the host: z is draws × rows × k.
func softmaxDraws(z []float64, draws, rows, k int) []float64 {
	res := make([]float64, 2*rows*k)
	logp := make([]float64, rows*k)
	for d := range draws {
		LogSoftmax(z[d*rows*k:(d+1)*rows*k], k, logp)
		for i, lp := range logp {
			p := math.Min(math.Exp(lp), 1)
			res[i] += p
			if d == 0 {
				res[rows*k+i] = p
			}
		}
	}
	return res
}
