package train

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/parallel"
	"github.com/bbb-go/bbb/internal/vecmath"
)

// Adam is the Adam optimiser with PyTorch's defaults and update rule
// (β1 0.9, β2 0.999, ε 1e-8 added to the bias-corrected √v). It updates the
// parameter tensors in place and keeps its moments by position: pass the
// same parameters in the same order every step.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	t                     int
	m, v                  []any // []float32 or []float64 per parameter
}

// NewAdam returns Adam with learning rate lr and PyTorch's other defaults.
func NewAdam(lr float64) (*Adam, error) {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return nil, fmt.Errorf("train: learning rate %v: need a finite value > 0", lr)
	}
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, nil
}

// Step applies one update of params by grads (same order, same shapes).
func (a *Adam) Step(params, grads []G.Value) error {
	if len(params) != len(grads) {
		return fmt.Errorf("train: Adam: %d params, %d grads", len(params), len(grads))
	}
	if a.m == nil {
		a.m = make([]any, len(params))
		a.v = make([]any, len(params))
	}
	if len(a.m) != len(params) {
		return fmt.Errorf("train: Adam: %d params, was %d", len(params), len(a.m))
	}
	a.t++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.t))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.t))
	for i := range params {
		p, ok := params[i].(*tensor.Dense)
		if !ok {
			return fmt.Errorf("train: Adam: param %d is %T", i, params[i])
		}
		var err error
		switch p.Dtype() {
		case tensor.Float32:
			err = adamStep[float32](a, i, p, grads[i], bc1, bc2)
		default:
			err = adamStep[float64](a, i, p, grads[i], bc1, bc2)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func adamStep[T linalg.Float](a *Adam, i int, p *tensor.Dense, grad G.Value, bc1, bc2 float64) error {
	w := p.Data().([]T)
	var g []T
	switch gd := grad.Data().(type) {
	case []T:
		g = gd
	case T: // a scalar parameter's gradient comes back as a scalar
		g = []T{gd}
	default:
		return fmt.Errorf("train: Adam: grad %d is %T, param is %v", i, grad.Data(), p.Dtype())
	}
	if len(g) != len(w) {
		return fmt.Errorf("train: Adam: grad %d has %d values, param %d", i, len(g), len(w))
	}
	if a.m[i] == nil {
		a.m[i], a.v[i] = make([]T, len(w)), make([]T, len(w))
	}
	m, v := a.m[i].([]T), a.v[i].([]T)
	b1, b2 := T(a.Beta1), T(a.Beta2)
	step := T(a.LR / bc1)
	rbc2 := T(1 / math.Sqrt(bc2))
	eps := T(a.Eps)
	parallel.For(len(g), func(lo, hi int) { // (vectorised in the OpenBLAS build, the same numbers)
		vecmath.Adam(w[lo:hi], m[lo:hi], v[lo:hi], g[lo:hi], b1, b2, step, rbc2, eps)
	})
	return nil
}
