package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// LayerParams are one layer's variational parameters, as Learnables holds
// them (a resident network's host copies).
type LayerParams struct {
	WMu, WRho, BMu, BRho *G.Node
}

// Learnable returns the learnable named name ("w_mu0", "b_rho2",
// "noise_rho": its name in the graph) among Learnables, or nil. Code that
// reads or changes parameters finds them so, by name, not by their
// position in Learnables.
func (n *Network) Learnable(name string) *G.Node {
	for _, p := range n.Learnables() {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

// LayerParams returns layer i's learnables (Learnable's w_mu<i>, w_rho<i>,
// b_mu<i>, b_rho<i>).
func (n *Network) LayerParams(i int) (LayerParams, error) {
	var lp LayerParams
	for _, f := range []struct {
		name string
		dst  **G.Node
	}{{"w_mu", &lp.WMu}, {"w_rho", &lp.WRho}, {"b_mu", &lp.BMu}, {"b_rho", &lp.BRho}} {
		if *f.dst = n.Learnable(fmt.Sprintf("%s%d", f.name, i)); *f.dst == nil {
			return LayerParams{}, fmt.Errorf("graph: layer %d of %d has no learnable %s%d", i, len(n.Layers), f.name, i)
		}
	}
	return lp, nil
}
