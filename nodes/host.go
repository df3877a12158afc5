package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Host returns a copy of x made by an op that has no CUDA kernel, so in the
// CUDA build the VM moves x to host memory before it and the copy lives on
// the CPU: the safe thing to G.Read. (Gorgonia's Read of a value still in
// GPU memory is untested territory; on the CPU build Host is a plain copy.)
func Host(x *G.Node) (*G.Node, error) {
	n, err := G.ApplyOp(&hostOp{opBase: opBase{"Host"}}, x)
	if err != nil {
		return nil, fmt.Errorf("nodes: Host: %w", err)
	}
	return n, nil
}

type hostOp struct {
	opBase
	buf buffer
}

func (op *hostOp) Arity() int    { return 1 }
func (op *hostOp) Type() hm.Type { return hm.NewFnType(elem, elem) }
func (op *hostOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *hostOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *hostOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("nodes: Host: want 1 input, got %d", len(in))
	}
	switch v := in[0].(type) {
	case *G.F32:
		return G.NewF32(float32(*v)), nil
	case *G.F64:
		return G.NewF64(float64(*v)), nil
	case *tensor.Dense:
		out, err := op.buf.out(prealloc, v.Dtype(), v.Shape()...)
		if err != nil {
			return nil, err
		}
		if err := tensor.Copy(out, v); err != nil {
			return nil, fmt.Errorf("nodes: Host: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("nodes: Host: cannot copy %T", in[0])
}
