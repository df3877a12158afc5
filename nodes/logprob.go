package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/vecmath"
)

// halfLog2Pi is log(2π)/2, the Normal density's constant.
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)

// NormalLogProb returns log N(z | mu, sigma) elementwise: z, mu and sigma
// have one shape. It is one node, with its derivatives written by hand:
//
//	∂/∂z = -(z-mu)/sigma²,  ∂/∂mu = (z-mu)/sigma²,  ∂/∂sigma = (z-mu)²/sigma³ - 1/sigma
func NormalLogProb(z, mu, sigma *G.Node) (*G.Node, error) {
	n, err := applyElementwise("NormalLogProb", 3, kernelOf(normalLogProb32, normalLogProb[float64]), normalLogProbDiff, z, mu, sigma)
	if err != nil {
		return nil, fmt.Errorf("nodes: NormalLogProb: %w", err)
	}
	return n, nil
}

func normalLogProb32(out []float32, in ...[]float32) { vecmath.NormalLogProb(out, in[0], in[1], in[2]) }

func normalLogProb[T linalg.Float](out []T, in ...[]T) {
	z, mu, s := in[0], in[1][:len(in[0])], in[2][:len(in[0])]
	out = out[:len(z)]
	for i := range z {
		r := float64((z[i] - mu[i]) / s[i])
		out[i] = T(-0.5*r*r - math.Log(float64(s[i])) - halfLog2Pi)
	}
}

func normalLogProbDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	z, mu, s := in[0], in[1], in[2]
	dz, err := applyElementwise("NormalLogProb.dz", 4, kernelOf(normalDz[float32], normalDz[float64]), nil, z, mu, s, grad)
	if err != nil {
		return nil, err
	}
	dmu, err := applyElementwise("NormalLogProb.dmu", 4, kernelOf(normalDmu[float32], normalDmu[float64]), nil, z, mu, s, grad)
	if err != nil {
		return nil, err
	}
	ds, err := applyElementwise("NormalLogProb.dsigma", 4, kernelOf(normalDsigma[float32], normalDsigma[float64]), nil, z, mu, s, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dz, dmu, ds}, nil
}

func normalDz[T linalg.Float](out []T, in ...[]T) {
	z, mu, s, g := in[0], in[1][:len(in[0])], in[2][:len(in[0])], in[3][:len(in[0])]
	out = out[:len(z)]
	for i := range z {
		out[i] = -(z[i] - mu[i]) / (s[i] * s[i]) * g[i]
	}
}

func normalDmu[T linalg.Float](out []T, in ...[]T) {
	z, mu, s, g := in[0], in[1][:len(in[0])], in[2][:len(in[0])], in[3][:len(in[0])]
	out = out[:len(z)]
	for i := range z {
		out[i] = (z[i] - mu[i]) / (s[i] * s[i]) * g[i]
	}
}

func normalDsigma[T linalg.Float](out []T, in ...[]T) {
	z, mu, s, g := in[0], in[1][:len(in[0])], in[2][:len(in[0])], in[3][:len(in[0])]
	out = out[:len(z)]
	for i := range z {
		d := z[i] - mu[i]
		out[i] = (d*d/(s[i]*s[i]*s[i]) - 1/s[i]) * g[i]
	}
}

// Normal is a fixed Normal distribution N(Mu, Sigma²), used as the prior.
type Normal struct{ Mu, Sigma float64 }

// Validate reports a non-positive or non-finite scale.
func (p Normal) Validate() error {
	if !(p.Sigma > 0) || math.IsInf(p.Sigma, 0) || math.IsNaN(p.Mu) || math.IsInf(p.Mu, 0) {
		return fmt.Errorf("nodes: Normal{Mu: %v, Sigma: %v}: need a finite mu and 0 < sigma < inf", p.Mu, p.Sigma)
	}
	return nil
}

// LogProb returns log N(z | p.Mu, p.Sigma) elementwise for a fixed p, one
// node with the derivative ∂/∂z = -(z - p.Mu)/p.Sigma².
func (p Normal) LogProb(z *G.Node) (*G.Node, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("LogProb N(%g, %g²)", p.Mu, p.Sigma)
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dz, err := applyElementwise(name+".dz", 2, p.dLogProbKernel(), nil, in[0], grad)
		return G.Nodes{dz}, err
	}
	n, err := applyElementwise(name, 1, p.logProbKernel(), diff, z)
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.LogProb: %w", err)
	}
	return n, nil
}

// LogProbAt is log N(w | p.Mu, p.Sigma²) at one point.
func (p Normal) LogProbAt(w float64) float64 {
	r := (w - p.Mu) / p.Sigma
	return -0.5*r*r - math.Log(p.Sigma) - halfLog2Pi
}

func (p Normal) logProbKernel() kernel {
	c := math.Log(p.Sigma) + halfLog2Pi
	return kernelOf(priorLogProb[float32](p.Mu, p.Sigma, c), priorLogProb[float64](p.Mu, p.Sigma, c))
}

func (p Normal) dLogProbKernel() kernel {
	return kernelOf(priorDz[float32](p.Mu, p.Sigma), priorDz[float64](p.Mu, p.Sigma))
}

func priorLogProb[T linalg.Float](mu, s, c float64) func([]T, ...[]T) {
	return func(out []T, in ...[]T) {
		z := in[0]
		out = out[:len(z)]
		for i, v := range z {
			r := (float64(v) - mu) / s
			out[i] = T(-0.5*r*r - c)
		}
	}
}

func priorDz[T linalg.Float](mu, s float64) func([]T, ...[]T) {
	m, inv := T(mu), T(1/(s*s))
	return func(out []T, in ...[]T) {
		z, g := in[0], in[1][:len(in[0])]
		out = out[:len(z)]
		for i, v := range z {
			out[i] = -(v - m) * inv * g[i]
		}
	}
}
