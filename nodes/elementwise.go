package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/parallel"
)

// kernel computes out[i] from ins[k][i] for every index i, in both dtypes.
type kernel struct {
	f32 func(out []float32, ins ...[]float32)
	f64 func(out []float64, ins ...[]float64)
}

func kernelOf(f32 func([]float32, ...[]float32), f64 func([]float64, ...[]float64)) kernel {
	return kernel{f32: f32, f64: f64}
}

// elementwise is an op applying one kernel at every index of same-shaped
// inputs. A whole formula (a log-density, its derivative) becomes one node
// instead of a chain of Gorgonia's unary and binary nodes, each with its own
// dispatch, allocation and gradient nodes.
type elementwise struct {
	opBase
	arity int
	k     kernel
	// diff builds the gradient nodes (one per input, nil where not
	// differentiable); nil means the op is not differentiable.
	diff func(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
	// wrt says which inputs diff differentiates; nil means all of them.
	wrt []bool
	buf buffer
}

func applyElementwise(name string, arity int, k kernel, diff func(G.Nodes, *G.Node, *G.Node) (G.Nodes, error), ins ...*G.Node) (*G.Node, error) {
	if err := checkElementwise(name, ins...); err != nil {
		return nil, err
	}
	return G.ApplyOp(&elementwise{opBase: opBase{name}, arity: arity, k: k, diff: diff}, ins...)
}

// checkElementwise: an elementwise op's inputs have one shape and dtype.
func checkElementwise(name string, ins ...*G.Node) error {
	for _, in := range ins[1:] {
		if err := sameShape(name, ins[0], in); err != nil {
			return err
		}
	}
	return sameDtype(name, ins...)
}

func (op *elementwise) Arity() int { return op.arity }
func (op *elementwise) Type() hm.Type {
	ts := make([]hm.Type, op.arity+1)
	for i := range ts {
		ts[i] = elem
	}
	return hm.NewFnType(ts...)
}
func (op *elementwise) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *elementwise) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *elementwise) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, op.arity, in)
	if err != nil {
		return nil, err
	}
	for _, t := range ts[1:] {
		if t.Size() != ts[0].Size() {
			return nil, fmt.Errorf("%w: %s: %v vs %v", ErrShape, op.name, ts[0].Shape(), t.Shape())
		}
	}
	out, err := op.buf.out(prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch ts[0].Dtype() {
	case tensor.Float32:
		runSplit(op.k.f32, out.Float32s(), slicesOf[float32](ts))
	default:
		runSplit(op.k.f64, out.Float64s(), slicesOf[float64](ts))
	}
	return out, nil
}

// runSplit applies an elementwise kernel over parallel.For's ranges.
func runSplit[T linalg.Float](k func([]T, ...[]T), out []T, ins [][]T) {
	parallel.For(len(out), func(lo, hi int) {
		part := make([][]T, len(ins))
		for i, in := range ins {
			part[i] = in[lo:hi]
		}
		k(out[lo:hi], part...)
	})
}

func slicesOf[T linalg.Float](ts []*tensor.Dense) [][]T {
	out := make([][]T, len(ts))
	for i, t := range ts {
		out[i] = t.Data().([]T)
	}
	return out
}

func (op *elementwise) DiffWRT(n int) []bool {
	if op.wrt != nil && op.diff != nil {
		return op.wrt
	}
	d := make([]bool, n)
	for i := range d {
		d[i] = op.diff != nil
	}
	return d
}

func (op *elementwise) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.diff == nil {
		return nil, fmt.Errorf("nodes: %s is not differentiable", op.name)
	}
	return op.diff(in, out, grad)
}
