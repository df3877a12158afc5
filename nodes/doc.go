// Package nodes holds the building blocks of a Bayes-by-Backprop graph as
// functions of *gorgonia.Node: the softplus standard deviation, the
// reparameterised weight sample, the Normal log-density, the Monte-Carlo KL
// term and the Gaussian log-likelihood, plus two data-sized ops (Linear and
// ReLU) whose forward and backward kernels are written by hand for speed.
//
// Every function builds nodes in the graph of its inputs and returns an
// error instead of panicking on mismatched shapes or dtypes. The epsilon of
// the reparameterisation is an ordinary input node: the caller fills its
// value from a seeded source before each run (Gorgonia's own random nodes
// seed from the clock).
package nodes
