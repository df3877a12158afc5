package nodes

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The hand-written ops below share this plumbing. Each op owns one output
// buffer that it reuses run after run: the TapeMachine's Reset drops its
// registers, so an op that allocated in Do would allocate every step.

// buffer is an op's reusable output.
type buffer struct{ t *tensor.Dense }

// get returns the buffer, (re)allocated when dtype or shape changed.
func (b *buffer) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || !b.t.Shape().Eq(tensor.Shape(shape)) {
		b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	}
	return b.t
}

// out picks where an op writes: the VM's preallocated value if it fits,
// else the op's own buffer.
func (b *buffer) out(prealloc G.Value, dt tensor.Dtype, shape ...int) (*tensor.Dense, error) {
	if prealloc != nil {
		d, ok := prealloc.(*tensor.Dense)
		if !ok || d.Dtype() != dt || !d.Shape().Eq(tensor.Shape(shape)) {
			return nil, fmt.Errorf("nodes: preallocated value %T %v does not fit %v%v", prealloc, prealloc.Shape(), dt, shape)
		}
		return d, nil
	}
	return b.get(dt, shape...), nil
}

// dense checks that inputs are n dense tensors of one float dtype.
func dense(op string, n int, inputs []G.Value) ([]*tensor.Dense, error) {
	if len(inputs) != n {
		return nil, fmt.Errorf("nodes: %s: want %d inputs, got %d", op, n, len(inputs))
	}
	ds := make([]*tensor.Dense, n)
	for i, v := range inputs {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("nodes: %s: input %d is %T, want *tensor.Dense", op, i, v)
		}
		if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
			return nil, fmt.Errorf("%w: %s: input %d is %v", ErrDtype, op, i, d.Dtype())
		}
		if d.Dtype() != inputs[0].Dtype() {
			return nil, fmt.Errorf("%w: %s: input %d is %v, input 0 is %v", ErrDtype, op, i, d.Dtype(), inputs[0].Dtype())
		}
		ds[i] = d
	}
	return ds, nil
}

// opBase gives the methods every op here answers the same way.
type opBase struct{ name string }

func (o opBase) ReturnsPtr() bool      { return false }
func (o opBase) CallsExtern() bool     { return false }
func (o opBase) OverwritesInput() int  { return -1 }
func (o opBase) String() string        { return o.name }
func (o opBase) WriteHash(h hash.Hash) { fmt.Fprint(h, o.name) }
func (o opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

// Type helpers: the ops are polymorphic in the element type a.
var elem = hm.TypeVariable('a')

func matrixType() G.TensorType { return G.TensorType{Dims: 2, Of: elem} }
func vectorType() G.TensorType { return G.TensorType{Dims: 1, Of: elem} }
