package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// Network is the whole BBB graph for a batch of Rows inputs.
type Network struct {
	Config Config // with defaults filled in
	Rows   int
	Graph  *G.ExprGraph

	X, Y   *G.Node  // inputs (Rows × Inputs) and targets (Rows × Outputs)
	Layers []*Layer // in order from input to output
	Output *G.Node  // the last layer's Out: the prediction
	KL     *G.Node  // sum of every layer's KL
	NLL    *G.Node  // -log p(Y | Output)
	Loss   *G.Node  // negative ELBO: NLL + KL / NBatch

	// LikLearned only: the learnable noise_rho (after the layers' in
	// Learnables) and noise_sigma = softplus(noise_rho) (nil in a resident
	// network, whose likelihood op takes noise_rho).
	NoiseRho, NoiseSigma *G.Node
	likLearnables        G.Nodes // the likelihood's learnables (LikLearnables)
	// Config.KLWeightInput only: the KL's weight, an input (klweight.go);
	// a resident network's is a scalar of the store (SetKLWeight sets both).
	KLWeight *G.Node

	// Grads holds d Loss / d learnable, in Learnables() order, once
	// Differentiate has run.
	Grads G.Nodes

	// Resident networks only (Config.Resident): the parameter store, the
	// step input (a 1-element vector) and the Adam updates of AddAdam.
	Store   *nodes.ParamStore
	Step    *G.Node
	Updates G.Nodes
	Samples int // NewPredictive: the stochastic passes of one run (0 otherwise)

	host      G.Nodes      // resident: the learnables' host tensors, as nodes
	hostGraph *G.ExprGraph // resident: holds them, apart from the machine's graph
	gathered  bool         // NewGathered: X and Y hold the data set, a run gathers Rows
}

// New builds the network for batches of rows inputs. Every input node (X, Y,
// learnables, eps) is bound to a zeroed tensor of its own; fill them in place.
func New(cfg Config, rows int) (*Network, error) { return build(cfg, rows, 0, true, 0) }

// NewForward builds only the forward pass (X to Output, no Y, KL, NLL or
// Loss), for predictive sampling where the loss would be wasted work.
func NewForward(cfg Config, rows int) (*Network, error) { return build(cfg, rows, 0, false, 0) }

// build makes New's network, or without withLoss NewForward's; samples > 0
// (resident only) makes NewPredictive's, of that many passes at once;
// dataRows > rows (resident only) makes NewGathered's, whose X and Y hold
// dataRows rows and whose runs gather rows of them.
func build(cfg Config, rows, dataRows int, withLoss bool, samples int) (*Network, error) {
	c := cfg.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if rows < 1 {
		return nil, fmt.Errorf("graph: rows %d: need at least 1", rows)
	}
	g := G.NewGraph()
	n := &Network{Config: c, Rows: rows, Graph: g, Samples: samples, gathered: dataRows > rows}
	dataRows = max(dataRows, rows)
	n.X = G.NewMatrix(g, c.Dtype, G.WithShape(dataRows, c.Inputs), G.WithName("x"),
		G.WithValue(tensor.New(tensor.Of(c.Dtype), tensor.WithShape(dataRows, c.Inputs))))

	var ones *G.Node // the stock ops' bias broadcast: a column of ones
	if c.StockOps {
		t := tensor.New(tensor.Of(c.Dtype), tensor.WithShape(rows, 1))
		if err := t.Memset(oneOf(c.Dtype)); err != nil {
			return nil, err
		}
		ones = G.NewMatrix(g, c.Dtype, G.WithShape(rows, 1), G.WithName("ones"), G.WithValue(t))
	}
	if c.Resident {
		var err error
		if n.Store, err = nodes.NewParamStore(c.Dtype, 0, nodes.AdamConfig{}); err != nil {
			return nil, err
		}
		n.hostGraph = G.NewGraph()
		n.Step = G.NewVector(g, c.Dtype, G.WithShape(1), G.WithName("step"),
			G.WithValue(tensor.New(tensor.Of(c.Dtype), tensor.WithShape(1))))
	}
	h := n.X
	if c.Resident {
		var err error
		if h, err = n.residentData(n.X); err != nil {
			return nil, err
		}
	}
	kls := make(G.Nodes, 0, c.Layers)
	be := n.backend(ones)
	for i := 0; i < c.Layers; i++ {
		l, err := newLayer(be, c, i, h, withLoss)
		if err != nil {
			return nil, fmt.Errorf("graph: layer %d: %w", i, err)
		}
		n.Layers = append(n.Layers, l)
		kls = append(kls, l.KL)
		h = l.Out
	}
	n.Output = h
	if err := n.addLikLearnables(); err != nil {
		return nil, fmt.Errorf("graph: likelihood: %w", err)
	}
	if !withLoss {
		return n, nil
	}

	n.Y = G.NewMatrix(g, c.Dtype, G.WithShape(dataRows, c.Outputs), G.WithName("y"),
		G.WithValue(tensor.New(tensor.Of(c.Dtype), tensor.WithShape(dataRows, c.Outputs))))
	var err error
	if n.KL, err = sumAll(kls); err != nil {
		return nil, fmt.Errorf("graph: KL: %w", err)
	}
	G.WithName("KL")(n.KL)
	y := n.Y
	if c.Resident {
		if y, err = n.residentData(n.Y); err != nil {
			return nil, err
		}
	}
	logLik, err := n.logLik(y)
	if err != nil {
		return nil, fmt.Errorf("graph: likelihood: %w", err)
	}
	if n.NLL, err = G.Neg(logLik); err != nil {
		return nil, fmt.Errorf("graph: NLL: %w", err)
	}
	G.WithName("NLL")(n.NLL)
	klPart := n.KL
	if c.KLWeightInput {
		if klPart, err = n.addKLWeight(); err != nil {
			return nil, fmt.Errorf("graph: KL weight: %w", err)
		}
	} else if c.NBatch != 1 {
		scale := constLike(n.KL, 1/c.NBatch)
		if c.Resident {
			if scale, err = n.Store.Const(n.Step, 1/c.NBatch); err != nil {
				return nil, err
			}
		}
		if klPart, err = G.Mul(n.KL, scale); err != nil {
			return nil, fmt.Errorf("graph: KL / NBatch: %w", err)
		}
	}
	if n.Loss, err = G.Add(n.NLL, klPart); err != nil {
		return nil, fmt.Errorf("graph: loss: %w", err)
	}
	G.WithName("negative_ELBO")(n.Loss)
	return n, nil
}

// sumAll adds scalar nodes left to right.
func sumAll(ns G.Nodes) (*G.Node, error) {
	s := ns[0]
	for _, n := range ns[1:] {
		var err error
		if s, err = G.Add(s, n); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func oneOf(dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return float32(1)
	}
	return float64(1)
}

func constLike(n *G.Node, v float64) *G.Node {
	if n.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// Learnables returns the variational parameters: for each layer w_mu,
// w_rho, b_mu, b_rho. The order is fixed (solvers keep state by position).
// In a resident network they are the host tensors (nodes outside the
// machine's graph): the values before the first run and after a pull; the
// graph reads the stored copies through Params.
func (n *Network) Learnables() G.Nodes {
	if n.Store != nil {
		return n.host
	}
	return n.Params()
}

// Params returns the parameter nodes the graph computes with, in
// Learnables order: the learnables themselves, or a resident network's
// Param nodes.
func (n *Network) Params() G.Nodes {
	out := make(G.Nodes, 0, 4*len(n.Layers))
	for _, l := range n.Layers {
		out = append(out, l.WMu, l.WRho, l.BMu, l.BRho)
	}
	return append(out, n.likLearnables...)
}

// Eps returns the epsilon input nodes: for each layer w_eps, b_eps.
func (n *Network) Eps() G.Nodes {
	out := make(G.Nodes, 0, 2*len(n.Layers))
	for _, l := range n.Layers {
		if l.OutEps != nil {
			out = append(out, l.OutEps)
			continue
		}
		out = append(out, l.WEps, l.BEps)
	}
	return out
}

// Differentiate adds d Loss / d learnable to the graph and records the
// gradient nodes in n.Grads. Call it once, before compiling a machine.
func (n *Network) Differentiate() error {
	if n.Loss == nil {
		return fmt.Errorf("graph: Differentiate: a forward-only network has no loss")
	}
	if n.Grads != nil {
		return fmt.Errorf("graph: Differentiate called twice")
	}
	var grads G.Nodes
	var err error
	if n.Store == nil {
		grads, err = G.Grad(n.Loss, n.Learnables()...)
	} else {
		// Param nodes are not inputs, which G.Grad insists on;
		// Backpropagate (what Grad calls) differentiates with respect to any node.
		// The gradient seed is made on the device: a host constant would be
		// copied in mid-run, and that copy waits for the forward pass.
		var one *G.Node
		if one, err = n.Store.Const(n.Step, 1); err != nil {
			return fmt.Errorf("graph: gradients: %w", err)
		}
		grads, err = G.Backpropagate(G.Nodes{n.Loss}, G.Nodes{one}, n.Params())
	}
	if err != nil {
		return fmt.Errorf("graph: gradients: %w", err)
	}
	n.Grads = grads
	return nil
}
