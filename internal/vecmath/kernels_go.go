//go:build !openblas

package vecmath

// Backend names the kernels: "go" (float64 math per element).
const Backend = "go"

func softplus(out, x []float32)                  { softplusGo(out, x) }
func sigmoidMul(out, x, g []float32)             { sigmoidMulGo(out, x, g) }
func mixtureLogProb(m Mixture, out, z []float32) { mixtureLogProbGo(m, out, z) }
func mixtureDz(m Mixture, out, z, g []float32)   { mixtureDzGo(m, out, z, g) }
func normalLogProb(out, z, mu, s []float32)      { normalLogProbGo(out, z, mu, s) }

func adam32(w, m, v, g []float32, b1, b2, step, rbc2, eps float32) {
	adamGo(w, m, v, g, b1, b2, step, rbc2, eps)
}

const minC = 64 // (the C kernels' cut-off; the Go loops take every length here)
