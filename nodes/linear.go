package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
)

// Linear returns x·w + b: x is a batch (rows × in), w is (in × out) and b a
// vector (out) added to every row. It is one op with a hand-written forward
// (one GEMM, then b added row by row) and a symbolic gradient made of
// three more ops: dx = g·wᵀ, dw = xᵀ·g and db = column sums of g. Gorgonia's
// own Mul + BroadcastAdd does the same math with a repeated copy of b and
// fresh allocations every run.
func Linear(x, w, b *G.Node) (*G.Node, error) {
	return applyLinear("Linear", false, x, w, b)
}

// LinearReLU returns ReLU(x·w + b) as one op: the ReLU runs on the GEMM's
// output while it is still in cache, and the gradient masks the incoming
// gradient once before the three products. Same math as
// ReLU(Linear(x, w, b)), one node and one data-sized buffer fewer.
func LinearReLU(x, w, b *G.Node) (*G.Node, error) {
	return applyLinear("Linear+ReLU", true, x, w, b)
}

func applyLinear(name string, relu bool, x, w, b *G.Node) (*G.Node, error) {
	xs, ws, bs := x.Shape(), w.Shape(), b.Shape()
	if xs.Dims() != 2 || ws.Dims() != 2 || bs.Dims() != 1 {
		return nil, fmt.Errorf("%w: %s: want x matrix, w matrix, b vector; got %v, %v, %v", ErrShape, name, xs, ws, bs)
	}
	if xs[1] != ws[0] || ws[1] != bs[0] {
		return nil, fmt.Errorf("%w: %s: x %v · w %v + b %v", ErrShape, name, xs, ws, bs)
	}
	if err := sameDtype(name, x, w, b); err != nil {
		return nil, err
	}
	out, err := G.ApplyOp(&linearOp{opBase: opBase{name}, relu: relu}, x, w, b)
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", name, err)
	}
	return out, nil
}

type linearOp struct {
	opBase
	relu bool // apply max(·, 0) to the output
	buf  buffer
}

func (op *linearOp) Arity() int { return 3 }
func (op *linearOp) Type() hm.Type {
	return hm.NewFnType(matrixType(), matrixType(), vectorType(), matrixType())
}
func (op *linearOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, w := in[0].(tensor.Shape), in[1].(tensor.Shape)
	return tensor.Shape{x[0], w[1]}, nil
}
func (op *linearOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *linearOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense("Linear", 3, in)
	if err != nil {
		return nil, err
	}
	x, w, b := ts[0], ts[1], ts[2]
	rows, k, n := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	out, err := op.buf.out(prealloc, x.Dtype(), rows, n)
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		o := out.Float32s()
		linalg.Gemm(false, false, rows, n, k, 1, x.Float32s(), k, w.Float32s(), n, 0, o, n)
		if op.relu {
			addBiasReLU32(o, b.Float32s(), rows, n)
		} else {
			addBias(o, b.Float32s(), rows, n)
		}
	default:
		o := out.Float64s()
		linalg.Gemm(false, false, rows, n, k, 1, x.Float64s(), k, w.Float64s(), n, 0, o, n)
		if op.relu {
			addBiasReLU64(o, b.Float64s(), rows, n)
		} else {
			addBias(o, b.Float64s(), rows, n)
		}
	}
	return out, nil
}

// addBias adds b to every row of out, one pass over the GEMM's output.
func addBias[T linalg.Float](out, b []T, rows, n int) {
	b = b[:n]
	for i := 0; i < rows; i++ {
		row := out[i*n : (i+1)*n : (i+1)*n]
		for j := range row {
			row[j] += b[j]
		}
	}
}

// addBiasReLU32 is addBias then the branchless ReLU, in the same pass.
func addBiasReLU32(out, b []float32, rows, n int) {
	b = b[:n]
	for i := 0; i < rows; i++ {
		row := out[i*n : (i+1)*n : (i+1)*n]
		for j := range row {
			u := math.Float32bits(row[j] + b[j])
			row[j] = math.Float32frombits(u &^ uint32(int32(u)>>31))
		}
	}
}

func addBiasReLU64(out, b []float64, rows, n int) {
	b = b[:n]
	for i := 0; i < rows; i++ {
		row := out[i*n : (i+1)*n : (i+1)*n]
		for j := range row {
			u := math.Float64bits(row[j] + b[j])
			row[j] = math.Float64frombits(u &^ uint64(int64(u)>>63))
		}
	}
}

func (op *linearOp) DiffWRT(int) []bool { return []bool{true, true, true} }
func (op *linearOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, w := in[0], in[1]
	if op.relu {
		var err error
		if grad, err = G.ApplyOp(&reluGradOp{opBase: opBase{"ReLU.dx=g·[y>0]"}}, output, grad); err != nil {
			return nil, err
		}
	}
	dx, err := G.ApplyOp(&matMulOp{opBase: opBase{"Linear.dx=g·wᵀ"}, transB: true}, grad, w)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&matMulOp{opBase: opBase{"Linear.dw=xᵀ·g"}, transA: true}, x, grad)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&colSumOp{opBase: opBase{"Linear.db=Σrows g"}}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// matMulOp is op(a)·op(b) with optional transposes, used by Linear's gradient.
type matMulOp struct {
	opBase
	transA, transB bool
	buf            buffer
}

func (op *matMulOp) Arity() int    { return 2 }
func (op *matMulOp) Type() hm.Type { return hm.NewFnType(matrixType(), matrixType(), matrixType()) }
func (op *matMulOp) dims(a, b tensor.Shape) (m, n, k int) {
	m, k = a[0], a[1]
	if op.transA {
		m, k = k, m
	}
	n = b[1]
	if op.transB {
		n = b[0]
	}
	return m, n, k
}
func (op *matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	m, n, _ := op.dims(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{m, n}, nil
}
func (op *matMulOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *matMulOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	a, b := ts[0], ts[1]
	m, n, k := op.dims(a.Shape(), b.Shape())
	out, err := op.buf.out(prealloc, a.Dtype(), m, n)
	if err != nil {
		return nil, err
	}
	lda, ldb := a.Shape()[1], b.Shape()[1]
	switch a.Dtype() {
	case tensor.Float32:
		linalg.Gemm(op.transA, op.transB, m, n, k, 1, a.Float32s(), lda, b.Float32s(), ldb, 0, out.Float32s(), n)
	default:
		linalg.Gemm(op.transA, op.transB, m, n, k, 1, a.Float64s(), lda, b.Float64s(), ldb, 0, out.Float64s(), n)
	}
	return out, nil
}

// colSumOp sums a matrix over its rows, giving one value per column.
type colSumOp struct {
	opBase
	buf buffer
}

func (op *colSumOp) Arity() int    { return 1 }
func (op *colSumOp) Type() hm.Type { return hm.NewFnType(matrixType(), vectorType()) }
func (op *colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{in[0].(tensor.Shape)[1]}, nil
}
func (op *colSumOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *colSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 1, in)
	if err != nil {
		return nil, err
	}
	g := ts[0]
	rows, n := g.Shape()[0], g.Shape()[1]
	out, err := op.buf.out(prealloc, g.Dtype(), n)
	if err != nil {
		return nil, err
	}
	switch g.Dtype() {
	case tensor.Float32:
		linalg.ColSums(rows, n, g.Float32s(), n, out.Float32s())
	default:
		linalg.ColSums(rows, n, g.Float64s(), n, out.Float64s())
	}
	return out, nil
}
