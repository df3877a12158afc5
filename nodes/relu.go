package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
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
		relu32(x.Float32s(), out.Float32s())
	default:
		relu64(x.Float64s(), out.Float64s())
	}
	return out, nil
}

// The ReLU kernels are branchless: about half the inputs are negative, so
// a branch would be mispredicted half the time. Clearing a value whose
// sign bit is set gives max(x, 0) (with -0 and negative NaN giving +0).

func relu32(x, out []float32) {
	out = out[:len(x)]
	for i, v := range x {
		u := math.Float32bits(v)
		out[i] = math.Float32frombits(u &^ uint32(int32(u)>>31))
	}
}

func relu64(x, out []float64) {
	out = out[:len(x)]
	for i, v := range x {
		u := math.Float64bits(v)
		out[i] = math.Float64frombits(u &^ uint64(int64(u)>>63))
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
		reluMask32(y.Float32s(), g.Float32s(), out.Float32s())
	default:
		reluMask64(y.Float64s(), g.Float64s(), out.Float64s())
	}
	return out, nil
}

// reluMask keeps g where y (a ReLU output, so +0 or positive) is non-zero,
// without branches: (b | -b) has its top bit set exactly when b != 0.

// The float32 loop is unrolled by four: it runs once per hidden layer per
// step over the whole batch (it was 17% of a training step).
func reluMask32(y, g, out []float32) {
	n := len(y)
	g, out = g[:n], out[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		y4, g4, o4 := y[i:i+4:i+4], g[i:i+4:i+4], out[i:i+4:i+4]
		b0, b1, b2, b3 := math.Float32bits(y4[0]), math.Float32bits(y4[1]), math.Float32bits(y4[2]), math.Float32bits(y4[3])
		o4[0] = math.Float32frombits(math.Float32bits(g4[0]) & uint32(int32(b0|-b0)>>31))
		o4[1] = math.Float32frombits(math.Float32bits(g4[1]) & uint32(int32(b1|-b1)>>31))
		o4[2] = math.Float32frombits(math.Float32bits(g4[2]) & uint32(int32(b2|-b2)>>31))
		o4[3] = math.Float32frombits(math.Float32bits(g4[3]) & uint32(int32(b3|-b3)>>31))
	}
	for ; i < n; i++ {
		b := math.Float32bits(y[i])
		out[i] = math.Float32frombits(math.Float32bits(g[i]) & uint32(int32(b|-b)>>31))
	}
}

func reluMask64(y, g, out []float64) {
	g, out = g[:len(y)], out[:len(y)]
	for i, v := range y {
		b := math.Float64bits(v)
		mask := uint64(int64(b|-b) >> 63)
		out[i] = math.Float64frombits(math.Float64bits(g[i]) & mask)
	}
}
