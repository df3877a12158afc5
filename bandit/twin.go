package bandit

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// twin is the BBB network's deterministic twin, for the epsilon-greedy
// agents: the same layers (the project's fused Linear and LinearReLU ops)
// with weights that are plain values, the BBB network's means, and the
// same Gaussian log-likelihood without a KL. It is the BBB network at
// eps = 0 and KL weight 0, without computing sigma, eps or the KL that
// would be multiplied by zero.
type twin struct {
	g      *G.ExprGraph
	x, y   *G.Node
	params G.Nodes // per layer w, b
	grads  G.Nodes
	layers []twinLayer
}

// twinLayer is a twin layer's weights and biases (nodes of params).
type twinLayer struct{ w, b *G.Node }

// newTwin builds the twin of gc for rows inputs, its weights copied from
// the means of bbb (a network of the same config).
func newTwin(gc graph.Config, rows int, bbb *graph.Network) (*twin, error) {
	c := gc.WithDefaults()
	g := G.NewGraph()
	dt := tensor.Float32
	t := &twin{g: g}
	t.x = G.NewMatrix(g, dt, G.WithShape(rows, c.Inputs), G.WithName("x"),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(rows, c.Inputs))))
	t.y = G.NewMatrix(g, dt, G.WithShape(rows, 1), G.WithName("y"),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(rows, 1))))
	h := t.x
	for i, l := range bbb.Layers {
		w := G.NewMatrix(g, dt, G.WithShape(l.WMu.Shape()...), G.WithName(fmt.Sprintf("w%d", i)),
			G.WithValue(l.WMu.Value().(*tensor.Dense).Clone().(*tensor.Dense)))
		b := G.NewVector(g, dt, G.WithShape(l.BMu.Shape()...), G.WithName(fmt.Sprintf("b%d", i)),
			G.WithValue(l.BMu.Value().(*tensor.Dense).Clone().(*tensor.Dense)))
		var err error
		if i < len(bbb.Layers)-1 {
			h, err = nodes.LinearReLU(h, w, b)
		} else {
			h, err = nodes.Linear(h, w, b)
		}
		if err != nil {
			return nil, fmt.Errorf("bandit: twin layer %d: %w", i, err)
		}
		t.params = append(t.params, w, b)
		t.layers = append(t.layers, twinLayer{w, b})
	}
	logLik, err := nodes.GaussianLogLik(t.y, h, c.LikelihoodSigma)
	if err != nil {
		return nil, fmt.Errorf("bandit: twin likelihood: %w", err)
	}
	loss, err := G.Neg(logLik)
	if err != nil {
		return nil, err
	}
	if t.grads, err = G.Grad(loss, t.params...); err != nil {
		return nil, fmt.Errorf("bandit: twin gradients: %w", err)
	}
	return t, nil
}
