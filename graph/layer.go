package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// Layer is one variational linear layer: out = x·W + B with W and B drawn
// from their Normal posteriors by the reparameterisation trick.
type Layer struct {
	WMu, WRho, BMu, BRho *G.Node // learnables
	WEps, BEps           *G.Node // standard-normal inputs, refilled every run
	WSigma, BSigma       *G.Node // softplus(rho)
	W, B                 *G.Node // samples mu + sigma ⊙ eps
	Out                  *G.Node // ReLU(x·W + B) for hidden layers, x·W + B for the last
	KL                   *G.Node // KL estimate of W plus that of B
	// LocalReparam only (local.go): the pre-activations' standard-normal
	// input (rows × out); WEps, BEps, W and B are then nil.
	OutEps *G.Node
}

// newLayer adds layer i (in → out) reading x to g; withKL adds its KL
// node. Every layer but the last ends in a ReLU.
func newLayer(g *G.ExprGraph, c Config, i int, x, ones *G.Node, withKL bool) (*Layer, error) {
	in, out := c.widths(i)
	dt := c.Dtype
	mat := func(name string) *G.Node {
		return G.NewMatrix(g, dt, G.WithShape(in, out), G.WithName(fmt.Sprintf("%s%d", name, i)),
			G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(in, out))))
	}
	vec := func(name string) *G.Node {
		return G.NewVector(g, dt, G.WithShape(out), G.WithName(fmt.Sprintf("%s%d", name, i)),
			G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(out))))
	}
	// (Nodes are made in this order, the seed's: it fixes their IDs.)
	local := c.Estimator == LocalReparam
	l := &Layer{WMu: mat("w_mu"), WRho: mat("w_rho")}
	if !local {
		l.WEps = mat("w_eps")
	}
	l.BMu, l.BRho = vec("b_mu"), vec("b_rho")
	if !local {
		l.BEps = vec("b_eps")
	}
	var err error
	softplus, reparameterize := nodes.Softplus, nodes.Reparameterize
	if c.StockOps {
		// Gorgonia's, with their CUDA kernels
		softplus, reparameterize = nodes.StockSoftplus, nodes.StockReparameterize
	}
	if l.WSigma, err = softplus(l.WRho); err != nil {
		return nil, err
	}
	if l.BSigma, err = softplus(l.BRho); err != nil {
		return nil, err
	}
	if c.Estimator == LocalReparam {
		G.WithName(fmt.Sprintf("w_sigma%d", i))(l.WSigma)
		G.WithName(fmt.Sprintf("b_sigma%d", i))(l.BSigma)
		if l.Out, err = localOut(g, c, l, i, x, ones, i < c.Layers-1); err != nil {
			return nil, err
		}
		return l, l.addKL(c, i, withKL)
	}
	if l.W, err = reparameterize(l.WMu, l.WSigma, l.WEps); err != nil {
		return nil, err
	}
	if l.B, err = reparameterize(l.BMu, l.BSigma, l.BEps); err != nil {
		return nil, err
	}
	for node, name := range map[*G.Node]string{l.WSigma: "w_sigma", l.BSigma: "b_sigma", l.W: "w", l.B: "b"} {
		G.WithName(fmt.Sprintf("%s%d", name, i))(node)
	}
	if l.Out, err = dense(c, x, l.W, l.B, ones, i < c.Layers-1); err != nil {
		return nil, err
	}
	return l, l.addKL(c, i, withKL)
}

// addKL adds the layer's KL node (if withKL).
func (l *Layer) addKL(c Config, i int, withKL bool) error {
	if !withKL {
		return nil
	}
	klW, err := layerKL(c, l.W, l.WMu, l.WSigma)
	if err != nil {
		return err
	}
	klB, err := layerKL(c, l.B, l.BMu, l.BSigma)
	if err != nil {
		return err
	}
	if l.KL, err = G.Add(klW, klB); err != nil {
		return err
	}
	G.WithName(fmt.Sprintf("kl%d", i))(l.KL)
	return nil
}

// layerKL is the KL of one weight tensor: the one-sample estimate at the
// sample w, or the closed form from mu and sigma (Config.KL).
func layerKL(c Config, w, mu, sigma *G.Node) (*G.Node, error) {
	if c.KL == KLClosed {
		ck, ok := c.WeightPrior().(nodes.ClosedKL)
		if !ok {
			return nil, fmt.Errorf("graph: prior %v has no closed-form KL", c.WeightPrior())
		}
		return ck.KLNormal(mu, sigma)
	}
	return nodes.KL(w, mu, sigma, c.WeightPrior())
}

// dense is x·w + b, followed by ReLU if relu: this project's fused op, or
// Gorgonia's stock ops. The stock form broadcasts b as the outer product
// ones·bᵀ (a matrix product, like x·w) so that every op it uses has a
// Gorgonia CUDA kernel; BroadcastAdd would tile b on the CPU.
func dense(c Config, x, w, b, ones *G.Node, relu bool) (*G.Node, error) {
	if !c.StockOps {
		if relu {
			return nodes.LinearReLU(x, w, b)
		}
		return nodes.Linear(x, w, b)
	}
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, err
	}
	row, err := G.Reshape(b, tensor.Shape{1, b.Shape()[0]})
	if err != nil {
		return nil, err
	}
	tiled, err := G.Mul(ones, row)
	if err != nil {
		return nil, err
	}
	out, err := G.Add(xw, tiled)
	if err != nil || !relu {
		return out, err
	}
	return G.Rectify(out)
}
