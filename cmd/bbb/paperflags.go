package main

import (
	"flag"
	"math"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// paperFlags are the model options of Blundell et al. (2015) and the
// field's usual tools (issue 8); their defaults are the seed's model.
type paperFlags struct {
	prior                     string
	priorPi, priorS1, priorS2 float64
	kl                        string
	likelihood                string
	minSigma                  float64
	batchSize, mcSamples      int
	klWeight                  string
	localReparam              bool
}

func (p *paperFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.prior, "prior", "normal", "weight prior: normal (N(0, s²), s from --prior-sigma) or mixture (pi·N(0, s1²) + (1-pi)·N(0, s2²))")
	fs.Float64Var(&p.priorPi, "prior-pi", 0.5, "--prior mixture: weight pi of the wide component, 0 < pi < 1")
	fs.Float64Var(&p.priorS1, "prior-sigma1", 1, "--prior mixture: standard deviation s1 of the wide component")
	fs.Float64Var(&p.priorS2, "prior-sigma2", math.Exp(-6), "--prior mixture: standard deviation s2 of the narrow component")
	fs.StringVar(&p.kl, "kl", "mc", "KL estimate: mc (one-sample Monte Carlo at the drawn weights) or closed (analytic; needs --prior normal)")
	fs.StringVar(&p.likelihood, "likelihood", "fixed", "Gaussian likelihood's noise scale: fixed (--likelihood-sigma), learned (one scale, softplus-parameterised, starting at --likelihood-sigma) or hetero (the network outputs a mean and a scale per input)")
	fs.Float64Var(&p.minSigma, "min-sigma", graph.DefaultMinSigma, "--likelihood hetero: floor added to the softplus scale")
	fs.IntVar(&p.batchSize, "batch-size", 0, "rows per step; 0: the full batch (the seed's). Each epoch reshuffles the training set and takes N/batch-size steps")
	fs.StringVar(&p.klWeight, "kl-weight", "uniform", "with --batch-size: the KL weight of minibatch i of M, uniform (1/M) or blundell (2^(M-i)/(2^M-1))")
	fs.BoolVar(&p.localReparam, "local-reparam", false, "sample the pre-activations (local reparameterisation trick) instead of the weights; needs --kl closed")
	fs.IntVar(&p.mcSamples, "mc-samples", 1, "epsilon draws per step: the negative ELBO and its gradient averaged over them")
}

// check validates the flags (every one, whether used or not) and their
// combinations.
func (p *paperFlags) check() error {
	switch {
	case p.prior != "normal" && p.prior != "mixture":
		return usagef("--prior %q: want normal or mixture", p.prior)
	case !(p.priorPi > 0 && p.priorPi < 1):
		return usagef("--prior-pi %v: need 0 < pi < 1", p.priorPi)
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"prior-sigma1", p.priorS1}, {"prior-sigma2", p.priorS2}, {"min-sigma", p.minSigma}} {
		if err := checkScale(c.name, c.v, maxScale); err != nil {
			return err
		}
	}
	k, err := graph.ParseKLEstimate(p.kl)
	if err != nil {
		return usagef("--kl %q: want mc or closed", p.kl)
	}
	if _, err := graph.ParseLikelihood(p.likelihood); err != nil {
		return usagef("--likelihood %q: want fixed, learned or hetero", p.likelihood)
	}
	if p.batchSize < 0 {
		return usagef("--batch-size %d: need a value >= 0 (0: full batch)", p.batchSize)
	}
	if _, err := train.ParseKLWeighting(p.klWeight); err != nil {
		return usagef("--kl-weight %q: want uniform or blundell", p.klWeight)
	}
	if p.mcSamples < 1 {
		return usagef("--mc-samples %d: need at least 1", p.mcSamples)
	}
	if p.localReparam && k != graph.KLClosed {
		return usagef("--local-reparam: needs --kl closed (no weight sample is left for a Monte-Carlo KL)")
	}
	if k == graph.KLClosed && p.prior == "mixture" {
		return usagef("--kl closed: the mixture prior has no closed-form KL (use --prior normal or --kl mc)")
	}
	return nil
}

// apply sets the options on c.
func (p *paperFlags) apply(c *graph.Config) {
	if p.prior == "mixture" {
		c.Prior = nodes.ScaleMixture{Pi: p.priorPi, Sigma1: p.priorS1, Sigma2: p.priorS2}
	}
	c.KL, _ = graph.ParseKLEstimate(p.kl)
	c.Likelihood, _ = graph.ParseLikelihood(p.likelihood)
	c.MinSigma = p.minSigma
	if p.localReparam {
		c.Estimator = graph.LocalReparam
	}
}

// checkModel rejects, before any work, what the built model cannot do (in
// the CUDA build: every option the resident graph lacks), naming the option.
func (m *modelFlags) checkModel() error {
	if err := m.graphConfig().WithDefaults().Validate(); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// applyTrain sets the run options on c.
func (p *paperFlags) applyTrain(c *train.Config) {
	w, _ := train.ParseKLWeighting(p.klWeight)
	c.Batch = train.Batch{Size: p.batchSize, Weighting: w}
	c.MCSamples = p.mcSamples
}

// checkBatch rejects a batch size over the training points (known once the
// data is made, before training).
func (p *paperFlags) checkBatch(d data.Set) error {
	if p.batchSize > d.Train.Len() {
		return usagef("--batch-size %d: over the %d training points", p.batchSize, d.Train.Len())
	}
	return nil
}
