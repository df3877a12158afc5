// Package train fits a graph.Network by Bayes by Backprop to a data.Set
// (package data: the seed's noisy cubic, a CSV file, MNIST): the loop on
// Gorgonia's TapeMachine with Adam and a fresh epsilon every step from a
// seeded source, periodic train and validation losses, predictive sampling
// (mean and 5%/95% quantiles over K stochastic passes, with the PIT and
// log-density of each target) and summary.json; the quality metrics
// themselves are package metrics. Minibatches and several draws per step
// are in batch.go, the classifier (MNIST) in classify.go, a stepwise
// learning-rate schedule in lrschedule.go.
//
// A seed fixes everything: the data noise, the split, the initial
// parameters, every training epsilon, the validation epsilons and the
// predictive epsilons, each from its own stream, so changing how often
// losses are reported or how many cores sample does not change the result.
package train
