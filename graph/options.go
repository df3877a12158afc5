package graph

import (
	"fmt"
	"reflect"

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

// defaultPrior is the seed's weight prior, N(0, 1).
var defaultPrior = nodes.Normal{Mu: 0, Sigma: 1}

// WeightPrior is the prior the graph uses: Prior, or the seed's N(0, 1)
// when Prior is nil or the zero nodes.Normal.
func (c Config) WeightPrior() nodes.Prior {
	if c.Prior == nil || c.Prior == (nodes.Normal{}) {
		return defaultPrior
	}
	return c.Prior
}

// validatePrior is p.Validate, with an error instead of a panic for a nil
// pointer (or other nil value) in the interface.
func validatePrior(p nodes.Prior) error {
	switch v := reflect.ValueOf(p); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			return fmt.Errorf("graph: prior %T: a nil value", p)
		}
	}
	return p.Validate()
}

// residentPrior is the resident graph's prior: a nodes.Normal or a
// nodes.ScaleMixture, the priors nodes.KLTerm computes.
func (c Config) residentPrior() (nodes.Prior, error) {
	switch p := c.WeightPrior(); p.(type) {
	case nodes.Normal, nodes.ScaleMixture:
		return p, nil
	}
	return nil, fmt.Errorf("graph: prior %v: the resident (GPU) graph supports only the normal and mixture priors", c.WeightPrior())
}

// validateOptions checks the research options (prior, KL, likelihood) and
// that a resident graph is asked only for what its ops compute (the
// Normal or mixture prior, either KL estimate, the full batch).
func (c Config) validateOptions() error {
	p := c.WeightPrior()
	if err := validatePrior(p); err != nil {
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
		if _, err := c.residentPrior(); err != nil {
			return err
		}
	}
	return nil
}
