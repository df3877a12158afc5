package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/internal/linalg"
)

// KLNormalAt is KLNormal's term for one weight: KL(N(mu, sigma²) ‖ p).
func (p Normal) KLNormalAt(mu, sigma float64) float64 {
	d := mu - p.Mu
	return math.Log(p.Sigma/sigma) + (sigma*sigma+d*d)/(2*p.Sigma*p.Sigma) - 0.5
}

// KLNormal returns Σ KL(N(mu, sigma²) ‖ p), the closed form
//
//	log(p.Sigma/sigma) + (sigma² + (mu - p.Mu)²)/(2 p.Sigma²) - 1/2
//
// summed over elements: a scalar node (an elementwise node with the
// derivatives ∂/∂mu = (mu - p.Mu)/p.Sigma², ∂/∂sigma = sigma/p.Sigma² -
// 1/sigma, then a sum). It is the expectation of KL's one-sample estimate.
func (p Normal) KLNormal(mu, sigma *G.Node) (*G.Node, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, s0 := p.Mu, p.Sigma
	name := fmt.Sprintf("KL(q‖N(%g, %g²))", m, s0)
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dmu, err := applyElementwise(name+".dmu", 3, kernelOf(klDmu[float32](m, s0), klDmu[float64](m, s0)), nil, in[0], in[1], grad)
		if err != nil {
			return nil, err
		}
		ds, err := applyElementwise(name+".dsigma", 3, kernelOf(klDsigma[float32](s0), klDsigma[float64](s0)), nil, in[0], in[1], grad)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dmu, ds}, nil
	}
	e, err := applyElementwise(name, 2, kernelOf(klClosed[float32](m, s0), klClosed[float64](m, s0)), diff, mu, sigma)
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.KLNormal: %w", err)
	}
	kl, err := G.Sum(e)
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.KLNormal: %w", err)
	}
	return kl, nil
}

func klClosed[T linalg.Float](m, s0 float64) func([]T, ...[]T) {
	inv := 1 / (2 * s0 * s0)
	ls0 := math.Log(s0)
	return func(out []T, in ...[]T) {
		mu, s := in[0], in[1][:len(in[0])]
		out = out[:len(mu)]
		for i := range mu {
			d, si := float64(mu[i])-m, float64(s[i])
			out[i] = T(ls0 - math.Log(si) + (si*si+d*d)*inv - 0.5)
		}
	}
}

func klDmu[T linalg.Float](m, s0 float64) func([]T, ...[]T) {
	mm, inv := T(m), T(1/(s0*s0))
	return func(out []T, in ...[]T) {
		mu, g := in[0], in[2][:len(in[0])]
		out = out[:len(mu)]
		for i := range mu {
			out[i] = (mu[i] - mm) * inv * g[i]
		}
	}
}

func klDsigma[T linalg.Float](s0 float64) func([]T, ...[]T) {
	inv := T(1 / (s0 * s0))
	return func(out []T, in ...[]T) {
		s, g := in[1], in[2][:len(in[1])]
		out = out[:len(s)]
		for i := range s {
			out[i] = (s[i]*inv - 1/s[i]) * g[i]
		}
	}
}
