package nodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Softplus returns sigma = log(1 + exp(rho)), the positive standard deviation
// of a variational posterior parameterised by the unconstrained rho.
func Softplus(rho *G.Node) (*G.Node, error) {
	if err := sameDtype("Softplus", rho); err != nil {
		return nil, err
	}
	s, err := G.Softplus(rho)
	if err != nil {
		return nil, fmt.Errorf("nodes: Softplus: %w", err)
	}
	return s, nil
}
