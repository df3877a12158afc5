package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// CategoricalLogLik returns Σ_r Σ_c y_rc · log softmax(logits_r)_c, a
// scalar node: the log-likelihood of class targets y (rows × classes,
// one-hot or any class weights) under the softmax of the network's logits
// (rows × classes). The log-softmax is computed stably (the row's maximum
// subtracted before exp), so logits of any finite size give finite values.
// Its gradient with respect to the logits is
// g · (y_rc − softmax_rc · Σ_c y_rc); y gets none.
func CategoricalLogLik(y, logits *G.Node) (*G.Node, error) {
	k, err := categoricalOf(y, logits)
	if err != nil {
		return nil, err
	}
	return applyLoss("CategoricalLogLik", k, y, logits)
}

// categoricalOf checks CategoricalLogLik's inputs and returns its kernel.
func categoricalOf(y, logits *G.Node) (categoricalLL, error) {
	if err := sameShape("CategoricalLogLik y/logits", y, logits); err != nil {
		return categoricalLL{}, err
	}
	if err := sameDtype("CategoricalLogLik", y, logits); err != nil {
		return categoricalLL{}, err
	}
	s := y.Shape()
	if len(s) != 2 || s[1] < 2 {
		return categoricalLL{}, fmt.Errorf("%w: CategoricalLogLik: y has shape %v, want rows × classes with at least 2 classes", ErrShape, s)
	}
	return categoricalLL{k: s[1]}, nil
}

// LogSoftmax writes the log-softmax of each row of logits (rows × k,
// row-major) into out (same length) and returns out.
func LogSoftmax(logits []float64, k int, out []float64) []float64 {
	for r := 0; r+k <= len(logits); r += k {
		row := logits[r : r+k]
		lse := logSumExp(row)
		for c, z := range row {
			out[r+c] = z - lse
		}
	}
	return out
}

// logSumExp is log Σ exp(z), with the maximum factored out.
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

type categoricalLL struct{ k int }

func (c categoricalLL) value(in [][]float64) float64 {
	y, z := in[0], in[1]
	var ll float64
	for r := 0; r+c.k <= len(y); r += c.k {
		lse := logSumExp(z[r : r+c.k])
		for j := r; j < r+c.k; j++ {
			if y[j] != 0 { // 0·(−inf) would be NaN for an impossible class
				ll += y[j] * (z[j] - lse)
			}
		}
	}
	return ll
}

func (c categoricalLL) grad(in [][]float64, _ int, g float64, out []float64) {
	y, z := in[0], in[1]
	for r := 0; r+c.k <= len(y); r += c.k {
		lse := logSumExp(z[r : r+c.k])
		var mass float64
		for j := r; j < r+c.k; j++ {
			mass += y[j]
		}
		for j := r; j < r+c.k; j++ {
			out[j] = (y[j] - math.Exp(z[j]-lse)*mass) * g
		}
	}
}
