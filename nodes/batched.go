package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The batched ops run K stochastic forward passes at once, for predictive
// sampling: K weight samples of a layer in one tensor (K, in, out), one
// strided-batched matrix product per layer (cuBLAS in the CUDA build) and
// one bias/ReLU kernel. They have no gradients.

// SampleBatch returns K samples mu + softplus(rho) ⊙ eps[k], a tensor
// (K, shape of mu), for eps of shape (K, shape of mu).
func SampleBatch(mu, rho, eps *G.Node) (*G.Node, error) {
	if err := sameShape("SampleBatch mu/rho", mu, rho); err != nil {
		return nil, err
	}
	if es := eps.Shape(); es.Dims() != mu.Shape().Dims()+1 || !tensor.Shape(es[1:]).Eq(mu.Shape()) {
		return nil, fmt.Errorf("%w: SampleBatch: eps %v for mu %v: want (K, %v)", ErrShape, eps.Shape(), mu.Shape(), mu.Shape())
	}
	if err := sameDtype("SampleBatch", mu, rho, eps); err != nil {
		return nil, err
	}
	op := &sampleBatchOp{residentBase: residentBase{opBase{"SampleBatch"}, mu.Shape().Dims()}}
	n, err := G.ApplyOp(op, mu, rho, eps)
	if err != nil {
		return nil, fmt.Errorf("nodes: SampleBatch: %w", err)
	}
	return n, nil
}

type sampleBatchOp struct {
	residentBase
	buf buffer
}

func (op *sampleBatchOp) Arity() int { return 3 }
func (op *sampleBatchOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	k := G.TensorType{Dims: op.dims + 1, Of: elem}
	return hm.NewFnType(t, t, k, k)
}
func (op *sampleBatchOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[2].(tensor.Shape).Clone(), nil
}
func (op *sampleBatchOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *sampleBatchOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 3, in)
	if err != nil {
		return nil, err
	}
	mu, rho, eps := floats(ts[0]), floats(ts[1]), floats(ts[2])
	out, err := op.buf.out(prealloc, ts[2].Dtype(), ts[2].Shape()...)
	if err != nil {
		return nil, err
	}
	m := len(mu)
	res := make([]float64, len(eps))
	for i := range res {
		res[i] = mu[i%m] + softplus64(rho[i%m])*eps[i]
	}
	setFloats(out, res)
	return out, nil
}

// BatchedMatMul returns a[k] · w[k] for k < K: a is (K, rows, in), or
// (rows, in) shared by every k; w is (K, in, out); the result (K, rows, out).
func BatchedMatMul(a, w *G.Node) (*G.Node, error) {
	as, ws := a.Shape(), w.Shape()
	if ws.Dims() != 3 || (as.Dims() != 2 && as.Dims() != 3) || as[as.Dims()-1] != ws[1] || (as.Dims() == 3 && as[0] != ws[0]) {
		return nil, fmt.Errorf("%w: BatchedMatMul: a %v, w %v: want (K, rows, in) or (rows, in), and (K, in, out)", ErrShape, as, ws)
	}
	if err := sameDtype("BatchedMatMul", a, w); err != nil {
		return nil, err
	}
	op := &batchedMatMulOp{residentBase: residentBase{opBase{"BatchedMatMul"}, 3}, aDims: as.Dims()}
	n, err := G.ApplyOp(op, a, w)
	if err != nil {
		return nil, fmt.Errorf("nodes: BatchedMatMul: %w", err)
	}
	return n, nil
}

type batchedMatMulOp struct {
	residentBase
	aDims int
	buf   buffer
}

func (op *batchedMatMulOp) Arity() int { return 2 }
func (op *batchedMatMulOp) Type() hm.Type {
	k := G.TensorType{Dims: 3, Of: elem}
	return hm.NewFnType(G.TensorType{Dims: op.aDims, Of: elem}, k, k)
}
func (op *batchedMatMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	as, ws := in[0].(tensor.Shape), in[1].(tensor.Shape)
	return tensor.Shape{ws[0], as[as.Dims()-2], ws[2]}, nil
}

// dims returns K, rows, in, out and whether a is shared.
func (op *batchedMatMulOp) dims(a, w tensor.Shape) (k, rows, in, out int, shared bool) {
	return w[0], a[a.Dims()-2], w[1], w[2], a.Dims() == 2
}
func (op *batchedMatMulOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *batchedMatMulOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	k, rows, nin, nout, shared := op.dims(ts[0].Shape(), ts[1].Shape())
	out, err := op.buf.out(prealloc, ts[0].Dtype(), k, rows, nout)
	if err != nil {
		return nil, err
	}
	a, w := floats(ts[0]), floats(ts[1])
	res := make([]float64, k*rows*nout)
	for b := 0; b < k; b++ {
		ab := a
		if !shared {
			ab = a[b*rows*nin:]
		}
		wb := w[b*nin*nout:]
		for r := 0; r < rows; r++ {
			for i := 0; i < nin; i++ {
				x := ab[r*nin+i]
				for o := 0; o < nout; o++ {
					res[(b*rows+r)*nout+o] += x * wb[i*nout+o]
				}
			}
		}
	}
	setFloats(out, res)
	return out, nil
}

// BiasActBatch returns act(a[k] + 1·b[k]ᵀ) for a (K, rows, cols) and b
// (K, cols): ReLU when relu, else the identity.
func BiasActBatch(a, b *G.Node, relu bool) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if as.Dims() != 3 || bs.Dims() != 2 || as[0] != bs[0] || as[2] != bs[1] {
		return nil, fmt.Errorf("%w: BiasActBatch: a %v, b %v: want (K, rows, cols) and (K, cols)", ErrShape, as, bs)
	}
	if err := sameDtype("BiasActBatch", a, b); err != nil {
		return nil, err
	}
	n, err := G.ApplyOp(&biasActBatchOp{residentBase: residentBase{opBase{"BiasActBatch"}, 3}, relu: relu}, a, b)
	if err != nil {
		return nil, fmt.Errorf("nodes: BiasActBatch: %w", err)
	}
	return n, nil
}

type biasActBatchOp struct {
	residentBase
	relu bool
	buf  buffer
}

func (op *biasActBatchOp) Arity() int { return 2 }
func (op *biasActBatchOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: 3, Of: elem}, matrixType(), G.TensorType{Dims: 3, Of: elem})
}
func (op *biasActBatchOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *biasActBatchOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *biasActBatchOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	s := ts[0].Shape()
	rows, cols := s[1], s[2]
	out, err := op.buf.out(prealloc, ts[0].Dtype(), s...)
	if err != nil {
		return nil, err
	}
	a, b := floats(ts[0]), floats(ts[1])
	for i := range a {
		v := a[i] + b[(i/(rows*cols))*cols+i%cols]
		if op.relu && !(v > 0) {
			v = 0
		}
		a[i] = v
	}
	setFloats(out, a)
	return out, nil
}
