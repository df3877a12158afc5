package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// Likelihood is the observation model p(y | network output).
type Likelihood int

const (
	// LikFixed is N(y | out, LikelihoodSigma²), a fixed noise scale (the seed's).
	LikFixed Likelihood = iota
	// LikLearned is N(y | out, sigma²) with one scale sigma = softplus(rho),
	// rho learned with the weights (point estimate, no prior), starting at
	// LikelihoodSigma.
	LikLearned
	// LikHetero has the network output a mean and a raw scale per target:
	// sigma = MinSigma + softplus(raw + SoftplusInv(LikelihoodSigma)), so
	// it starts near LikelihoodSigma. The last layer is twice as wide.
	LikHetero
)

// String is the flag spelling: "fixed", "learned" or "hetero".
func (l Likelihood) String() string {
	switch l {
	case LikFixed:
		return "fixed"
	case LikLearned:
		return "learned"
	case LikHetero:
		return "hetero"
	}
	return fmt.Sprintf("Likelihood(%d)", int(l))
}

// ParseLikelihood reads "fixed", "learned" or "hetero".
func ParseLikelihood(s string) (Likelihood, error) {
	for _, l := range []Likelihood{LikFixed, LikLearned, LikHetero} {
		if l.String() == s {
			return l, nil
		}
	}
	return 0, fmt.Errorf("graph: likelihood %q: want fixed, learned or hetero", s)
}

// DefaultMinSigma is LikHetero's floor on the scale when MinSigma is 0.
const DefaultMinSigma = 1e-3

// outWidth is the last layer's width: Outputs, or twice that for LikHetero
// (means, then raw scales).
func (c Config) outWidth() int {
	if c.Likelihood == LikHetero {
		return 2 * c.Outputs
	}
	return c.Outputs
}

func (c Config) validateLikelihood() error {
	switch {
	case c.Likelihood < LikFixed || c.Likelihood > LikHetero:
		return fmt.Errorf("graph: likelihood %v: want LikFixed, LikLearned or LikHetero", c.Likelihood)
	case !(c.MinSigma >= 0) || math.IsInf(c.MinSigma, 0):
		return fmt.Errorf("graph: min sigma %v: need a finite value >= 0", c.MinSigma)
	case c.Resident && c.Likelihood != LikFixed:
		return fmt.Errorf("graph: likelihood %v: the resident (GPU) graph supports only the fixed likelihood", c.Likelihood)
	}
	return nil
}

// addNoise adds LikLearned's learnable noise_rho and its noise_sigma =
// softplus(noise_rho) to the graph (forward networks too: predictive
// sampling reads the scale).
func (n *Network) addNoise() error {
	if n.Config.Likelihood != LikLearned {
		return nil
	}
	dt := n.Config.Dtype
	n.NoiseRho = G.NewVector(n.Graph, dt, G.WithShape(1), G.WithName("noise_rho"),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(1))))
	var err error
	if n.NoiseSigma, err = nodes.Softplus(n.NoiseRho); err != nil {
		return err
	}
	G.WithName("noise_sigma")(n.NoiseSigma)
	return nil
}

// logLik is the log-likelihood node of the targets under Config.Likelihood.
func (n *Network) logLik() (*G.Node, error) {
	c := n.Config
	if c.Task == Classification {
		return nodes.CategoricalLogLik(n.Y, n.Output)
	}
	switch c.Likelihood {
	case LikLearned:
		return nodes.LearnedGaussianLogLik(n.Y, n.Output, n.NoiseSigma)
	case LikHetero:
		return nodes.HeteroGaussianLogLik(n.Y, n.Output, c.heteroScale())
	}
	return nodes.GaussianLogLik(n.Y, n.Output, c.LikelihoodSigma)
}

func (c Config) heteroScale() nodes.HeteroScale {
	h := nodes.HeteroScale{Min: c.MinSigma, Shift: nodes.SoftplusInv(c.LikelihoodSigma)}
	if h.Min == 0 {
		h.Min = DefaultMinSigma
	}
	return h
}

// initNoise sets noise_rho so that the scale starts at LikelihoodSigma.
func (n *Network) initNoise() error {
	if n.NoiseRho == nil {
		return nil
	}
	return SetValues(n.NoiseRho, []float64{nodes.SoftplusInv(n.Config.LikelihoodSigma)})
}

// Noise describes the observation noise of one pass's output, for
// predictive sampling: Width values per input (1, or 2 for LikHetero: the
// mean, then the raw scale) and the scale of each.
type Noise struct {
	Kind   Likelihood
	Sigma  float64           // LikFixed, LikLearned: the scale
	Hetero nodes.HeteroScale // LikHetero
}

// Width is the output values per input and target.
func (z Noise) Width() int {
	if z.Kind == LikHetero {
		return 2
	}
	return 1
}

// Scale is the noise scale of an output row (mean[, raw scale]).
func (z Noise) Scale(row []float32) float64 {
	if z.Kind == LikHetero {
		return z.Hetero.Sigma(float64(row[1]))
	}
	return z.Sigma
}

// Noise returns the network's current observation-noise model (LikLearned:
// the scale its noise_rho stands for now).
func (n *Network) Noise() (Noise, error) {
	c := n.Config
	z := Noise{Kind: c.Likelihood, Sigma: c.LikelihoodSigma, Hetero: c.heteroScale()}
	if c.Likelihood == LikLearned {
		v, err := Values(n.NoiseRho)
		if err != nil {
			return z, err
		}
		z.Sigma = nodes.SoftplusAt(v[0])
	}
	return z, nil
}
