package bandit

import (
	"math/rand/v2"

	"github.com/bbb-go/bbb/internal/vecmath"
)

// layerView is one layer's parameters as the host reads them: the float32
// slices of the tensors the optimiser updates in place. wRho and bRho are
// nil for the deterministic twin.
type layerView struct {
	in, out          int
	wMu, wRho        []float32 // in × out, row-major
	bMu, bRho        []float32
	sigma, row, bias []float32 // scratch
}

// actor computes the predicted reward of both actions for one context on
// the host. A context is one-hot, so the first layer needs only the rows
// of the 22 attributes' categories and of the action: with one weight
// draw per step (Thompson sampling) only the weights that reach the
// output are drawn, which is the same draw in distribution as drawing them
// all and costs a fraction of a graph run.
type actor struct {
	layers []layerView
	h, n   [numActions][]float32 // activations of the current layer, the next
	width  int                   // context columns (actions follow)
}

func newActor(layers []layerView, width int) *actor {
	a := &actor{layers: layers, width: width}
	maxW := 0
	for i := range a.layers {
		l := &a.layers[i]
		l.sigma = make([]float32, l.out)
		l.row = make([]float32, l.out)
		l.bias = make([]float32, l.out)
		maxW = max(maxW, l.out)
	}
	for k := range numActions {
		a.h[k], a.n[k] = make([]float32, maxW), make([]float32, maxW)
	}
	return a
}

// draw fills dst with mu + softplus(rho)·eps, or with mu when rng is nil.
func draw(dst, mu, rho, sigma []float32, rng *rand.Rand) {
	if rng == nil || rho == nil {
		copy(dst, mu)
		return
	}
	vecmath.Softplus(sigma[:len(rho)], rho)
	for i := range dst {
		dst[i] = mu[i] + sigma[i]*float32(rng.NormFloat64())
	}
}

// predict returns the predicted reward of passing and of eating mushroom
// hot (its one-hot columns): at the means (rng nil) or at one weight draw.
func (a *actor) predict(hot []int32, rng *rand.Rand) [numActions]float32 {
	l0 := &a.layers[0]
	out := l0.out
	// The context's share of the first layer, shared by both actions.
	ctx := a.n[0][:out]
	draw(ctx, l0.bMu, l0.bRho, l0.sigma, rng)
	add := func(dst []float32, j int) {
		lo, hi := j*out, (j+1)*out
		var rho []float32
		if l0.wRho != nil {
			rho = l0.wRho[lo:hi]
		}
		draw(l0.row, l0.wMu[lo:hi], rho, l0.sigma, rng)
		for i, v := range l0.row {
			dst[i] += v
		}
	}
	for _, j := range hot {
		add(ctx, int(j))
	}
	for k := range numActions {
		h := a.h[k][:out]
		copy(h, ctx)
		add(h, a.width+k)
		if len(a.layers) > 1 {
			relu(h)
		}
	}
	for li := 1; li < len(a.layers); li++ {
		l := &a.layers[li]
		for k := range numActions {
			clear(a.n[k][:l.out])
		}
		for j := range l.in {
			var rho []float32
			if l.wRho != nil {
				rho = l.wRho[j*l.out : (j+1)*l.out]
			}
			draw(l.row, l.wMu[j*l.out:(j+1)*l.out], rho, l.sigma, rng)
			for k := range numActions {
				if x := a.h[k][j]; x != 0 {
					nk := a.n[k][:l.out]
					for i, v := range l.row {
						nk[i] += x * v
					}
				}
			}
		}
		draw(l.bias, l.bMu, l.bRho, l.sigma, rng)
		for k := range numActions {
			nk := a.n[k][:l.out]
			for i, v := range l.bias {
				nk[i] += v
			}
			if li < len(a.layers)-1 {
				relu(nk)
			}
			a.h[k], a.n[k] = a.n[k], a.h[k]
		}
	}
	return [numActions]float32{a.h[0][0], a.h[1][0]}
}

func relu(v []float32) {
	for i, x := range v {
		if x < 0 {
			v[i] = 0
		}
	}
}
