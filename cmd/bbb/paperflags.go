package main

import (
	"flag"
	"math"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
)

// registerPaperFlags adds the model options of Blundell et al. (2015) and
// the field's usual tools (issue 8) into s; their defaults are the seed's
// model.
func registerPaperFlags(fs *flag.FlagSet, s *job.ModelSettings) {
	fs.StringVar(&s.Prior, "prior", "normal", "weight prior: normal (N(0, s²), s from --prior-sigma) or mixture (pi·N(0, s1²) + (1-pi)·N(0, s2²))")
	fs.Float64Var(&s.PriorPi, "prior-pi", 0.5, "--prior mixture: weight pi of the wide component, 0 < pi < 1")
	fs.Float64Var(&s.PriorSigma1, "prior-sigma1", 1, "--prior mixture: standard deviation s1 of the wide component")
	fs.Float64Var(&s.PriorSigma2, "prior-sigma2", math.Exp(-6), "--prior mixture: standard deviation s2 of the narrow component")
	fs.StringVar(&s.KL, "kl", "mc", "KL estimate: mc (one-sample Monte Carlo at the drawn weights) or closed (analytic; needs --prior normal)")
	fs.StringVar(&s.Likelihood, "likelihood", "fixed", "Gaussian likelihood's noise scale: fixed (--likelihood-sigma), learned (one scale, softplus-parameterised, starting at --likelihood-sigma) or hetero (the network outputs a mean and a scale per input)")
	fs.Float64Var(&s.MinSigma, "min-sigma", graph.DefaultMinSigma, "--likelihood hetero: floor added to the softplus scale")
	fs.IntVar(&s.BatchSize, "batch-size", 0, "rows per step; 0: the full batch (the seed's). Each epoch reshuffles the training set and takes N/batch-size steps")
	fs.StringVar(&s.KLWeight, "kl-weight", "uniform", "with --batch-size: the KL weight of minibatch i of M, uniform (1/M) or blundell (2^(M-i)/(2^M-1))")
	fs.BoolVar(&s.LocalReparam, "local-reparam", false, "sample the pre-activations (local reparameterisation trick) instead of the weights; needs --kl closed")
	fs.IntVar(&s.MCSamples, "mc-samples", 1, "epsilon draws per step: the negative ELBO and its gradient averaged over them")
}
