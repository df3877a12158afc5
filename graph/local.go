package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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
	case c.Estimator == LocalReparam && c.Resident:
		return fmt.Errorf("graph: local reparameterisation: the resident (GPU) graph supports only weight sampling")
	}
	return nil
}

// localOut is layer l's output by local reparameterisation of x's
// pre-activations: mean and variance by the layer's dense op (fused or
// stock), then mean + sqrt(var) ⊙ eps and, if relu, a ReLU.
func localOut(g *G.ExprGraph, c Config, l *Layer, i int, x, ones *G.Node, relu bool) (*G.Node, error) {
	rows, out := x.Shape()[0], l.WMu.Shape()[1]
	dt := c.Dtype
	l.OutEps = G.NewMatrix(g, dt, G.WithShape(rows, out), G.WithName(fmt.Sprintf("a_eps%d", i)),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(rows, out))))
	mean, err := dense(c, x, l.WMu, l.BMu, ones, false)
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
	v, err := dense(c, x2, w2, b2, ones, false)
	if err != nil {
		return nil, err
	}
	sd, err := G.Sqrt(v)
	if err != nil {
		return nil, err
	}
	reparameterize := nodes.Reparameterize
	if c.StockOps {
		reparameterize = nodes.StockReparameterize
	}
	a, err := reparameterize(mean, sd, l.OutEps)
	if err != nil {
		return nil, err
	}
	if !relu {
		return a, nil
	}
	if c.StockOps {
		return G.Rectify(a)
	}
	return nodes.ReLU(a)
}
