package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/vecmath"
)

// The resident ops below are the weight-side block of a variational layer
// as two nodes: the sample w = mu + softplus(rho)·eps and its KL term. Each
// has a hand-written gradient and, in the CUDA build, one kernel per node
// (nodes/kernels/bbb.cu) with the same formula as the Go code here.

// Sample returns w = mu + softplus(rho) ⊙ eps (same shapes). Its gradients:
// d/dmu = g, d/drho = g ⊙ eps ⊙ sigmoid(rho); eps gets none.
func Sample(mu, rho, eps *G.Node) (*G.Node, error) {
	if err := sameShape("Sample mu/rho", mu, rho); err != nil {
		return nil, err
	}
	if err := sameShape("Sample mu/eps", mu, eps); err != nil {
		return nil, err
	}
	if err := sameDtype("Sample", mu, rho, eps); err != nil {
		return nil, err
	}
	op := &sampleOp{residentBase: residentBase{opBase{"Sample"}, mu.Shape().Dims()}}
	n, err := G.ApplyOp(op, mu, rho, eps)
	if err != nil {
		return nil, fmt.Errorf("nodes: Sample: %w", err)
	}
	return n, nil
}

type sampleOp struct {
	residentBase
	buf buffer
}

func (op *sampleOp) Arity() int { return 3 }
func (op *sampleOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, t, t)
}
func (op *sampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *sampleOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *sampleOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return residentElementwise(op.name, &op.buf, prealloc, in, func(x []float64) float64 {
		return x[0] + softplus64(x[1])*x[2]
	})
}
func (op *sampleOp) DiffWRT(int) []bool { return []bool{true, true, false} }
func (op *sampleOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	drho, err := G.ApplyOp(&sampleDrhoOp{residentBase: residentBase{opBase{"Sample.drho"}, op.dims}}, grad, in[1], in[2])
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, drho, nil}, nil
}

// sampleDrhoOp is g ⊙ eps ⊙ sigmoid(rho), inputs (g, rho, eps).
type sampleDrhoOp struct {
	residentBase
	buf buffer
}

func (op *sampleDrhoOp) Arity() int { return 3 }
func (op *sampleDrhoOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, t, t)
}
func (op *sampleDrhoOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *sampleDrhoOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *sampleDrhoOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return residentElementwise(op.name, &op.buf, prealloc, in, func(x []float64) float64 {
		return x[0] * x[2] * sigmoid64(x[1])
	})
}

// KLTerm returns the Monte-Carlo KL estimate of one weight tensor, a scalar:
// sum_i log q(w_i) - log p(w_i) with w = mu + softplus(rho)·eps, q the
// posterior N(mu, softplus(rho)²) and p the prior: a Normal or a
// ScaleMixture (the priors with a resident kernel; any other is an error).
// Written in eps, log q(w_i) = -log sigma_i - eps_i²/2 - log√(2π). Gradients
// (scalar upstream g, eps held fixed), with d = -d log p/dw at w:
// d/dmu = g d, d/drho = g (d · eps - 1/sigma) sigmoid(rho). For the Normal
// prior N(pm, ps²), d = (w - pm)/ps² and the log√(2π) cancels against the
// prior's; the mixture's log p and d are by log-sum-exp (ScaleMixture.LogProbAt).
func KLTerm(mu, rho, eps *G.Node, prior Prior) (*G.Node, error) {
	p, err := klPriorOf(prior)
	if err != nil {
		return nil, err
	}
	if err := sameShape("KLTerm mu/rho", mu, rho); err != nil {
		return nil, err
	}
	if err := sameShape("KLTerm mu/eps", mu, eps); err != nil {
		return nil, err
	}
	if err := sameDtype("KLTerm", mu, rho, eps); err != nil {
		return nil, err
	}
	op := &klTermOp{residentBase: residentBase{opBase{"KLTerm(prior " + p.klLabel() + ")"}, mu.Shape().Dims()}, prior: p}
	n, err := G.ApplyOp(op, mu, rho, eps)
	if err != nil {
		return nil, fmt.Errorf("nodes: KLTerm: %w", err)
	}
	return n, nil
}

// klPrior is a prior as KLTerm computes it, in float64: one weight's term
// of the KL sum and its gradient, and (the CUDA build) its kernels.
type klPrior interface {
	// klLabel names the prior in the op's name.
	klLabel() string
	// klAt is log q(w) - log p(w) at w = mu + softplus(rho)·eps.
	klAt(mu, rho, eps float64) float64
	// klGradAt is g times d klAt / d mu, or d / d rho when drho.
	klGradAt(g, mu, rho, eps float64, drho bool) float64
	// klKernels is the prefix of the CUDA kernels (_partial, _dmu, _drho)
	// and the prior's parameters they take after n.
	klKernels() (string, []float64)
}

// klPriorOf is prior as KLTerm computes it: a valid Normal, or a valid
// ScaleMixture with its constants computed once.
func klPriorOf(prior Prior) (klPrior, error) {
	switch p := prior.(type) {
	case Normal:
		return p, p.Validate()
	case ScaleMixture:
		return mixtureKL{p, p.consts()}, p.Validate()
	}
	return nil, fmt.Errorf("nodes: KLTerm: prior %v: want a Normal or a ScaleMixture", prior)
}

func (p Normal) klLabel() string { return fmt.Sprintf("N(%g, %g²)", p.Mu, p.Sigma) }

func (p Normal) klAt(mu, rho, eps float64) float64 {
	s := softplus64(rho)
	z := (mu + s*eps - p.Mu) / p.Sigma
	return -math.Log(s) - 0.5*eps*eps + math.Log(p.Sigma) + 0.5*z*z
}

func (p Normal) klGradAt(g, mu, rho, eps float64, drho bool) float64 {
	pm, pv := p.Mu, p.Sigma*p.Sigma
	s := softplus64(rho)
	w := mu + s*eps
	if !drho {
		return g * (w - pm) / pv
	}
	return g * ((w-pm)/pv*eps - 1/s) * sigmoid64(rho)
}

func (p Normal) klKernels() (string, []float64) { return "bbb_kl", []float64{p.Mu, p.Sigma} }

// mixtureKL is a ScaleMixture and its constants (ScaleMixture.consts).
type mixtureKL struct {
	p ScaleMixture
	m vecmath.Mixture
}

func (k mixtureKL) klLabel() string { return k.p.String() }

func (k mixtureKL) klAt(mu, rho, eps float64) float64 {
	s := softplus64(rho)
	return -math.Log(s) - 0.5*eps*eps - halfLog2Pi - k.m.LogProbAt(mu+s*eps)
}

func (k mixtureKL) klGradAt(g, mu, rho, eps float64, drho bool) float64 {
	s := softplus64(rho)
	d := -k.m.DLogProbAt(mu + s*eps)
	if !drho {
		return g * d
	}
	return g * (d*eps - 1/s) * sigmoid64(rho)
}

func (k mixtureKL) klKernels() (string, []float64) {
	return "bbb_klmix", []float64{k.m.C1, k.m.C2, k.m.IV1, k.m.IV2}
}

type klTermOp struct {
	residentBase
	prior klPrior
}

func (op *klTermOp) Arity() int { return 3 }
func (op *klTermOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(t, t, t, elem)
}
func (op *klTermOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op *klTermOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 3, in)
	if err != nil {
		return nil, err
	}
	mu, rho, eps := floats(ts[0]), floats(ts[1]), floats(ts[2])
	var sum float64
	for i := range mu {
		sum += op.prior.klAt(mu[i], rho[i], eps[i])
	}
	if ts[0].Dtype() == tensor.Float32 {
		return G.NewF32(float32(sum)), nil
	}
	return G.NewF64(sum), nil
}
func (op *klTermOp) DiffWRT(int) []bool { return []bool{true, true, false} }
func (op *klTermOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dmu, err := G.ApplyOp(&klGradOp{residentBase: residentBase{opBase{"KLTerm.dmu"}, op.dims}, prior: op.prior}, grad, in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	drho, err := G.ApplyOp(&klGradOp{residentBase: residentBase{opBase{"KLTerm.drho"}, op.dims}, prior: op.prior, rho: true}, grad, in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dmu, drho, nil}, nil
}

// klGradOp is d KLTerm / d mu (or d rho when rho) times the scalar g;
// inputs (g, mu, rho, eps).
type klGradOp struct {
	residentBase
	prior klPrior
	rho   bool
	buf   buffer
}

func (op *klGradOp) Arity() int { return 4 }
func (op *klGradOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	return hm.NewFnType(elem, t, t, t, t)
}
func (op *klGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[1].(tensor.Shape).Clone(), nil
}
func (op *klGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *klGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("nodes: %s: want 4 inputs, got %d", op.name, len(in))
	}
	g, err := ScalarValue(in[0])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	return residentElementwise(op.name, &op.buf, prealloc, in[1:], func(x []float64) float64 {
		return op.prior.klGradAt(g, x[0], x[1], x[2], op.rho)
	})
}

// BiasAct returns act(a + 1·bᵀ) for a (rows × cols) and b (cols): ReLU when
// relu, else the identity. With G.Mul(x, w) before it, it is a dense layer.
// Gradients: d/da = g where the output is > 0 (all of g without ReLU),
// d/db = the column sums of that.
func BiasAct(a, b *G.Node, relu bool) (*G.Node, error) {
	if a.Shape().Dims() != 2 || b.Shape().Dims() != 1 || a.Shape()[1] != b.Shape()[0] {
		return nil, fmt.Errorf("%w: BiasAct: a %v, b %v: want (rows, cols) and (cols)", ErrShape, a.Shape(), b.Shape())
	}
	if err := sameDtype("BiasAct", a, b); err != nil {
		return nil, err
	}
	name := "Bias"
	if relu {
		name = "BiasReLU"
	}
	n, err := G.ApplyOp(&biasActOp{residentBase: residentBase{opBase{name}, 2}, relu: relu}, a, b)
	if err != nil {
		return nil, fmt.Errorf("nodes: BiasAct: %w", err)
	}
	return n, nil
}

type biasActOp struct {
	residentBase
	relu bool
	buf  buffer
}

func (op *biasActOp) Arity() int    { return 2 }
func (op *biasActOp) Type() hm.Type { return hm.NewFnType(matrixType(), vectorType(), matrixType()) }
func (op *biasActOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *biasActOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *biasActOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 2, in)
	if err != nil {
		return nil, err
	}
	a, b := ts[0], ts[1]
	rows, cols := a.Shape()[0], a.Shape()[1]
	if b.Size() != cols {
		return nil, fmt.Errorf("%w: %s: a %v, b %v", ErrShape, op.name, a.Shape(), b.Shape())
	}
	out, err := op.buf.out(prealloc, a.Dtype(), rows, cols)
	if err != nil {
		return nil, err
	}
	switch a.Dtype() {
	case tensor.Float32:
		biasAct(out.Float32s(), a.Float32s(), b.Float32s(), cols, op.relu)
	default:
		biasAct(out.Float64s(), a.Float64s(), b.Float64s(), cols, op.relu)
	}
	return out, nil
}

func biasAct[T float32 | float64](out, a, b []T, cols int, relu bool) {
	for i := range a {
		v := a[i] + b[i%cols]
		if relu && !(v > 0) {
			v = 0
		}
		out[i] = v
	}
}

func (op *biasActOp) DiffWRT(int) []bool { return []bool{true, true} }
func (op *biasActOp) SymDiff(_ G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	da := grad
	if op.relu {
		var err error
		if da, err = G.ApplyOp(&residentReLUGradOp{residentBase: residentBase{opBase{"BiasReLU.da"}, 2}}, grad, out); err != nil {
			return nil, err
		}
	}
	db, err := G.ApplyOp(&residentColSumOp{residentBase: residentBase{opBase{"ColSum"}, 1}}, da)
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db}, nil
}

// residentReLUGradOp is g where y > 0, else 0; inputs (g, y) with y the ReLU's output.
type residentReLUGradOp struct {
	residentBase
	buf buffer
}

func (op *residentReLUGradOp) Arity() int { return 2 }
func (op *residentReLUGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType(), matrixType(), matrixType())
}
func (op *residentReLUGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *residentReLUGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *residentReLUGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return residentElementwise(op.name, &op.buf, prealloc, in, func(x []float64) float64 {
		if x[1] > 0 {
			return x[0]
		}
		return 0
	})
}

// residentColSumOp is the column sums of a matrix, a vector.
type residentColSumOp struct {
	residentBase
	buf buffer
}

func (op *residentColSumOp) Arity() int    { return 1 }
func (op *residentColSumOp) Type() hm.Type { return hm.NewFnType(matrixType(), vectorType()) }
func (op *residentColSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{in[0].(tensor.Shape)[1]}, nil
}
func (op *residentColSumOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *residentColSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	ts, err := dense(op.name, 1, in)
	if err != nil {
		return nil, err
	}
	g := ts[0]
	cols := g.Shape()[1]
	out, err := op.buf.out(prealloc, g.Dtype(), cols)
	if err != nil {
		return nil, err
	}
	sums := make([]float64, cols)
	for i, v := range floats(g) {
		sums[i%cols] += v
	}
	setFloats(out, sums)
	return out, nil
}

// elementwise applies f to the i-th elements of same-size dense inputs
// (in float64) and writes the result in the op's output.
func residentElementwise(name string, buf *buffer, prealloc G.Value, in []G.Value, f func(x []float64) float64) (G.Value, error) {
	ts, err := dense(name, len(in), in)
	if err != nil {
		return nil, err
	}
	for _, t := range ts[1:] {
		if t.Size() != ts[0].Size() {
			return nil, fmt.Errorf("%w: %s: %v vs %v", ErrShape, name, ts[0].Shape(), t.Shape())
		}
	}
	out, err := buf.out(prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	xs := make([][]float64, len(ts))
	for k, t := range ts {
		xs[k] = floats(t)
	}
	res := make([]float64, ts[0].Size())
	x := make([]float64, len(ts))
	for i := range res {
		for k := range xs {
			x[k] = xs[k][i]
		}
		res[i] = f(x)
	}
	setFloats(out, res)
	return out, nil
}

// floats is a float64 copy of a dense tensor's data.
func floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return nil
}

// setFloats writes v into t, converting to t's dtype.
func setFloats(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

func softplus64(x float64) float64 {
	if x > 20 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
