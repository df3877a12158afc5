//go:build !openblas

package vecmath

// Backend names the kernels: "go" (float64 math per element).
const Backend = "go"

func softplus(out, x []float32)                  { softplusGo(out, x) }
func sigmoidMul(out, x, g []float32)             { sigmoidMulGo(out, x, g) }
func mixtureLogProb(m Mixture, out, z []float32) { mixtureLogProbGo(m, out, z) }
func mixtureDz(m Mixture, out, z, g []float32)   { mixtureDzGo(m, out, z, g) }
func normalLogProb(out, z, mu, s []float32)      { normalLogProbGo(out, z, mu, s) }
