package vecmath

// Each kernel writes len(x) (or len(z)) values of out; the other slices
// must be at least as long.

// Softplus sets out[i] = log(1 + e^x[i]).
func Softplus(out, x []float32) { softplus(out, x) }

// SigmoidMul sets out[i] = sigmoid(x[i])·g[i]: softplus's derivative
// times the upstream gradient.
func SigmoidMul(out, x, g []float32) { sigmoidMul(out, x, g) }

// MixtureLogProb sets out[i] = log p(z[i]) under m.
func MixtureLogProb(m Mixture, out, z []float32) { mixtureLogProb(m, out, z) }

// MixtureDz sets out[i] = d log p/dz at z[i], times g[i].
func MixtureDz(m Mixture, out, z, g []float32) { mixtureDz(m, out, z, g) }

// NormalLogProb sets out[i] = log N(z[i] | mu[i], s[i]²).
func NormalLogProb(out, z, mu, s []float32) { normalLogProb(out, z, mu, s) }
