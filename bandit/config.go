package bandit

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/nodes"
)

// Config is one run of the experiment. Its zero value (with Agents set) is
// the documented default; see doc.go for why each default was chosen. The
// fields tagged flag are bbb bandit's flags of those names, with their
// help (internal/settingflag).
type Config struct {
	Agents []Agent // at least one (ParseAgents)
	Steps  int     `flag:"steps" help:"mushrooms shown to each agent"`        // (default 50000)
	Every  int     `flag:"every" help:"steps between two rows of regret.csv"` // (default 100)

	Hidden int `flag:"hidden" help:"units per hidden layer"` // (default 100)
	Depth  int `flag:"depth" help:"hidden layers"`           // (default 2)

	Buffer  int     `flag:"buffer" help:"latest interactions kept for training"`                                  // (default 4096)
	Batch   int     `flag:"batch" help:"rows of a minibatch"`                                                     // (default 64)
	Updates int     `flag:"updates" help:"minibatch updates after each step (the paper: 64; see docs/BANDIT.md)"` // (default 1)
	LR      float64 `flag:"lr" help:"Adam's learning rate"`                                                       // (default 1e-3)
	// RhoLR is the step size of the BBB network's rho parameters (the
	// sigmas' weights and biases; default 1e-4, a tenth of LR's: the
	// sigmas creep towards the prior's width ten times slower; doc.go).
	// RhoSGD steps them by plain SGD instead of Adam (default false), so
	// that the size of their gradient, and with it the KL's weight, sets
	// their pace (docs/BANDIT.md, "the Adam creep"). The means always take
	// Adam at LR.
	RhoLR  float64 `flag:"rho-lr" help:"learning rate of the BBB network's rhos (the means take --lr; see docs/BANDIT.md, the Adam creep)"`
	RhoSGD bool

	// PriorKind picks the BBB weight prior: the scale mixture Mixture
	// (zero value; one-sample Monte Carlo KL, as the paper) or the normal
	// Prior (closed-form KL).
	PriorKind PriorKind
	Mixture   nodes.ScaleMixture // default PaperMixture
	Prior     nodes.Normal       // default N(0, 1)
	// KLBuffer weights the KL of a minibatch by Batch/n for the n
	// interactions in the buffer instead of Batch/t for the t seen so far
	// (default false: seen). Seen is eq. 8 for all the data, with the
	// buffer as a sample of it: the posterior keeps narrowing after the
	// buffer is full. With the buffer's n it is the posterior of the last
	// 4096 interactions only, and its sigmas grow all run (docs/BANDIT.md).
	KLBuffer bool
	// Likelihood is the BBB network's reward likelihood: nil is
	// graph.LikFixed at Sigma (the default); graph.LikLearned learns one
	// scale, starting at Sigma; graph.LikHetero predicts a scale per
	// context and action (eating a poisonous mushroom is noisy, passing
	// is not), starting near Sigma. The twins fit neither: their loss is
	// the squared error (a fixed scale of 1, whatever Sigma).
	Likelihood graph.Likelihood
	// Sigma is the BBB network's Gaussian likelihood scale (default 1):
	// fixed, or where a learned one starts.
	Sigma float64 `flag:"likelihood-sigma" help:"scale of the BBB network's Gaussian reward likelihood (--likelihood learned, hetero: its start)"`
	// InitRho is the initial rho of every weight (default -8: sigma
	// 0.00034, the network starts as the twin; docs/BANDIT.md).
	InitRho float64 `flag:"init-rho" help:"initial rho of every weight (sigma = log(1 + e^rho))"`
	// InitStd is the spread of the initial weight means (default 0.1).
	InitStd float64 `flag:"init-std" help:"spread of the initial weight means"`

	// Resident builds the BBB agents' network as the resident graph
	// (graph.Config.Resident: parameters, Adam and the epsilon draws in
	// the store, every op a CUDA kernel in the CUDA build; on the CPU the
	// ops' Go code). Its epsilons are Philox draws (nodes.NormalAt), not
	// the host graph's, so a seed's run differs from the host graph's.
	// The twins stay host graphs. RhoSGD is the host graph's only.
	Resident bool

	Seed uint64 `flag:"seed" help:"seed of the mushrooms, the rewards' coins, the initial weights and every agent's draws" effect:"!seeds: --seeds gives the seeds"`

	// Progress, if not nil, is called when the steps that every agent
	// has done pass a multiple of 10·Every, with that multiple (from one
	// agent's goroutine at a time).
	Progress func(done int)
}

// Defaults of Config (doc.go says why).
const (
	DefaultSteps   = 50000
	DefaultEvery   = 100
	DefaultHidden  = 100
	DefaultDepth   = 2
	DefaultBuffer  = 4096
	DefaultBatch   = 64
	DefaultUpdates = 1
	DefaultLR      = 1e-3
	DefaultRhoLR   = 1e-4
	DefaultSigma   = 1
	DefaultInitRho = -8
	DefaultInitStd = 0.1
)

// minLR is float32's smallest normal number: the networks are float32,
// and a smaller rate rounds to 0 (or a subnormal) in Adam.
const minLR = 0x1p-126

// DefaultPrior is the standard normal.
var DefaultPrior = nodes.Normal{Mu: 0, Sigma: 1}

// PaperMixture is the scale mixture of Blundell et al. (2015) at values of
// their grid (pi 1/2, -log sigma1 = 0, -log sigma2 = 6).
var PaperMixture = nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Steps, DefaultSteps)
	def(&c.Every, DefaultEvery)
	def(&c.Hidden, DefaultHidden)
	def(&c.Depth, DefaultDepth)
	def(&c.Buffer, DefaultBuffer)
	def(&c.Batch, DefaultBatch)
	def(&c.Updates, DefaultUpdates)
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	deff(&c.LR, DefaultLR)
	deff(&c.RhoLR, DefaultRhoLR)
	deff(&c.Sigma, DefaultSigma)
	deff(&c.InitRho, DefaultInitRho)
	deff(&c.InitStd, DefaultInitStd)
	if c.Likelihood == nil {
		c.Likelihood = graph.LikFixed{}
	}
	if c.Prior == (nodes.Normal{}) {
		c.Prior = DefaultPrior
	}
	if c.Mixture == (nodes.ScaleMixture{}) {
		c.Mixture = PaperMixture
	}
	return c
}

// Validate reports the first field that cannot run (after WithDefaults).
func (c Config) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case len(c.Agents) == 0:
		return fmt.Errorf("bandit: no agents")
	case c.Steps < 1:
		return fmt.Errorf("bandit: steps %d: need at least 1", c.Steps)
	case c.Every < 1:
		return fmt.Errorf("bandit: every %d: need at least 1", c.Every)
	case c.Hidden < 1 || c.Depth < 1:
		return fmt.Errorf("bandit: %d hidden layers of %d units: need at least 1 of 1", c.Depth, c.Hidden)
	case c.Buffer < 1:
		return fmt.Errorf("bandit: buffer %d: need at least 1", c.Buffer)
	case c.Batch < 1:
		return fmt.Errorf("bandit: batch %d: need at least 1", c.Batch)
	case c.Updates < 0:
		return fmt.Errorf("bandit: updates %d: need at least 0", c.Updates)
	case !(c.LR > 0) || !finite(c.LR):
		return fmt.Errorf("bandit: learning rate %v: need a finite value > 0", c.LR)
	case !(c.RhoLR > 0) || !finite(c.RhoLR):
		return fmt.Errorf("bandit: rho learning rate %v: need a finite value > 0", c.RhoLR)
	case c.LR < minLR || c.RhoLR < minLR:
		return fmt.Errorf("bandit: learning rates %v, %v (means, rhos): need at least %.3g (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)", c.LR, c.RhoLR, minLR)
	case !(c.Sigma > 0) || !finite(c.Sigma):
		return fmt.Errorf("bandit: likelihood sigma %v: need a finite value > 0", c.Sigma)
	case !finite(c.InitRho) || !(c.InitStd >= 0) || !finite(c.InitStd):
		return fmt.Errorf("bandit: init rho %v, std %v: need finite values, std >= 0", c.InitRho, c.InitStd)
	}
	for _, a := range c.Agents {
		if !(a.Epsilon >= 0 && a.Epsilon < 1) {
			return fmt.Errorf("bandit: agent %s: epsilon %v: need 0 <= epsilon < 1", a.Name, a.Epsilon)
		}
		if a.Thompson && (a.PosteriorMean || a.Epsilon > 0) {
			return fmt.Errorf("bandit: agent %s: Thompson sampling acts on a draw, not at the posterior means or at random", a.Name)
		}
	}
	if c.Resident && c.RhoSGD {
		return fmt.Errorf("bandit: the resident graph steps the rhos by Adam only, not SGD")
	}
	if c.PriorKind != PriorMixture && c.PriorKind != PriorNormal {
		return fmt.Errorf("bandit: prior kind %d: want PriorMixture or PriorNormal", c.PriorKind)
	}
	if err := c.Prior.Validate(); err != nil {
		return err
	}
	if err := c.Mixture.Validate(); err != nil {
		return err
	}
	gc := c.graph(1)
	gc.Resident = c.Resident
	return gc.WithDefaults().Validate()
}

// Graph is each agent's network for mushrooms of the given one-hot width
// (data.Mushrooms.Width), c's zero fields at their defaults: the model a
// caller checks (its sizes) before Run builds one per agent.
func (c Config) Graph(width int) graph.Config { return c.WithDefaults().graph(width) }

// MemorySizes is the run in memory.Estimate's terms, c's zero fields at
// their defaults: one graph of Batch rows per agent, their parameters and
// the Buffer of interactions, for mushrooms of the given one-hot width.
func (c Config) MemorySizes(width int) memory.Sizes {
	c = c.WithDefaults()
	variational := 0
	for _, a := range c.Agents {
		if a.variational() {
			variational++
		}
	}
	return memory.Sizes{Job: memory.Bandit, Points: c.Batch, Hidden: c.Hidden, Layers: c.Depth + 1, Inputs: width + numActions,
		Workers: len(c.Agents), Variational: variational, Buffer: c.Buffer, DtypeBytes: 4}
}

// CheckSizes bounds the run's sizes before any work, c's zero fields at
// their defaults: Depth by the layers a graph may have
// (modelfile.MaxLayers), each agent's network within modelfile.CheckSize's
// bounds against avail bytes, and the memory of every agent's graph (Batch
// rows), parameters and Buffer (fits: memory.Check against a limit), each
// size named by bbb bandit's flag. width is the mushrooms' one-hot context.
func (c Config) CheckSizes(width int, avail float64, fits func(memory.Sizes) error) error {
	c = c.WithDefaults()
	if c.Depth >= modelfile.MaxLayers {
		return fmt.Errorf("--depth %d: want 1 to %d (the graph's layers are --depth + 1, at most %d)", c.Depth, modelfile.MaxLayers-1, modelfile.MaxLayers)
	}
	var se *modelfile.SizeError
	if errors.As(modelfile.CheckSize(c.Graph(width), avail), &se) {
		return errors.New(se.Named("--hidden", "layers (--depth + 1)"))
	}
	s := c.MemorySizes(width)
	s.PointsFrom, s.HiddenFrom, s.LayersFrom = fmt.Sprintf("--batch %d", c.Batch), fmt.Sprintf("--hidden %d", c.Hidden), fmt.Sprintf("--depth %d", c.Depth)
	return fits(s)
}

// graph is the network of a context of width inputs (plus the two
// action columns): Depth ReLU layers of Hidden units and one output, the
// predicted reward.
func (c Config) graph(width int) graph.Config {
	return graph.Config{
		Layers:          c.Depth + 1,
		NBatch:          1,
		Hidden:          c.Hidden,
		Inputs:          width + numActions,
		Outputs:         1,
		Prior:           c.weightPrior(),
		KL:              c.kl(),
		Likelihood:      c.Likelihood,
		LikelihoodSigma: c.Sigma,
		KLWeightInput:   true,
		Dtype:           tensor.Float32,
		Init:            graph.Init{WMuStd: c.InitStd, WRhoMean: c.InitRho, BRho: c.InitRho, Set: true},
	}
}

// PriorKind picks the weight prior.
type PriorKind int

const (
	PriorMixture PriorKind = iota // Config.Mixture, Monte Carlo KL
	PriorNormal                   // Config.Prior, closed-form KL
)

// ParsePrior reads a prior's name: mixture (PriorMixture) or normal
// (PriorNormal).
func ParsePrior(s string) (PriorKind, error) {
	switch s {
	case "mixture":
		return PriorMixture, nil
	case "normal":
		return PriorNormal, nil
	}
	return 0, fmt.Errorf("bandit: prior %q: want normal or mixture", s)
}

// ParseKLData reads the n of the KL weight batch/n (Config.KLBuffer):
// seen (false: the interactions seen so far) or buffer (true: those
// stored), as summary.json spells it.
func ParseKLData(s string) (buffer bool, err error) {
	switch s {
	case "seen":
		return false, nil
	case "buffer":
		return true, nil
	}
	return false, fmt.Errorf("bandit: kl data %q: want buffer or seen", s)
}

// ParseRhoOpt reads the optimiser of the rho parameters (Config.RhoSGD):
// adam (false) or sgd (true), as summary.json spells it.
func ParseRhoOpt(s string) (sgd bool, err error) {
	switch s {
	case "adam":
		return false, nil
	case "sgd":
		return true, nil
	}
	return false, fmt.Errorf("bandit: rho optimiser %q: want adam or sgd", s)
}

// RhoOpt spells Config.RhoSGD as ParseRhoOpt reads it.
func (c Config) RhoOpt() string {
	if c.RhoSGD {
		return "sgd"
	}
	return "adam"
}

// weightPrior is the graph's prior: Prior or Mixture, as PriorKind says.
func (c Config) weightPrior() nodes.Prior {
	if c.PriorKind == PriorNormal {
		return c.Prior
	}
	return c.Mixture
}

// kl is the closed form for a normal prior, the one-sample estimate for
// the mixture (which has none).
func (c Config) kl() graph.KLEstimate {
	if c.PriorKind == PriorNormal {
		return graph.KLClosed
	}
	return graph.KLSample
}

// PriorString spells the prior as nodes does ("mixture:0.5,1,0.0025").
func (c Config) PriorString() string {
	return c.weightPrior().String()
}
