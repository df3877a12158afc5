package graph

import (
	"fmt"

	"github.com/bbb-go/bbb/nodes"
)

// KLEstimate is how a layer's KL(q ‖ p) enters the loss.
type KLEstimate int

const (
	// KLSample is the one-sample Monte-Carlo estimate Σ log q(w) − log p(w)
	// at the weights the forward pass used (the seed's).
	KLSample KLEstimate = iota
	// KLClosed is the analytic KL; it needs a prior with one
	// (nodes.ClosedKL: the Normal prior, not the mixture).
	KLClosed
)

// String is the flag spelling: "mc" or "closed".
func (k KLEstimate) String() string {
	switch k {
	case KLSample:
		return "mc"
	case KLClosed:
		return "closed"
	}
	return fmt.Sprintf("KLEstimate(%d)", int(k))
}

// ParseKLEstimate reads "mc" or "closed".
func ParseKLEstimate(s string) (KLEstimate, error) {
	switch s {
	case "mc":
		return KLSample, nil
	case "closed":
		return KLClosed, nil
	}
	return 0, fmt.Errorf("graph: KL estimate %q: want mc or closed", s)
}

// WeightPrior is the prior the graph uses: Mixture when set, else Prior.
func (c Config) WeightPrior() nodes.Prior {
	if c.Mixture != (nodes.ScaleMixture{}) {
		return c.Mixture
	}
	return c.Prior
}

// validateOptions checks the research options (prior, KL, likelihood) and
// that a resident graph is asked only for the seed's model.
func (c Config) validateOptions() error {
	p := c.WeightPrior()
	if err := p.Validate(); err != nil {
		return err
	}
	switch c.KL {
	case KLSample:
	case KLClosed:
		if _, ok := p.(nodes.ClosedKL); !ok {
			return fmt.Errorf("graph: kl closed: prior %v has no closed-form KL (use the normal prior or kl mc)", p)
		}
	default:
		return fmt.Errorf("graph: kl %v: want KLSample or KLClosed", c.KL)
	}
	if err := c.validateLikelihood(); err != nil {
		return err
	}
	if err := c.validateTask(); err != nil {
		return err
	}
	if err := c.validateEstimator(); err != nil {
		return err
	}
	if c.Resident {
		switch {
		case c.Mixture != (nodes.ScaleMixture{}):
			return fmt.Errorf("graph: prior %v: the resident (GPU) graph supports only the normal prior", p)
		case c.KL != KLSample:
			return fmt.Errorf("graph: kl %v: the resident (GPU) graph supports only kl mc", c.KL)
		case c.KLWeightInput:
			return fmt.Errorf("graph: kl weight input (minibatches): the resident (GPU) graph supports only the full batch")
		}
	}
	return nil
}
