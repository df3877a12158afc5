package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// Config describes the network. Its zero value is the seed program's model:
// 5 variational layers of width 20 from 1 input to 1 output, prior N(0, 1),
// likelihood sigma 0.1, NBatch 1, float32, the seed's initialisation.
type Config struct {
	Layers  int // variational linear layers (default 5)
	Hidden  int // width of the hidden layers (default 20)
	Inputs  int // input features (default 1)
	Outputs int // outputs (default 1; a classifier's: Classes)

	// Task is regression (zero value) or classification (task.go).
	Task Task
	// Classes is a classifier's class count: the last layer's logits.
	Classes int

	NBatch          float64 // the KL is divided by this (default 1: full batch)
	LikelihoodSigma float64 // fixed scale of the Gaussian likelihood (default 0.1)

	// Prior is the weight prior: nil (or the zero nodes.Normal) means the
	// seed's N(0, 1); nodes.ScaleMixture is the scale mixture of Blundell
	// et al. (2015); any other nodes.Prior works as it is (the Monte-Carlo
	// KL, KLSample), except in a Resident graph, which takes only a
	// nodes.Normal. See WeightPrior.
	Prior nodes.Prior
	// KL picks the KL estimate (zero: KLSample, the seed's one-sample MC).
	KL KLEstimate
	// Likelihood is the regression's observation model: nil means the
	// seed's LikFixed; LikLearned starts its scale at LikelihoodSigma; any
	// other Likelihood works as it is, except in a Resident graph, which
	// takes a ResidentLikelihood (LikFixed, LikLearned, LikHetero). A
	// classifier's is the categorical one (Task), with this left nil or
	// LikFixed. See Lik.
	Likelihood Likelihood
	// MinSigma is LikHetero's floor on the scale (0: DefaultMinSigma).
	MinSigma float64
	// KLWeightInput makes the KL's weight an input node, Network.KLWeight
	// (starting at 1/NBatch), set per step by minibatch training; in a
	// Resident graph a scalar of the store (klweight.go).
	KLWeightInput bool
	// Estimator picks weight sampling (zero: Reparam, the seed's) or the
	// local reparameterisation of the pre-activations (needs KLClosed).
	Estimator Estimator

	Dtype tensor.Dtype // tensor.Float32 (default) or tensor.Float64

	Init Init // initial values of the variational parameters

	// StockOps builds the data-sized block (x·w + b, ReLU), softplus and the
	// sample mu + sigma ⊙ eps from Gorgonia's own ops instead of this
	// project's fused Linear, ReLU, Softplus and Reparameterize: slower, but
	// every op has Gorgonia's CUDA kernel.
	StockOps bool

	// Resident builds the graph from the resident ops (see resident.go):
	// parameters, Adam and epsilon live where the machine runs, which in
	// the CUDA build is GPU memory. Ignores StockOps.
	Resident bool
}

// Init is the initial distribution of the variational parameters. The zero
// value is the seed's: w_mu ~ N(0, 0.001²), w_rho ~ N(-2.5, 0.001²),
// b_mu = b_rho = 0.
type Init struct {
	WMuStd    float64 // default 0.001
	WRhoMean  float64 // default -2.5
	WRhoStd   float64 // default 0.001
	BMu, BRho float64 // default 0
	// Set makes the zero fields above mean zero instead of the defaults.
	Set bool
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Layers, 5)
	def(&c.Hidden, 20)
	def(&c.Inputs, 1)
	if c.Task == Classification && c.Outputs == 0 {
		c.Outputs = c.Classes
	}
	def(&c.Outputs, 1)
	if c.NBatch == 0 {
		c.NBatch = 1
	}
	c.Prior = c.WeightPrior()
	c.Likelihood = c.Lik()
	if c.LikelihoodSigma == 0 {
		c.LikelihoodSigma = 0.1
	}
	if c.Dtype == (tensor.Dtype{}) {
		c.Dtype = tensor.Float32
	}
	if !c.Init.Set {
		c.Init = Init{WMuStd: 0.001, WRhoMean: -2.5, WRhoStd: 0.001, Set: true}
	}
	return c
}

// Validate reports the first field that cannot build a network.
func (c Config) Validate() error {
	switch {
	case c.Layers < 1:
		return fmt.Errorf("graph: layers %d: need at least 1", c.Layers)
	case c.Hidden < 1:
		return fmt.Errorf("graph: hidden %d: need at least 1", c.Hidden)
	case c.Inputs < 1 || c.Outputs < 1:
		return fmt.Errorf("graph: inputs %d, outputs %d: need at least 1 each", c.Inputs, c.Outputs)
	case !(c.NBatch > 0) || math.IsInf(c.NBatch, 0):
		return fmt.Errorf("graph: n_batch %v: need a finite value > 0", c.NBatch)
	case !(c.LikelihoodSigma > 0) || math.IsInf(c.LikelihoodSigma, 0):
		return fmt.Errorf("graph: likelihood sigma %v: need a finite value > 0", c.LikelihoodSigma)
	case c.Dtype != tensor.Float32 && c.Dtype != tensor.Float64:
		return fmt.Errorf("graph: dtype %v: need float32 or float64", c.Dtype)
	case !(c.Init.WMuStd >= 0) || !(c.Init.WRhoStd >= 0) || math.IsInf(c.Init.WMuStd+c.Init.WRhoStd+c.Init.WRhoMean+c.Init.BMu+c.Init.BRho, 0) || math.IsNaN(c.Init.WRhoMean+c.Init.BMu+c.Init.BRho):
		return fmt.Errorf("graph: init %+v: need finite values and non-negative spreads", c.Init)
	}
	return c.validateOptions()
}

// widths returns the input and output width of layer i.
func (c Config) widths(i int) (in, out int) {
	in, out = c.Hidden, c.Hidden
	if i == 0 {
		in = c.Inputs
	}
	if i == c.Layers-1 {
		out = c.outWidth()
	}
	return in, out
}
