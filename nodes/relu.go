package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
)

// ReLU returns max(x, 0) elementwise. Its gradient is g where the output is
// positive and 0 elsewhere (so 0 at x = 0, as PyTorch's relu).
func ReLU(x *G.Node) (*G.Node, error) {
	if err := sameDtype("ReLU", x); err != nil {
		return nil, err
	}
	out, err := G.ApplyOp(&reluOp{opBase: opBase{"ReLU"}}, x)
	if err != nil {
		return nil, fmt.Errorf("nodes: ReLU: %w", err)
	}
	return out, nil
}

type reluOp struct {
	opBase
	buf buffer
}

func (op *reluOp) Arity() int    { return 1 }
func (op *reluOp) Type() hm.Type { return hm.NewFnType(elem, elem) }
func (op *reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *reluOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *reluOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense("ReLU", 1, in)
	if err != nil {
		return nil, err
	}
	x := ts[0]
	out, err := op.buf.out(prealloc, x.Dtype(), x.Shape()...)
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		relu(x.Float32s(), out.Float32s())
	default:
		relu(x.Float64s(), out.Float64s())
	}
	return out, nil
}

func relu[T linalg.Float](x, out []T) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = max(v, 0)
	}
}

func (op *reluOp) DiffWRT(int) []bool { return []bool{true} }
func (op *reluOp) SymDiff(_ G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&reluGradOp{opBase: opBase{"ReLU.dx=g·[y>0]"}}, output, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// reluGradOp masks the incoming gradient g by the ReLU's output y > 0.
type reluGradOp struct {
	opBase
	buf buffer
}

func (op *reluGradOp) Arity() int    { return 2 }
func (op *reluGradOp) Type() hm.Type { return hm.NewFnType(elem, elem, elem) }
func (op *reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *reluGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *reluGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	y, g := ts[0], ts[1]
	out, err := op.buf.out(prealloc, y.Dtype(), y.Shape()...)
	if err != nil {
		return nil, err
	}
	switch y.Dtype() {
	case tensor.Float32:
		reluMask(y.Float32s(), g.Float32s(), out.Float32s())
	default:
		reluMask(y.Float64s(), g.Float64s(), out.Float64s())
	}
	return out, nil
}

func reluMask[T linalg.Float](y, g, out []T) {
	g, out = g[:len(y)], out[:len(y)]
	for i, v := range y {
		if v > 0 {
			out[i] = g[i]
		} else {
			out[i] = 0
		}
	}
}
