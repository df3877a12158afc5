package vecmath

import "math"

const halfLog2Pi = 0.91893853320467274178032973640562 // log(2π)/2

// The float64 formulas, per element: the pure-Go kernels and the tests'
// reference for the C ones.

// SoftplusAt is log(1 + e^x), without overflow.
func SoftplusAt(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// SigmoidAt is 1/(1 + e^-x), without overflow.
func SigmoidAt(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// LogProbAt is the mixture's log-density at w, by log-sum-exp.
func (m Mixture) LogProbAt(w float64) float64 {
	a1, a2 := m.logTerms(w)
	if a1 < a2 {
		a1, a2 = a2, a1
	}
	if math.IsInf(a1, -1) { // w = ±Inf: both terms -Inf, and -Inf - -Inf is NaN
		return a1
	}
	return a1 + math.Log1p(math.Exp(a2-a1))
}

// DLogProbAt is d log p/dw = -w·(r1/s1² + r2/s2²), r the responsibilities
// (r2 = sigmoid(a2 - a1)).
func (m Mixture) DLogProbAt(w float64) float64 {
	a1, a2 := m.logTerms(w)
	r2 := SigmoidAt(a2 - a1)
	return -w * ((1-r2)*m.IV1 + r2*m.IV2)
}

func (m Mixture) logTerms(w float64) (float64, float64) {
	w2 := w * w
	return m.C1 - 0.5*w2*m.IV1, m.C2 - 0.5*w2*m.IV2
}

// NormalLogProbAt is log N(z | mu, s²).
func NormalLogProbAt(z, mu, s float64) float64 {
	r := (z - mu) / s
	return -0.5*r*r - math.Log(s) - halfLog2Pi
}

func softplusGo(out, x []float32) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = float32(SoftplusAt(float64(v)))
	}
}

func sigmoidMulGo(out, x, g []float32) {
	out, g = out[:len(x)], g[:len(x)]
	for i, v := range x {
		out[i] = float32(SigmoidAt(float64(v))) * g[i]
	}
}

func mixtureLogProbGo(m Mixture, out, z []float32) {
	out = out[:len(z)]
	for i, v := range z {
		out[i] = float32(m.LogProbAt(float64(v)))
	}
}

func mixtureDzGo(m Mixture, out, z, g []float32) {
	out, g = out[:len(z)], g[:len(z)]
	for i, v := range z {
		out[i] = float32(m.DLogProbAt(float64(v))) * g[i]
	}
}

func normalLogProbGo(out, z, mu, s []float32) {
	out, mu, s = out[:len(z)], mu[:len(z)], s[:len(z)]
	for i := range z {
		out[i] = float32(NormalLogProbAt(float64(z[i]), float64(mu[i]), float64(s[i])))
	}
}
