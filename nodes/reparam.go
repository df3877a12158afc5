package nodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Reparameterize returns the sample w = mu + sigma ⊙ eps. eps is an input
// node holding standard-normal draws that the caller refreshes before each
// run, so the sample is differentiable in mu and sigma.
func Reparameterize(mu, sigma, eps *G.Node) (*G.Node, error) {
	if err := sameShape("Reparameterize mu/sigma", mu, sigma); err != nil {
		return nil, err
	}
	if err := sameShape("Reparameterize mu/eps", mu, eps); err != nil {
		return nil, err
	}
	if err := sameDtype("Reparameterize", mu, sigma, eps); err != nil {
		return nil, err
	}
	noise, err := G.HadamardProd(sigma, eps)
	if err != nil {
		return nil, fmt.Errorf("nodes: Reparameterize: %w", err)
	}
	w, err := G.Add(mu, noise)
	if err != nil {
		return nil, fmt.Errorf("nodes: Reparameterize: %w", err)
	}
	return w, nil
}
