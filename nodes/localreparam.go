package nodes

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The resident ops of local reparameterisation (graph/local.go's resident
// form): with Gorgonia's Mul (cuBLAS's GEMM on the GPU) and BiasAct they
// make a layer's pre-activation mean x·mu_w + b_mu and variance
// (x⊙x)·sigma_w² + sigma_b², and its output act(mean + sqrt(var) ⊙ eps).
// Each op is elementwise, with a hand-written gradient and, in the CUDA
// build, one kernel per node (nodes/kernels/bbb.cu, "local
// reparameterisation") of the same formula as its Go code here.

// Square returns x ⊙ x. Gradient: d/dx = 2 x g.
func Square(x *G.Node) (*G.Node, error) {
	return applyMap(&mapSquare, x)
}

// SoftplusSquare returns softplus(rho)², a variance from its rho.
// Gradient: d/drho = 2 softplus(rho) sigmoid(rho) g.
func SoftplusSquare(rho *G.Node) (*G.Node, error) {
	return applyMap(&mapSoftplusSquare, rho)
}

// LocalOut returns act(mean + sqrt(v) ⊙ eps), act = ReLU when relu, else
// the identity: the pre-activations sampled from N(mean, v). Gradients,
// where the output is > 0 (everywhere without ReLU): d/dmean = g, d/dv =
// g eps / (2 sqrt(v)); eps gets none.
func LocalOut(mean, v, eps *G.Node, relu bool) (*G.Node, error) {
	if err := sameShape("LocalOut mean/v", mean, v); err != nil {
		return nil, err
	}
	if err := sameShape("LocalOut mean/eps", mean, eps); err != nil {
		return nil, err
	}
	kind := mapLocalOut
	if relu {
		kind = mapLocalOutReLU
	}
	return applyMap(kind, mean, v, eps)
}

// mapKind is one of the elementwise formulas below: its name, its arity,
// its Go code, and its CUDA kernel, launched as kernel(out, in..., n).
type mapKind struct {
	name   string
	kernel string
	arity  int
	f      func(x []float64) float64
	// diff makes the gradient nodes w.r.t. each input (nil: none) from the
	// inputs, the output and the upstream gradient.
	diff func(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
}

var (
	mapSquare = mapKind{name: "Square", kernel: "bbb_square", arity: 1,
		f: func(x []float64) float64 { return x[0] * x[0] },
		diff: func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
			return gradNodes(applyMap(&mapSquareGrad, grad, in[0]))
		}}
	// mapSquareGrad is 2 x g, inputs (g, x).
	mapSquareGrad = mapKind{name: "Square.dx", kernel: "bbb_square_grad", arity: 2,
		f: func(x []float64) float64 { return 2 * x[1] * x[0] }}

	mapSoftplusSquare = mapKind{name: "SoftplusSquare", kernel: "bbb_softplus_sq", arity: 1,
		f: func(x []float64) float64 { s := softplus64(x[0]); return s * s },
		diff: func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
			return gradNodes(applyMap(&mapSoftplusSquareGrad, grad, in[0]))
		}}
	// mapSoftplusSquareGrad is 2 softplus(rho) sigmoid(rho) g, inputs (g, rho).
	mapSoftplusSquareGrad = mapKind{name: "SoftplusSquare.drho", kernel: "bbb_softplus_sq_grad", arity: 2,
		f: func(x []float64) float64 { return 2 * softplus64(x[1]) * sigmoid64(x[1]) * x[0] }}

	mapLocalOut     = localOutKind(false)
	mapLocalOutReLU = localOutKind(true)
	mapLocalDvar    = localDvarKind(false)
	// mapLocalDvarReLU is mapLocalDvar where the ReLU's output y > 0, else 0.
	mapLocalDvarReLU = localDvarKind(true)
)

// localOutKind is LocalOut's formula, with ReLU when relu.
func localOutKind(relu bool) *mapKind {
	k := &mapKind{name: "LocalOut", kernel: "bbb_local_out", arity: 3,
		f: func(x []float64) float64 { return x[0] + math.Sqrt(x[1])*x[2] }}
	if relu {
		k.name, k.kernel = "LocalOutReLU", "bbb_local_out_relu"
		k.f = func(x []float64) float64 { return reluAt(x[0] + math.Sqrt(x[1])*x[2]) }
	}
	k.diff = func(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
		dmean := grad
		if relu {
			var err error
			if dmean, err = G.ApplyOp(&residentReLUGradOp{residentBase: residentBase{opBase{"LocalOutReLU.dmean"}, 2}}, grad, out); err != nil {
				return nil, err
			}
		}
		dvar := mapLocalDvar
		if relu {
			dvar = mapLocalDvarReLU
		}
		dv, err := applyMap(dvar, grad, out, in[1], in[2])
		if err != nil {
			return nil, err
		}
		return G.Nodes{dmean, dv, nil}, nil
	}
	return k
}

// localDvarKind is d LocalOut / d v times g: g eps / (2 sqrt(v)), inputs
// (g, y, v, eps) with y LocalOut's output; with relu, 0 where y <= 0.
func localDvarKind(relu bool) *mapKind {
	k := &mapKind{name: "LocalOut.dv", kernel: "bbb_local_dvar", arity: 4,
		f: func(x []float64) float64 { return x[0] * x[3] / (2 * math.Sqrt(x[2])) }}
	if relu {
		k.name, k.kernel = "LocalOutReLU.dv", "bbb_local_dvar_relu"
		k.f = func(x []float64) float64 {
			if !(x[1] > 0) {
				return 0
			}
			return x[0] * x[3] / (2 * math.Sqrt(x[2]))
		}
	}
	return k
}

func reluAt(v float64) float64 {
	if v > 0 {
		return v
	}
	return 0
}

// gradNodes is the one gradient node of a unary op.
func gradNodes(d *G.Node, err error) (G.Nodes, error) {
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

// applyMap adds a mapOp of kind to the graph over same-shape inputs.
func applyMap(kind *mapKind, in ...*G.Node) (*G.Node, error) {
	for _, x := range in[1:] {
		if err := sameShape(kind.name, in[0], x); err != nil {
			return nil, err
		}
	}
	if err := sameDtype(kind.name, in...); err != nil {
		return nil, err
	}
	op := &mapOp{residentBase: residentBase{opBase{kind.name}, in[0].Shape().Dims()}, kind: kind}
	n, err := G.ApplyOp(op, in...)
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", kind.name, err)
	}
	return n, nil
}

// mapOp is a resident elementwise op of its kind's formula.
type mapOp struct {
	residentBase
	kind *mapKind
	buf  buffer
}

func (op *mapOp) Arity() int { return op.kind.arity }
func (op *mapOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: elem}
	ts := make([]hm.Type, op.kind.arity+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}
func (op *mapOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *mapOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *mapOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return residentElementwise(op.name, &op.buf, prealloc, in, op.kind.f)
}
func (op *mapOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	if op.kind.diff == nil {
		return d
	}
	for i := range d {
		d[i] = i < 2 // LocalOut's eps (input 2) gets no gradient
	}
	return d
}
func (op *mapOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.kind.diff == nil {
		return nil, fmt.Errorf("nodes: %s: no gradient (it is a gradient op)", op.name)
	}
	return op.kind.diff(in, out, grad)
}
