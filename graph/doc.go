// Package graph builds the Bayes-by-Backprop network as one Gorgonia
// expression graph from a Config.
//
// Each variational linear layer has learnable mu and rho for its weights and
// biases, one epsilon input node per weight and bias tensor, softplus sigma
// nodes, the reparameterised samples, and a Monte-Carlo KL node. ReLU sits
// between layers. The KL of every layer is summed into one KL node, the
// Gaussian negative log-likelihood of the targets is the NLL node, and
//
//	Loss = NLL + KL / NBatch   (the negative ELBO)
//
// A Network exposes every node a researcher needs to change the graph
// without touching the training code (inputs, targets, eps, learnables,
// output, KL, NLL, loss) and writes itself as Graphviz DOT. The weight
// prior (Config.Prior, a nodes.Prior) and the likelihood (Config.Likelihood,
// a Likelihood) are interfaces: nil is the seed's, and a type of one's own
// goes in as it is.
package graph
