package graph

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// A backend is what newLayer (layer.go), the one definition of a layer,
// leaves open: where the layer's variables come from (its source) and which
// op computes each step of it (its ops). Network.backend picks it from
// Config.Resident:
//
//	            host graph (New)                      resident graph (Config.Resident)
//	learnables  input nodes, filled on the host       Param nodes of the store
//	eps         input nodes, filled on the host       Noise nodes (Philox, drawn in the graph)
//	sigma       Softplus (or Gorgonia's, StockOps)    none: Sample and KLTerm take rho
//	sample      Reparameterize (or Gorgonia's)        Sample
//	dense       Linear / LinearReLU (or Gorgonia's)   x·w (Gorgonia's Mul), then BiasAct
//	kl          KL at the sample, or closed form      KLTerm, or KLClosedTerm
//	local       local.go: dense ops, Square, Sqrt...  Mul, BiasAct, Square, SoftplusSquare, LocalOut
//
// NewPredictive's backend is the resident one drawing K samples per eps,
// with the batched ops (SampleBatch, BatchedMatMul, BiasActBatch).
type backend struct {
	src source
	ops layerOps
}

// source makes a layer's variables.
type source interface {
	// param is a learnable of the shape, named name (e.g. "w_mu0").
	param(name string, shape ...int) (*G.Node, error)
	// eps is standard-normal noise of the shape from Philox stream stream
	// (EpsStreams), named name (e.g. "w_eps0").
	eps(name string, stream uint64, shape ...int) (*G.Node, error)
	// noiseLast is the order of a layer's variables: each eps right after
	// the learnables declared before it (false: the host graph's, the
	// seed's), or all of them after all the learnables (true: the resident
	// graph's). The order fixes the node IDs, and with them the DOT.
	noiseLast() bool
}

// layerOps computes a layer from its variables.
type layerOps interface {
	// softplus is sigma = softplus(rho), or nil where sample and kl take
	// rho itself (the resident ops compute softplus inside).
	softplus(rho *G.Node) (*G.Node, error)
	// sample is w = mu + sigma ⊙ eps (sigma = softplus(rho)).
	sample(mu, rho, sigma, eps *G.Node) (*G.Node, error)
	// dense is x·w + b, then ReLU if relu.
	dense(x, w, b *G.Node, relu bool) (*G.Node, error)
	// kl is KL(q ‖ prior) of one weight tensor, q = N(mu, sigma²): the
	// one-sample estimate at its sample w, or the closed form (Config.KL).
	kl(w, mu, rho, sigma, eps *G.Node) (*G.Node, error)
	// local is the output by local reparameterisation (local.go) of layer
	// l, whose learnables, sigmas and OutEps are made.
	local(x *G.Node, l *Layer, relu bool) (*G.Node, error)
}

// backend returns the backend of n's layers; ones is the stock ops' bias
// broadcast (host graph with StockOps only).
func (n *Network) backend(ones *G.Node) backend {
	c := n.Config
	switch {
	case c.Resident && n.Samples > 0:
		return backend{residentSource{n: n, k: n.Samples}, batchedOps{}}
	case c.Resident:
		p, _ := c.residentPrior() // a Normal or a ScaleMixture: Validate refuses any other
		return backend{residentSource{n: n}, residentOps{prior: p, closed: c.KL == KLClosed}}
	}
	return backend{hostSource{g: n.Graph, dt: c.Dtype}, hostOps{c: c, ones: ones}}
}

// hostSource makes input nodes, each bound to a zeroed tensor of its own
// that the host fills (Init, FillEps...).
type hostSource struct {
	g  *G.ExprGraph
	dt tensor.Dtype
}

func (s hostSource) param(name string, shape ...int) (*G.Node, error) { return s.input(name, shape) }
func (s hostSource) eps(name string, _ uint64, shape ...int) (*G.Node, error) {
	return s.input(name, shape)
}
func (s hostSource) noiseLast() bool { return false }

func (s hostSource) input(name string, shape []int) (*G.Node, error) {
	opts := []G.NodeConsOpt{G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.Of(s.dt), tensor.WithShape(shape...)))}
	switch len(shape) {
	case 1:
		return G.NewVector(s.g, s.dt, opts...), nil
	case 2:
		return G.NewMatrix(s.g, s.dt, opts...), nil
	}
	return nil, fmt.Errorf("graph: %s: shape %v: want a vector or a matrix", name, shape)
}

// hostOps are this project's fused host ops, or Gorgonia's stock ops
// (Config.StockOps).
type hostOps struct {
	c    Config
	ones *G.Node // StockOps: a column of ones, for the bias broadcast
}

func (o hostOps) softplus(rho *G.Node) (*G.Node, error) {
	if o.c.StockOps {
		return nodes.StockSoftplus(rho) // Gorgonia's, with their CUDA kernels
	}
	return nodes.Softplus(rho)
}

func (o hostOps) sample(mu, _, sigma, eps *G.Node) (*G.Node, error) {
	if o.c.StockOps {
		return nodes.StockReparameterize(mu, sigma, eps)
	}
	return nodes.Reparameterize(mu, sigma, eps)
}

// dense is x·w + b, followed by ReLU if relu: this project's fused op, or
// Gorgonia's stock ops. The stock form broadcasts b as the outer product
// ones·bᵀ (a matrix product, like x·w) so that every op it uses has a
// Gorgonia CUDA kernel; BroadcastAdd would tile b on the CPU.
func (o hostOps) dense(x, w, b *G.Node, relu bool) (*G.Node, error) {
	if !o.c.StockOps {
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
	tiled, err := G.Mul(o.ones, row)
	if err != nil {
		return nil, err
	}
	out, err := G.Add(xw, tiled)
	if err != nil || !relu {
		return out, err
	}
	return G.Rectify(out)
}

// kl is the KL of one weight tensor: the one-sample estimate at the
// sample w, or the closed form from mu and sigma (Config.KL).
func (o hostOps) kl(w, mu, _, sigma, _ *G.Node) (*G.Node, error) {
	if o.c.KL == KLClosed {
		ck, ok := o.c.WeightPrior().(nodes.ClosedKL)
		if !ok {
			return nil, fmt.Errorf("graph: prior %v has no closed-form KL", o.c.WeightPrior())
		}
		return ck.KLNormal(mu, sigma)
	}
	return nodes.KL(w, mu, sigma, o.c.WeightPrior())
}

// residentSource makes a resident network's variables: each learnable a
// host tensor (a node of the host graph, in n.host) and the Param node
// that the graph reads, each eps a Noise node. k > 0 (NewPredictive) draws
// k samples of each eps, a leading dimension.
type residentSource struct {
	n *Network
	k int
}

func (s residentSource) param(name string, shape ...int) (*G.Node, error) {
	n, dt := s.n, s.n.Config.Dtype
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	n.host = append(n.host, G.NewTensor(n.hostGraph, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t)))
	return n.Store.Param(n.Step, name, t)
}

func (s residentSource) eps(name string, stream uint64, shape ...int) (*G.Node, error) {
	if s.k > 0 {
		shape = append([]int{s.k}, shape...)
	}
	return s.n.Store.Noise(s.n.Step, name, stream, shape...)
}

func (s residentSource) noiseLast() bool { return true }

// errPredictiveLocal: a predictive network (NewPredictive) samples weights.
var errPredictiveLocal = errors.New("graph: local reparameterisation: a predictive network samples the weights, not the pre-activations")

// residentOps are the resident ops of package nodes (nodes/sample.go,
// nodes/klclosed_resident.go, nodes/localreparam.go), each with a CUDA
// kernel; Gorgonia's Mul is cuBLAS's GEMM. closed: the closed-form KL
// (Config.KL).
type residentOps struct {
	prior  nodes.Prior
	closed bool
}

func (residentOps) softplus(*G.Node) (*G.Node, error) { return nil, nil }
func (residentOps) sample(mu, rho, _, eps *G.Node) (*G.Node, error) {
	return nodes.Sample(mu, rho, eps)
}
func (residentOps) dense(x, w, b *G.Node, relu bool) (*G.Node, error) {
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, err
	}
	return nodes.BiasAct(xw, b, relu)
}
func (o residentOps) kl(_, mu, rho, _, eps *G.Node) (*G.Node, error) {
	if o.closed {
		return nodes.KLClosedTerm(mu, rho, o.prior)
	}
	return nodes.KLTerm(mu, rho, eps, o.prior)
}

// local is hostOps.local (local.go) from rho: mean = x·w_mu + b_mu, var =
// (x⊙x)·softplus(w_rho)² + softplus(b_rho)², out = act(mean + sqrt(var) ⊙
// l.OutEps).
func (o residentOps) local(x *G.Node, l *Layer, relu bool) (*G.Node, error) {
	mean, err := o.dense(x, l.WMu, l.BMu, false)
	if err != nil {
		return nil, err
	}
	x2, err := nodes.Square(x)
	if err != nil {
		return nil, err
	}
	w2, err := nodes.SoftplusSquare(l.WRho)
	if err != nil {
		return nil, err
	}
	b2, err := nodes.SoftplusSquare(l.BRho)
	if err != nil {
		return nil, err
	}
	v, err := o.dense(x2, w2, b2, false)
	if err != nil {
		return nil, err
	}
	return nodes.LocalOut(mean, v, l.OutEps, relu)
}

// batchedOps are the resident ops of NewPredictive's K passes at once
// (nodes/batched.go): K weight samples per layer, one batched GEMM. A
// predictive network has no loss, so no KL.
type batchedOps struct{}

func (batchedOps) softplus(*G.Node) (*G.Node, error) { return nil, nil }
func (batchedOps) sample(mu, rho, _, eps *G.Node) (*G.Node, error) {
	return nodes.SampleBatch(mu, rho, eps)
}
func (batchedOps) dense(x, w, b *G.Node, relu bool) (*G.Node, error) {
	xw, err := nodes.BatchedMatMul(x, w)
	if err != nil {
		return nil, err
	}
	return nodes.BiasActBatch(xw, b, relu)
}
func (batchedOps) kl(_, _, _, _, _ *G.Node) (*G.Node, error) {
	return nil, errors.New("graph: a predictive network has no KL")
}
func (batchedOps) local(*G.Node, *Layer, bool) (*G.Node, error) { return nil, errPredictiveLocal }
