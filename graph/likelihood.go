package graph

import (
	"fmt"
	"math"
	"reflect"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/nodes"
)

// Likelihood is the observation model p(y | network output) of a
// regression network, Config.Likelihood. LikFixed (the seed's), LikLearned
// and LikHetero are this package's; a type of one's own with these methods
// works as well (see Config's customLikelihood example), so a likelihood is
// one file. New calls Validate, then Outputs (the last layer's width),
// AddLearnables (right after the layers) and, unless NewForward, LogLik;
// Network.Init calls InitLearnables, and predictive sampling Noise.
type Likelihood interface {
	// String is the flag spelling ("fixed", "learned", "hetero"), the
	// name the model file records.
	String() string
	// Validate checks the likelihood's own settings, so that a bad one is
	// an error before any graph is built, never a NaN loss.
	Validate() error
	// Outputs is how many network outputs the likelihood reads per target
	// column: 1, or 2 for LikHetero's mean and raw scale (the last layer is
	// that many times Config.Outputs wide).
	Outputs() int
	// AddLearnables adds the likelihood's own learnables, and any node
	// made of them, to n.Graph right after the layers (in NewForward's
	// networks too), and returns the learnables, nil for none.
	// Network.Learnables lists them after the layers', and
	// Network.LikLearnables returns them.
	AddLearnables(n *Network) (G.Nodes, error)
	// InitLearnables sets n.LikLearnables' initial values (Network.Init).
	InitLearnables(n *Network) error
	// LogLik returns the scalar log-likelihood node, summed over rows and
	// target columns, of the targets y (Rows × Config.Outputs) given
	// n.Output (Rows × Config.Outputs·Outputs()).
	LogLik(n *Network, y *G.Node) (*G.Node, error)
	// Noise returns the observation noise predictive sampling adds to an
	// output row, at the learnables' current values.
	Noise(n *Network) (Noise, error)
}

// ResidentLikelihood is a Likelihood that the resident graph
// (Config.Resident, the CUDA build's) can run: its log-likelihood also as
// ops that stay on the GPU (each with a CUDA kernel), reading the
// likelihood's learnables where the store keeps them. LikFixed, LikLearned
// and LikHetero are; Validate refuses a resident graph for a likelihood
// that is not, instead of leaving a CPU node in the GPU's graph.
type ResidentLikelihood interface {
	Likelihood
	// ResidentLogLik is LogLik in a resident network (n.Store set): the
	// same value and gradients, from resident ops. The likelihood's
	// learnables are n.LikLearnables(), the Param nodes that
	// AddLearnables made with Network.LikLearnable.
	ResidentLogLik(n *Network, y *G.Node) (*G.Node, error)
}

// NoLearnables gives a likelihood without learnables of its own its
// AddLearnables and InitLearnables: embed it.
type NoLearnables struct{}

// AddLearnables adds nothing.
func (NoLearnables) AddLearnables(*Network) (G.Nodes, error) { return nil, nil }

// InitLearnables has nothing to set.
func (NoLearnables) InitLearnables(*Network) error { return nil }

// LikFixed is N(y | out, LikelihoodSigma²), a fixed noise scale (the
// seed's, and what a nil Config.Likelihood means).
type LikFixed struct{ NoLearnables }

// LikLearned is N(y | out, sigma²) with one scale sigma = softplus(rho),
// rho learned with the weights (point estimate, no prior), starting at
// LikelihoodSigma: the learnable noise_rho, Network.NoiseRho.
type LikLearned struct{}

// LikHetero has the network output a mean and a raw scale per target:
// sigma = MinSigma + softplus(raw + SoftplusInv(LikelihoodSigma)), so it
// starts near LikelihoodSigma. The last layer is twice as wide.
type LikHetero struct{ NoLearnables }

// String is "fixed".
func (LikFixed) String() string { return "fixed" }

// String is "learned".
func (LikLearned) String() string { return "learned" }

// String is "hetero".
func (LikHetero) String() string { return "hetero" }

// Validate has nothing to check: the scale is Config.LikelihoodSigma.
func (LikFixed) Validate() error { return nil }

// Validate has nothing to check: the scale starts at Config.LikelihoodSigma.
func (LikLearned) Validate() error { return nil }

// Validate has nothing to check: the floor is Config.MinSigma.
func (LikHetero) Validate() error { return nil }

// Outputs is 1: the mean.
func (LikFixed) Outputs() int { return 1 }

// Outputs is 1: the mean.
func (LikLearned) Outputs() int { return 1 }

// Outputs is 2: the mean, then the raw scale.
func (LikHetero) Outputs() int { return 2 }

// LogLik is nodes.GaussianLogLik.
func (LikFixed) LogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.GaussianLogLik(y, n.Output, n.Config.LikelihoodSigma)
}

// ResidentLogLik is nodes.GaussianLogLikResident (a CPU node left in the
// graph would pull the output off the GPU every step).
func (LikFixed) ResidentLogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.GaussianLogLikResident(y, n.Output, n.Config.LikelihoodSigma)
}

// LogLik is nodes.LearnedGaussianLogLik at n.NoiseSigma.
func (LikLearned) LogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.LearnedGaussianLogLik(y, n.Output, n.NoiseSigma)
}

// ResidentLogLik is nodes.LearnedGaussianLogLikResident at the stored
// noise_rho (its softplus is taken inside the op).
func (LikLearned) ResidentLogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.LearnedGaussianLogLikResident(y, n.Output, n.LikLearnables()[0])
}

// LogLik is nodes.HeteroGaussianLogLik.
func (LikHetero) LogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.HeteroGaussianLogLik(y, n.Output, n.Config.heteroScale())
}

// ResidentLogLik is nodes.HeteroGaussianLogLikResident.
func (LikHetero) ResidentLogLik(n *Network, y *G.Node) (*G.Node, error) {
	return nodes.HeteroGaussianLogLikResident(y, n.Output, n.Config.heteroScale())
}

// AddLearnables adds noise_rho, n.NoiseRho, and its noise_sigma =
// softplus(noise_rho), n.NoiseSigma (forward networks too: predictive
// sampling reads the scale). In a resident network noise_rho is a Param of
// the store (Adam updates it on the device) and n.NoiseSigma is nil: the
// resident op takes the softplus itself.
func (LikLearned) AddLearnables(n *Network) (G.Nodes, error) {
	var rho *G.Node
	var err error
	if n.NoiseRho, rho, err = n.LikLearnable("noise_rho", 1); err != nil || n.Store != nil {
		return G.Nodes{rho}, err
	}
	if n.NoiseSigma, err = nodes.Softplus(n.NoiseRho); err != nil {
		return nil, err
	}
	G.WithName("noise_sigma")(n.NoiseSigma)
	return G.Nodes{n.NoiseRho}, nil
}

// LikLearnable makes a learnable of the likelihood, for AddLearnables:
// learnable is what Learnables lists and SetValues fills (an input node,
// or in a resident network its host tensor), node what the graph computes
// with and AddLearnables returns (the learnable itself, or in a resident
// network the store's Param node).
func (n *Network) LikLearnable(name string, shape ...int) (learnable, node *G.Node, err error) {
	if n.Store == nil {
		learnable, err = hostSource{g: n.Graph, dt: n.Config.Dtype}.input(name, shape)
		return learnable, learnable, err
	}
	if node, err = (residentSource{n: n}).param(name, shape...); err != nil {
		return nil, nil, err
	}
	return n.host[len(n.host)-1], node, nil
}

// InitLearnables sets noise_rho so that the scale starts at
// LikelihoodSigma.
func (LikLearned) InitLearnables(n *Network) error {
	return SetValues(n.NoiseRho, []float64{nodes.SoftplusInv(n.Config.LikelihoodSigma)})
}

// Noise is LikelihoodSigma.
func (l LikFixed) Noise(n *Network) (Noise, error) { return n.Config.gaussNoise(l), nil }

// Noise is the scale noise_rho stands for now.
func (l LikLearned) Noise(n *Network) (Noise, error) {
	z := n.Config.gaussNoise(l)
	v, err := Values(n.NoiseRho)
	if err != nil {
		return z, err
	}
	z.Sigma = nodes.SoftplusAt(v[0])
	return z, nil
}

// Noise is the scale per output row, from its raw scale.
func (l LikHetero) Noise(n *Network) (Noise, error) { return n.Config.gaussNoise(l), nil }

// gaussNoise is the Noise of this package's Gaussian likelihoods, at the
// configured scales.
func (c Config) gaussNoise(l Likelihood) Noise {
	return Noise{Kind: l, Sigma: c.LikelihoodSigma, Hetero: c.heteroScale()}
}

// ParseLikelihood reads "fixed", "learned" or "hetero"; any other name is
// an error.
func ParseLikelihood(s string) (Likelihood, error) {
	for _, l := range []Likelihood{LikFixed{}, LikLearned{}, LikHetero{}} {
		if l.String() == s {
			return l, nil
		}
	}
	return nil, fmt.Errorf("graph: likelihood %q: want fixed, learned or hetero", s)
}

// DefaultMinSigma is LikHetero's floor on the scale when MinSigma is 0.
const DefaultMinSigma = 1e-3

// Lik is the likelihood the graph uses: Likelihood, or the seed's LikFixed
// when Likelihood is nil.
func (c Config) Lik() Likelihood {
	if c.Likelihood == nil {
		return LikFixed{}
	}
	return c.Likelihood
}

// fixedLik says whether the likelihood is the seed's, the only one a
// classifier takes.
func (c Config) fixedLik() bool {
	_, ok := c.Lik().(LikFixed)
	return ok
}

// outWidth is the last layer's width: Outputs times the likelihood's
// outputs per target (LikHetero: means, then raw scales).
func (c Config) outWidth() int { return c.Outputs * c.Lik().Outputs() }

func (c Config) validateLikelihood() error {
	l := c.Lik()
	switch v := reflect.ValueOf(l); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			return fmt.Errorf("graph: likelihood %T: a nil value", l)
		}
	}
	if err := l.Validate(); err != nil {
		return err
	}
	switch {
	case l.Outputs() < 1:
		return fmt.Errorf("graph: likelihood %v: %d outputs per target: need at least 1", l, l.Outputs())
	case !(c.MinSigma >= 0) || math.IsInf(c.MinSigma, 0):
		return fmt.Errorf("graph: min sigma %v: need a finite value >= 0", c.MinSigma)
	case c.Resident && !isResident(l):
		return errNotResident(l)
	}
	return nil
}

func isResident(l Likelihood) bool {
	_, ok := l.(ResidentLikelihood)
	return ok
}

func errNotResident(l Likelihood) error {
	return fmt.Errorf("graph: likelihood %v: no resident form (a graph.ResidentLikelihood): the resident (GPU) graph cannot run it", l)
}

// addLikLearnables adds the likelihood's learnables after the layers.
func (n *Network) addLikLearnables() error {
	var err error
	n.likLearnables, err = n.Config.Lik().AddLearnables(n)
	return err
}

// LikParams builds c's likelihood's learnables alone, in a graph of their
// own (Network.Output nil), for their names and shapes before any network
// is built, as a model file checks them: LikLearned's noise_rho of shape
// [1]; nil for none.
func LikParams(c Config) (G.Nodes, error) {
	c = c.WithDefaults()
	return c.Lik().AddLearnables(&Network{Config: c, Graph: G.NewGraph()})
}

// LikLearnables returns the likelihood's own learnables (LikLearned:
// noise_rho) as the graph computes with them, the last of Params: in a
// resident network the store's Param nodes (Learnables ends with their
// host tensors); nil for none.
func (n *Network) LikLearnables() G.Nodes { return n.likLearnables }

// logLik is the log-likelihood node of the targets y: the categorical one
// of a classifier, else Config.Likelihood's; in a resident network their
// resident forms.
func (n *Network) logLik(y *G.Node) (*G.Node, error) {
	switch l := n.Config.Lik(); {
	case n.Config.Task == Classification && n.Store != nil:
		return nodes.CategoricalLogLikResident(y, n.Output)
	case n.Config.Task == Classification:
		return nodes.CategoricalLogLik(y, n.Output)
	case n.Store != nil:
		rl, ok := l.(ResidentLikelihood)
		if !ok {
			return nil, errNotResident(l)
		}
		return rl.ResidentLogLik(n, y)
	default:
		return l.LogLik(n, y)
	}
}

func (c Config) heteroScale() nodes.HeteroScale {
	h := nodes.HeteroScale{Min: c.MinSigma, Shift: nodes.SoftplusInv(c.LikelihoodSigma)}
	if h.Min == 0 {
		h.Min = DefaultMinSigma
	}
	return h
}

// Noise describes the observation noise of one pass's output, for
// predictive sampling: a Gaussian around the row's first value, Width values
// per input and target, of scale Scale.
type Noise struct {
	Kind   Likelihood        // the likelihood it describes (nil: LikFixed)
	Sigma  float64           // the scale, unless Width is 2
	Hetero nodes.HeteroScale // Width 2: the scale of the row's raw scale
}

// Width is the output values per input and target: Kind's Outputs (2 for
// LikHetero: the mean, then the raw scale).
func (z Noise) Width() int {
	if z.Kind == nil {
		return 1
	}
	return z.Kind.Outputs()
}

// Scale is the noise scale of an output row (mean[, raw scale]).
func (z Noise) Scale(row []float32) float64 {
	if z.Width() == 2 {
		return z.Hetero.Sigma(float64(row[1]))
	}
	return z.Sigma
}

// Noise returns the network's current observation-noise model (LikLearned:
// the scale its noise_rho stands for now).
func (n *Network) Noise() (Noise, error) { return n.Config.Lik().Noise(n) }
