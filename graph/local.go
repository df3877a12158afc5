package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/nodes"
)

// Estimator is how a layer's output is sampled.
type Estimator int

const (
	// Reparam samples the weights, w = mu + sigma ⊙ eps, one eps per weight
	// (the seed's).
	Reparam Estimator = iota
	// LocalReparam samples the pre-activations instead (Kingma et al.
	// 2015): x·μW + μb + sqrt((x⊙x)·σW² + σb²) ⊙ eps, with eps (rows × out)
	// an input node per layer. No weight sample is left for a Monte-Carlo
	// KL, so it needs KLClosed.
	LocalReparam
)

// String is "reparam" or "local".
func (e Estimator) String() string {
	switch e {
	case Reparam:
		return "reparam"
	case LocalReparam:
		return "local"
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

func (c Config) validateEstimator() error {
	switch {
	case c.Estimator != Reparam && c.Estimator != LocalReparam:
		return fmt.Errorf("graph: estimator %v: want Reparam or LocalReparam", c.Estimator)
	case c.Estimator == LocalReparam && c.KL != KLClosed:
		return fmt.Errorf("graph: local reparameterisation: needs kl closed (no weight sample is left for a Monte-Carlo KL)")
	}
	return nil
}

// local is layer l's output by local reparameterisation of x's
// pre-activations: mean and variance by the layer's dense op (fused or
// stock), then mean + sqrt(var) ⊙ l.OutEps and, if relu, a ReLU.
func (o hostOps) local(x *G.Node, l *Layer, relu bool) (*G.Node, error) {
	mean, err := o.dense(x, l.WMu, l.BMu, false)
	if err != nil {
		return nil, err
	}
	x2, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	w2, err := G.Square(l.WSigma)
	if err != nil {
		return nil, err
	}
	b2, err := G.Square(l.BSigma)
	if err != nil {
		return nil, err
	}
	v, err := o.dense(x2, w2, b2, false)
	if err != nil {
		return nil, err
	}
	sd, err := G.Sqrt(v)
	if err != nil {
		return nil, err
	}
	a, err := o.sample(mean, nil, sd, l.OutEps)
	if err != nil {
		return nil, err
	}
	if !relu {
		return a, nil
	}
	if o.c.StockOps {
		return G.Rectify(a)
	}
	return nodes.ReLU(a)
}
