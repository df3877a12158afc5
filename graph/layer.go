package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
)

// Layer is one variational linear layer: out = x·W + B with W and B drawn
// from their Normal posteriors by the reparameterisation trick.
type Layer struct {
	WMu, WRho, BMu, BRho *G.Node // learnables
	WEps, BEps           *G.Node // standard-normal noise, new every run
	WSigma, BSigma       *G.Node // softplus(rho); nil in a resident network (its ops take rho)
	W, B                 *G.Node // samples mu + sigma ⊙ eps
	Out                  *G.Node // ReLU(x·W + B) for hidden layers, x·W + B for the last
	KL                   *G.Node // KL estimate of W plus that of B
	// LocalReparam only (local.go): the pre-activations' standard-normal
	// input (rows × out); WEps, BEps, W and B are then nil.
	OutEps *G.Node
}

// newLayer adds layer i (in → out) reading x to the graph; withKL adds its
// KL node. Every layer but the last ends in a ReLU. It is the one
// definition of a layer, for every graph: be (backend.go) decides where its
// variables come from and which op computes each step, not what it computes.
func newLayer(be backend, c Config, i int, x *G.Node, withKL bool) (*Layer, error) {
	in, out := c.widths(i)
	relu := i < c.Layers-1
	local := c.Estimator == LocalReparam
	b := &layerBuilder{backend: be}
	l := &Layer{}

	// The variational posterior q(W) = N(w_mu, softplus(w_rho)²), q(B) =
	// N(b_mu, softplus(b_rho)²), and the standard-normal noise that samples
	// W and B (Philox streams 2i and 2i+1).
	vars := []variable{
		learnable(&l.WMu, "w_mu", in, out), learnable(&l.WRho, "w_rho", in, out), noise(&l.WEps, "w_eps", 2*i, in, out),
		learnable(&l.BMu, "b_mu", out), learnable(&l.BRho, "b_rho", out), noise(&l.BEps, "b_eps", 2*i+1, out),
	}
	if local { // it samples the pre-activations instead (below)
		vars = slices.DeleteFunc(vars, func(v variable) bool { return v.noise })
	}
	b.vars(i, vars)

	// sigma = softplus(rho)
	l.WSigma, l.BSigma = b.softplus(l.WRho), b.softplus(l.BRho)
	if local {
		// out = act(x·w_mu + b_mu + sqrt((x⊙x)·w_sigma² + b_sigma²) ⊙ eps)
		l.OutEps = b.eps(fmt.Sprintf("a_eps%d", i), uint64(2*i), x.Shape()[0], out)
		l.Out = b.local(x, l, relu)
	} else {
		// W = w_mu + w_sigma ⊙ w_eps, B = b_mu + b_sigma ⊙ b_eps
		l.W, l.B = b.sample(l.WMu, l.WRho, l.WSigma, l.WEps), b.sample(l.BMu, l.BRho, l.BSigma, l.BEps)
		// out = act(x·W + B)
		l.Out = b.dense(x, l.W, l.B, relu)
	}
	if withKL {
		// kl = KL(q(W) ‖ p) + KL(q(B) ‖ p)
		l.KL = b.add(b.kl(l.W, l.WMu, l.WRho, l.WSigma, l.WEps), b.kl(l.B, l.BMu, l.BRho, l.BSigma, l.BEps))
	}
	if b.err != nil {
		return nil, b.err
	}
	for _, v := range []struct {
		node *G.Node
		name string
	}{{l.WSigma, "w_sigma"}, {l.BSigma, "b_sigma"}, {l.W, "w"}, {l.B, "b"}, {l.KL, "kl"}} {
		if v.node != nil {
			G.WithName(fmt.Sprintf("%s%d", v.name, i))(v.node)
		}
	}
	return l, nil
}

// variable is one of a layer's variables, made by the backend's source.
type variable struct {
	dst    **G.Node
	name   string // without the layer index
	noise  bool   // eps of stream, else a learnable
	stream uint64
	shape  []int
}

func learnable(dst **G.Node, name string, shape ...int) variable {
	return variable{dst: dst, name: name, shape: shape}
}

func noise(dst **G.Node, name string, stream int, shape ...int) variable {
	return variable{dst: dst, name: name, noise: true, stream: uint64(stream), shape: shape}
}

// layerBuilder is a backend building one layer. Its methods keep the first
// error in err and do nothing after it, so that newLayer reads as the math.
type layerBuilder struct {
	backend
	err error
}

// vars makes layer i's variables, in the source's order.
func (b *layerBuilder) vars(i int, vs []variable) {
	mk := func(v variable) {
		name := fmt.Sprintf("%s%d", v.name, i)
		if v.noise {
			*v.dst = b.eps(name, v.stream, v.shape...)
		} else {
			*v.dst = b.param(name, v.shape...)
		}
	}
	if !b.src.noiseLast() {
		for _, v := range vs {
			mk(v)
		}
		return
	}
	for _, noise := range []bool{false, true} {
		for _, v := range vs {
			if v.noise == noise {
				mk(v)
			}
		}
	}
}

// keep runs f unless an earlier step failed, and keeps its error.
func (b *layerBuilder) keep(f func() (*G.Node, error)) *G.Node {
	if b.err != nil {
		return nil
	}
	n, err := f()
	b.err = err
	return n
}

func (b *layerBuilder) param(name string, shape ...int) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.src.param(name, shape...) })
}

func (b *layerBuilder) eps(name string, stream uint64, shape ...int) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.src.eps(name, stream, shape...) })
}

func (b *layerBuilder) softplus(rho *G.Node) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.ops.softplus(rho) })
}

func (b *layerBuilder) sample(mu, rho, sigma, eps *G.Node) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.ops.sample(mu, rho, sigma, eps) })
}

func (b *layerBuilder) dense(x, w, bias *G.Node, relu bool) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.ops.dense(x, w, bias, relu) })
}

func (b *layerBuilder) kl(w, mu, rho, sigma, eps *G.Node) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.ops.kl(w, mu, rho, sigma, eps) })
}

func (b *layerBuilder) local(x *G.Node, l *Layer, relu bool) *G.Node {
	return b.keep(func() (*G.Node, error) { return b.ops.local(x, l, relu) })
}

func (b *layerBuilder) add(x, y *G.Node) *G.Node {
	return b.keep(func() (*G.Node, error) { return G.Add(x, y) })
}
