package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/vecmath"
)

// Likelihoods with a noise scale that is learned: one scale for all
// targets (LearnedGaussianLogLik) or one per target from the network
// (HeteroGaussianLogLik). Each is one node whose gradients are hand-written
// ops; values and sums are computed in float64.

// SoftplusAt is log(1 + e^x), without overflow.
func SoftplusAt(x float64) float64 { return vecmath.SoftplusAt(x) }

// SoftplusInv is the x with SoftplusAt(x) = s, for s > 0.
func SoftplusInv(s float64) float64 { return s + math.Log(-math.Expm1(-s)) }

func sigmoidAt(x float64) float64 { return vecmath.SigmoidAt(x) }

// HeteroScale maps a heteroscedastic raw output to its scale:
// Min + softplus(raw + Shift). Shift sets the scale at raw = 0 (the
// graph starts it at its LikelihoodSigma, as the fixed likelihood's).
type HeteroScale struct{ Min, Shift float64 }

// Sigma is the scale raw stands for.
func (h HeteroScale) Sigma(raw float64) float64 { return h.Min + SoftplusAt(raw+h.Shift) }

// Validate reports a negative or non-finite floor or a non-finite shift.
func (h HeteroScale) Validate() error {
	if !(h.Min >= 0) || math.IsInf(h.Min, 0) || math.IsNaN(h.Shift) || math.IsInf(h.Shift, 0) {
		return fmt.Errorf("nodes: HeteroScale{Min: %v, Shift: %v}: need a finite min >= 0 and a finite shift", h.Min, h.Shift)
	}
	return nil
}

// LearnedGaussianLogLik returns Σ_i log N(y_i | pred_i, sigma²), a scalar
// node, for a learned scale sigma: a 1-element vector node (softplus of a
// learnable, say). Gradients: ∂/∂pred_i = (y_i - pred_i)/sigma²,
// ∂/∂sigma = Σ_i (y_i - pred_i)²/sigma³ - n/sigma.
func LearnedGaussianLogLik(y, pred, sigma *G.Node) (*G.Node, error) {
	if err := checkLearned("sigma", y, pred, sigma); err != nil {
		return nil, err
	}
	return applyLoss("LearnedGaussianLogLik", learnedLL{}, y, pred, sigma)
}

// checkLearned checks LearnedGaussianLogLik's inputs (and its resident
// form's, whose scale input is rho): y and pred of one shape, the scale
// one element, all of one dtype.
func checkLearned(scale string, y, pred, s *G.Node) error {
	if err := sameShape("LearnedGaussianLogLik y/pred", y, pred); err != nil {
		return err
	}
	if err := sameDtype("LearnedGaussianLogLik", y, pred, s); err != nil {
		return err
	}
	if s.Shape().TotalSize() != 1 {
		return fmt.Errorf("%w: LearnedGaussianLogLik: %s has shape %v, want one element", ErrShape, scale, s.Shape())
	}
	return nil
}

// HeteroGaussianLogLik returns Σ_ij log N(y_ij | out_ij, s_ij²) with
// s_ij = scale.Sigma(out_i,k+j): out (rows × 2k) holds k means, then k raw
// scales, per row of y (rows × k).
func HeteroGaussianLogLik(y, out *G.Node, scale HeteroScale) (*G.Node, error) {
	k, err := heteroOf(y, out, scale)
	if err != nil {
		return nil, err
	}
	return applyLoss(k.name(), k, y, out)
}

// heteroOf checks HeteroGaussianLogLik's inputs and returns its kernel.
func heteroOf(y, out *G.Node, scale HeteroScale) (heteroLL, error) {
	if err := scale.Validate(); err != nil {
		return heteroLL{}, err
	}
	ys, os := y.Shape(), out.Shape()
	if len(ys) != 2 || len(os) != 2 || ys[0] != os[0] || os[1] != 2*ys[1] {
		return heteroLL{}, fmt.Errorf("%w: HeteroGaussianLogLik: y %v, out %v: want rows × k and rows × 2k", ErrShape, ys, os)
	}
	if err := sameDtype("HeteroGaussianLogLik", y, out); err != nil {
		return heteroLL{}, err
	}
	return heteroLL{h: scale, k: ys[1]}, nil
}

func (h heteroLL) name() string {
	return fmt.Sprintf("HeteroGaussianLogLik(min σ=%g, shift %g)", h.h.Min, h.h.Shift)
}

// lossKernel computes a scalar log-likelihood and its gradients on host
// float64 copies of the inputs (y first; y gets no gradient).
type lossKernel interface {
	value(in [][]float64) float64
	// grad writes g · ∂value/∂in[which] into out.
	grad(in [][]float64, which int, g float64, out []float64)
}

type learnedLL struct{}

func (learnedLL) value(in [][]float64) float64 {
	y, p, s := in[0], in[1], in[2][0]
	var ss float64
	for i := range y {
		d := y[i] - p[i]
		ss += d * d
	}
	return -0.5*ss/(s*s) - float64(len(y))*(math.Log(s)+halfLog2Pi)
}

func (learnedLL) grad(in [][]float64, which int, g float64, out []float64) {
	y, p, s := in[0], in[1], in[2][0]
	if which == 1 {
		k := g / (s * s)
		for i := range y {
			out[i] = (y[i] - p[i]) * k
		}
		return
	}
	var ss float64
	for i := range y {
		d := y[i] - p[i]
		ss += d * d
	}
	out[0] = (ss/(s*s*s) - float64(len(y))/s) * g
}

type heteroLL struct {
	h HeteroScale
	k int
}

func (h heteroLL) value(in [][]float64) float64 {
	y, o := in[0], in[1]
	var ll float64
	for r := 0; r < len(y)/h.k; r++ {
		for j := 0; j < h.k; j++ {
			mu, s := o[r*2*h.k+j], h.h.Sigma(o[r*2*h.k+h.k+j])
			z := (y[r*h.k+j] - mu) / s
			ll += -0.5*z*z - math.Log(s) - halfLog2Pi
		}
	}
	return ll
}

func (h heteroLL) grad(in [][]float64, _ int, g float64, out []float64) {
	y, o := in[0], in[1]
	for r := 0; r < len(y)/h.k; r++ {
		for j := 0; j < h.k; j++ {
			im, is := r*2*h.k+j, r*2*h.k+h.k+j
			raw := o[is]
			s := h.h.Sigma(raw)
			d := y[r*h.k+j] - o[im]
			out[im] = d / (s * s) * g
			out[is] = (d*d/(s*s*s) - 1/s) * sigmoidAt(raw+h.h.Shift) * g
		}
	}
}

func applyLoss(name string, k lossKernel, in ...*G.Node) (*G.Node, error) {
	dims := make([]int, len(in))
	for i, n := range in {
		dims[i] = n.Shape().Dims()
	}
	n, err := G.ApplyOp(&lossOp{opBase: opBase{name}, k: k, dims: dims}, in...)
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", name, err)
	}
	return n, nil
}

// lossOp is a scalar log-likelihood node.
type lossOp struct {
	opBase
	k    lossKernel
	dims []int
	in   [][]float64 // float64 copies of the inputs, reused
}

func (op *lossOp) Arity() int { return len(op.dims) }
func (op *lossOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.dims)+1)
	for _, d := range op.dims {
		ts = append(ts, G.TensorType{Dims: d, Of: elem})
	}
	return hm.NewFnType(append(ts, elem)...)
}
func (op *lossOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *lossOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, len(op.dims), in)
	if err != nil {
		return nil, err
	}
	op.in = floatsOf(op.in, ts)
	v := op.k.value(op.in)
	if ts[0].Dtype() == tensor.Float32 {
		return G.NewF32(float32(v)), nil
	}
	return G.NewF64(v), nil
}
func (op *lossOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := 1; i < n; i++ {
		d[i] = true
	}
	return d
}
func (op *lossOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	for w := 1; w < len(in); w++ {
		args := append(append(G.Nodes{}, in...), grad)
		n, err := G.ApplyOp(&lossGradOp{opBase: opBase{fmt.Sprintf("%s.d%d", op.name, w)}, k: op.k, dims: op.dims, which: w}, args...)
		if err != nil {
			return nil, err
		}
		out[w] = n
	}
	return out, nil
}

// lossGradOp is g · ∂loss/∂input[which], shaped like that input.
type lossGradOp struct {
	opBase
	k     lossKernel
	dims  []int
	which int
	in    [][]float64
	tmp   []float64
	buf   buffer
}

func (op *lossGradOp) Arity() int { return len(op.dims) + 1 }
func (op *lossGradOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.dims)+2)
	for _, d := range op.dims {
		ts = append(ts, G.TensorType{Dims: d, Of: elem})
	}
	ts = append(ts, elem, G.TensorType{Dims: op.dims[op.which], Of: elem})
	return hm.NewFnType(ts...)
}
func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[op.which].(tensor.Shape).Clone(), nil
}
func (op *lossGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *lossGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	n := len(op.dims)
	if len(in) != n+1 {
		return nil, fmt.Errorf("nodes: %s: want %d inputs, got %d", op.name, n+1, len(in))
	}
	ts, err := dense(op.name, n, in[:n])
	if err != nil {
		return nil, err
	}
	g, err := ScalarValue(in[n])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	op.in = floatsOf(op.in, ts)
	w := ts[op.which]
	out, err := op.buf.out(prealloc, w.Dtype(), w.Shape()...)
	if err != nil {
		return nil, err
	}
	if cap(op.tmp) < w.Size() {
		op.tmp = make([]float64, w.Size())
	}
	tmp := op.tmp[:w.Size()]
	op.k.grad(op.in, op.which, g, tmp)
	switch d := out.Data().(type) {
	case []float32:
		for i, v := range tmp {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, tmp)
	}
	return out, nil
}

// floatsOf copies each tensor into a float64 slice of dst (reused).
func floatsOf(dst [][]float64, ts []*tensor.Dense) [][]float64 {
	if len(dst) != len(ts) {
		dst = make([][]float64, len(ts))
	}
	for i, t := range ts {
		n := t.Size()
		if cap(dst[i]) < n {
			dst[i] = make([]float64, n)
		}
		dst[i] = dst[i][:n]
		switch d := t.Data().(type) {
		case []float32:
			for j, v := range d {
				dst[i][j] = float64(v)
			}
		case []float64:
			copy(dst[i], d)
		}
	}
	return dst
}
