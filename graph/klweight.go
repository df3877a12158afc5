package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The KL's weight in the loss. By default it is the constant 1/NBatch.
// With Config.KLWeightInput it is an input node, Network.KLWeight, that
// the trainer sets before each step (minibatch schedules: 1/M, or
// Blundell et al.'s 2^(M-i)/(2^M-1)); in a resident network it is a
// scalar of the store (nodes.ParamStore.Scalar), which a GPU kernel reads
// as an argument, so setting it per step copies nothing. Either way
//
//	Loss = NLL + w·KL
//
// with NLL a sum over the batch's rows and KL a sum over all weights: the
// weight is the only scaling, and weights that sum to 1 over an epoch count
// the KL once per epoch (Blundell et al. 2015, eq. 9).

// addKLWeight adds the kl_weight input (a 1-element vector, starting at
// 1/NBatch) and returns w·KL.
func (n *Network) addKLWeight() (*G.Node, error) {
	if n.Store != nil {
		// Resident: a scalar of the store, set per step without a copy.
		w, err := n.Store.Scalar(n.Step, klWeightName, 1/n.Config.NBatch)
		if err != nil {
			return nil, err
		}
		n.KLWeight = w
		return G.Mul(n.KL, w)
	}
	dt := n.Config.Dtype
	n.KLWeight = G.NewVector(n.Graph, dt, G.WithShape(1), G.WithName(klWeightName),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(1))))
	if err := n.SetKLWeight(1 / n.Config.NBatch); err != nil {
		return nil, err
	}
	w, err := G.Sum(n.KLWeight)
	if err != nil {
		return nil, err
	}
	return G.Mul(n.KL, w)
}

// klWeightName names the KL weight's node (the input, or the store's scalar).
const klWeightName = "kl_weight"

// SetKLWeight sets the KL's weight for the next runs (Config.KLWeightInput).
func (n *Network) SetKLWeight(w float64) error {
	if n.KLWeight == nil {
		return fmt.Errorf("graph: SetKLWeight: the network was built without Config.KLWeightInput")
	}
	if n.Store != nil {
		return n.Store.SetScalar(klWeightName, w)
	}
	return SetValues(n.KLWeight, []float64{w})
}
