package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// A resident network (Config.Resident) is the same model, built by the
// same newLayer, from the resident ops of package nodes (backend.go), for
// Gorgonia's CUDA VM: the parameters, Adam's moments and the epsilon draws
// stay in GPU memory, every op of a training step runs there, and a step
// sends one counter and reads back one loss. Per layer:
//
//	w_mu, w_rho, b_mu, b_rho   Param nodes (copies of the stored values)
//	w_eps, b_eps               Noise nodes (Philox normals of the step)
//	w, b                       Sample: mu + softplus(rho) ⊙ eps
//	out                        BiasAct(x·w, b): ReLU but in the last layer
//	kl                         KLTerm(w) + KLTerm(b)
//
// then NLL = -GaussianLogLik(y | output) and negative_ELBO = NLL + KL/NBatch
// as in the host graph. AddAdam puts one Adam update per parameter after
// the gradients. On the CPU the same graph runs the ops' Go code, which is
// how the tests check it; the epsilon values are those of nodes.NormalAt.

// residentData puts a network input (x or y) in the store: the host leaf
// stays the node to set (SetValues, then Reload), the graph reads the
// stored copy, so a step copies no data from the host.
func (n *Network) residentData(leaf *G.Node) (*G.Node, error) {
	t, err := boundDense(leaf)
	if err != nil {
		return nil, err
	}
	if n.gathered {
		return n.Store.Gather(n.Step, leaf.Name()+"_batch", t, n.Rows)
	}
	return n.Store.Data(n.Step, leaf.Name()+"_stored", t)
}

// Reload tells a resident network that its host tensors (inputs and
// learnables) changed: the next run copies them to the device again. Init
// and CopyParams call it themselves. During training the host learnables
// are only as new as the last pull: after SetValues on an input, use
// ReloadInputs, which leaves the parameters on the device alone.
func (n *Network) Reload() { n.reload() }

// ReloadInputs tells a resident network that x or y changed on the host.
func (n *Network) ReloadInputs() {
	if n.Store != nil {
		n.Store.ReloadData()
	}
}

// NewPredictive builds k stochastic forward passes over rows inputs in one
// resident graph, for predictive sampling: per layer k weight samples
// (K, in, out) from one Noise node, one batched matrix product and one
// bias/ReLU op. Output is (k, rows, outputs); sample j of a run at step t
// uses the epsilon elements j·size.. of each layer's Noise draw at t. On the
// GPU a run costs about what one pass of NewForward does, for k passes.
// Its layers are newLayer's, with the batched ops (backend.go).
func NewPredictive(cfg Config, rows, k int) (*Network, error) {
	c := cfg.WithDefaults()
	c.Resident = true
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if rows < 1 || k < 1 {
		return nil, fmt.Errorf("graph: predictive network of %d rows and %d samples: need at least 1 of each", rows, k)
	}
	return build(c, rows, 0, false, k)
}

// SetStep sets the step of a resident network's next run: the epsilon
// counter and, in training, Adam's t (from 1).
func (n *Network) SetStep(t uint64) error {
	if n.Store == nil {
		return fmt.Errorf("graph: SetStep: not a resident network")
	}
	n.Store.SetStep(t)
	d, err := boundDense(n.Step)
	if err != nil {
		return err
	}
	// For the record (and the DOT): the kernels take the step from the store.
	if n.Config.Dtype == tensor.Float32 {
		return d.SetAt(float32(t), 0)
	}
	return d.SetAt(float64(t), 0)
}

// AddAdam adds one Adam update per learnable of a resident network, after
// Differentiate. Each run then updates the stored parameters in place.
func (n *Network) AddAdam(a nodes.AdamConfig) error {
	if n.Store == nil {
		return fmt.Errorf("graph: AddAdam: not a resident network")
	}
	if n.Grads == nil {
		return fmt.Errorf("graph: AddAdam: call Differentiate first")
	}
	if n.Updates != nil {
		return fmt.Errorf("graph: AddAdam called twice")
	}
	if _, err := nodes.NewParamStore(n.Config.Dtype, 0, a); err != nil {
		return err
	}
	n.Store.Adam = a.WithDefaults()
	for i, g := range n.Grads {
		u, err := n.Store.AdamUpdate(n.Params()[i], g)
		if err != nil {
			return err
		}
		n.Updates = append(n.Updates, u)
	}
	return nil
}
