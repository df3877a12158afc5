package bandit

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/train"
)

// optimizer updates parameters in place from their gradients (same order
// every step): train.Adam or sgd.
type optimizer interface {
	Step(params, grads []G.Value) error
}

// newRhoOptimizer is the rhos' optimiser: Adam at RhoLR, or SGD at RhoLR
// with Config.RhoSGD (c at its defaults).
func newRhoOptimizer(c Config) (optimizer, error) {
	c = c.WithDefaults()
	if c.RhoSGD {
		return sgd{lr: c.RhoLR}, nil
	}
	return train.NewAdam(c.RhoLR)
}

// sgd is plain gradient descent: p -= lr · g.
type sgd struct{ lr float64 }

func (o sgd) Step(params, grads []G.Value) error {
	if len(params) != len(grads) {
		return fmt.Errorf("bandit: sgd: %d params, %d grads", len(params), len(grads))
	}
	for i := range params {
		p, ok := params[i].(*tensor.Dense)
		if !ok || p.Dtype() != tensor.Float32 {
			return fmt.Errorf("bandit: sgd: param %d is not a float32 tensor", i)
		}
		w := p.Float32s()
		g, ok := grads[i].Data().([]float32)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("bandit: sgd: grad %d does not match param %d", i, i)
		}
		lr := float32(o.lr)
		for j := range w {
			w[j] -= lr * g[j]
		}
	}
	return nil
}

// meanSigma is the mean sigma = log(1 + e^rho) over the rhos of a BBB
// network's weights and biases (0 for a twin, which has none).
func (l *learner) meanSigma() float64 {
	var sum float64
	n := 0
	for _, i := range l.rhoIdx {
		for _, r := range f32(l.params[i]) {
			sum += softplus(float64(r))
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// noiseSigma is the learned likelihood scale softplus(noise_rho) of a BBB
// network with graph.LikLearned (0 for any other network).
func (l *learner) noiseSigma() float64 {
	if l.net == nil || l.net.NoiseRho == nil {
		return 0
	}
	return softplus(float64(f32(l.net.NoiseRho.Value())[0]))
}

// softplus is log(1 + e^x), without overflow for large x.
func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
