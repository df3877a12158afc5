package nodes

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/parallel"
	"github.com/bbb-go/bbb/internal/vecmath"
)

// densityKernels are a prior's per-element log-density and its derivative
// (times an upstream vector), for the fused KL op. Normal and ScaleMixture
// have them.
type densityKernels interface {
	logProbKernel() kernel  // out = log p(in[0])
	dLogProbKernel() kernel // out = d log p/dw at in[0], times in[1]
}

// klSample is the one-sample KL estimate Σ_i log N(w_i | mu_i, s_i²) -
// log p(w_i) as one node: what NormalLogProb, the prior's LogProb, Sub and
// Sum compute as four (and their gradients as seven, one of them a
// broadcast of the scalar upstream gradient). On the MNIST model's 478000
// weights that was a third of a step's time in copies. The sum is taken in
// float64.
func klSample(w, mu, sigma *G.Node, prior Prior, k densityKernels) (*G.Node, error) {
	if err := sameShape("KL w/mu", w, mu); err != nil {
		return nil, err
	}
	if err := sameShape("KL w/sigma", w, sigma); err != nil {
		return nil, err
	}
	if err := sameDtype("KL", w, mu, sigma); err != nil {
		return nil, err
	}
	op := &klSampleOp{opBase: opBase{"KL(q‖" + prior.String() + ")"}, k: k, dims: w.Shape().Dims()}
	n, err := G.ApplyOp(op, w, mu, sigma)
	if err != nil {
		return nil, fmt.Errorf("nodes: KL: %w", err)
	}
	return n, nil
}

type klSampleOp struct {
	opBase
	k        densityKernels
	dims     int
	q, p     buffer        // log q and log p per weight (reused)
	ones     buffer        // the upstream vector of dLogProbKernel in the gradient
	filled   *tensor.Dense // the ones buffer once filled
	gradBufs [3]buffer
}

func (op *klSampleOp) Arity() int { return 3 }
func (op *klSampleOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, t, elem)
}
func (op *klSampleOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *klSampleOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := sameSize(op.name, 3, in)
	if err != nil {
		return nil, err
	}
	w := ts[0]
	q, p := op.q.get(w.Dtype(), w.Size()), op.p.get(w.Dtype(), w.Size())
	var kl float64
	switch w.Dtype() {
	case tensor.Float32:
		ws, mus, ss := ts[0].Float32s(), ts[1].Float32s(), ts[2].Float32s()
		qs, ps := q.Float32s(), p.Float32s()
		parallel.For(len(ws), func(lo, hi int) {
			vecmath.NormalLogProb(qs[lo:hi], ws[lo:hi], mus[lo:hi], ss[lo:hi])
			op.k.logProbKernel().f32(ps[lo:hi], ws[lo:hi])
		})
		kl = sumDiff(qs, ps) // in order: the same sum at any worker count
		return G.NewF32(float32(kl)), nil
	default:
		ws := ts[0].Float64s()
		normalLogProb(q.Float64s(), ws, ts[1].Float64s(), ts[2].Float64s())
		op.k.logProbKernel().f64(p.Float64s(), ws)
		kl = sumDiff(q.Float64s(), p.Float64s())
		return G.NewF64(kl), nil
	}
}

// sumDiff is Σ (q_i - p_i) in float64.
func sumDiff[T linalg.Float](q, p []T) float64 {
	p = p[:len(q)]
	var s float64
	for i := range q {
		s += float64(q[i] - p[i])
	}
	return s
}

func (op *klSampleOp) DiffWRT(int) []bool { return []bool{true, true, true} }
func (op *klSampleOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, 3)
	for i, name := range []string{".dw", ".dmu", ".dsigma"} {
		n, err := G.ApplyOp(&klSampleGradOp{opBase: opBase{op.name + name}, kl: op, which: i}, in[0], in[1], in[2], grad)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// klSampleGradOp is g times the KL's derivative with respect to input
// which (0: w, 1: mu, 2: sigma); with r = w - mu:
//
//	∂/∂w = -r/s² - d log p/dw,  ∂/∂mu = r/s²,  ∂/∂s = r²/s³ - 1/s
type klSampleGradOp struct {
	opBase
	kl    *klSampleOp
	which int
}

func (op *klSampleGradOp) Arity() int { return 4 }
func (op *klSampleGradOp) Type() hm.Type {
	t := G.TensorType{Dims: op.kl.dims, Of: elem}
	return hm.NewFnType(t, t, t, elem, t)
}
func (op *klSampleGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *klSampleGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *klSampleGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("nodes: %s: want 4 inputs, got %d", op.name, len(in))
	}
	ts, err := sameSize(op.name, 3, in[:3])
	if err != nil {
		return nil, err
	}
	g, err := ScalarValue(in[3])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	w := ts[0]
	out, err := op.kl.gradBufs[op.which].out(prealloc, w.Dtype(), w.Shape()...)
	if err != nil {
		return nil, err
	}
	switch w.Dtype() {
	case tensor.Float32:
		var ones []float32
		if op.which == 0 {
			ones = op.kl.onesOf(w).Float32s()
		}
		klGradSplit(op.which, op.kl.k.dLogProbKernel().f32, out.Float32s(), ones, ts[0].Float32s(), ts[1].Float32s(), ts[2].Float32s(), float32(g))
	default:
		var ones []float64
		if op.which == 0 {
			ones = op.kl.onesOf(w).Float64s()
		}
		klGradSplit(op.which, op.kl.k.dLogProbKernel().f64, out.Float64s(), ones, ts[0].Float64s(), ts[1].Float64s(), ts[2].Float64s(), g)
	}
	return out, nil
}

// klGradSplit is klGrad over parallel.For's ranges; for w (which 0) each
// range first gets the prior's d log p/dw from dlogp (times ones).
func klGradSplit[T linalg.Float](which int, dlogp func([]T, ...[]T), out, ones, w, mu, s []T, g T) {
	parallel.For(len(w), func(lo, hi int) {
		if which == 0 {
			dlogp(out[lo:hi], w[lo:hi], ones[lo:hi])
		}
		klGrad(which, out[lo:hi], w[lo:hi], mu[lo:hi], s[lo:hi], g)
	})
}

// onesOf is a vector of ones shaped like w, filled when (re)allocated.
func (op *klSampleOp) onesOf(w *tensor.Dense) *tensor.Dense {
	b := op.ones.get(w.Dtype(), w.Size())
	if b == op.filled {
		return b
	}
	op.filled = b
	switch d := b.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 1
		}
	case []float64:
		for i := range d {
			d[i] = 1
		}
	}
	return b
}

// klGrad writes g·∂KL/∂(w, mu or s) into out; for w, out holds d log p/dw
// on entry.
func klGrad[T linalg.Float](which int, out, w, mu, s []T, g T) {
	out, mu, s = out[:len(w)], mu[:len(w)], s[:len(w)]
	switch which {
	case 0:
		for i := range w {
			out[i] = g * (-(w[i]-mu[i])/(s[i]*s[i]) - out[i])
		}
	case 1:
		for i := range w {
			out[i] = g * (w[i] - mu[i]) / (s[i] * s[i])
		}
	default:
		for i := range w {
			r := (w[i] - mu[i]) / s[i]
			out[i] = g * (r*r - 1) / s[i]
		}
	}
}

// sameSize checks n dense float inputs of one dtype and one size.
func sameSize(name string, n int, in []G.Value) ([]*tensor.Dense, error) {
	ts, err := dense(name, n, in)
	if err != nil {
		return nil, err
	}
	for _, t := range ts[1:] {
		if t.Size() != ts[0].Size() {
			return nil, fmt.Errorf("%w: %s: %v vs %v", ErrShape, name, ts[0].Shape(), t.Shape())
		}
	}
	return ts, nil
}
