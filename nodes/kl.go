package nodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// KL returns the one-sample Monte-Carlo estimate of KL(q || prior) for the
// sample w drawn from q = N(mu, sigma²): sum(log q(w) - log prior(w)), a
// scalar node. Its expectation over w is the closed-form KL.
//
// For the priors here (Normal, ScaleMixture) it is one fused node
// (klsample.go); another Prior gets the composition below.
func KL(w, mu, sigma *G.Node, prior Prior) (*G.Node, error) {
	if k, ok := prior.(densityKernels); ok {
		if err := prior.Validate(); err != nil {
			return nil, err
		}
		return klSample(w, mu, sigma, prior, k)
	}
	return klComposed(w, mu, sigma, prior)
}

// klComposed is KL from NormalLogProb, prior.LogProb, Sub and Sum.
func klComposed(w, mu, sigma *G.Node, prior Prior) (*G.Node, error) {
	logQ, err := NormalLogProb(w, mu, sigma)
	if err != nil {
		return nil, err
	}
	logP, err := prior.LogProb(w)
	if err != nil {
		return nil, err
	}
	diff, err := G.Sub(logQ, logP)
	if err != nil {
		return nil, fmt.Errorf("nodes: KL: %w", err)
	}
	kl, err := G.Sum(diff)
	if err != nil {
		return nil, fmt.Errorf("nodes: KL: %w", err)
	}
	return kl, nil
}
