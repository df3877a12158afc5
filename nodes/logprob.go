package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// halfLog2Pi is log(2π)/2, the Normal density's constant.
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)

// NormalLogProb returns log N(z | mu, sigma) elementwise: z, mu and sigma
// have one shape.
func NormalLogProb(z, mu, sigma *G.Node) (*G.Node, error) {
	if err := sameShape("NormalLogProb z/mu", z, mu); err != nil {
		return nil, err
	}
	if err := sameShape("NormalLogProb z/sigma", z, sigma); err != nil {
		return nil, err
	}
	if err := sameDtype("NormalLogProb", z, mu, sigma); err != nil {
		return nil, err
	}
	var d, r, sq, quad, logSigma, out *G.Node
	var err error
	steps := []func() error{
		func() (e error) { d, e = G.Sub(z, mu); return },
		func() (e error) { r, e = G.HadamardDiv(d, sigma); return },
		func() (e error) { sq, e = G.Square(r); return },
		func() (e error) { quad, e = G.Mul(sq, scalar(z, -0.5)); return },
		func() (e error) { logSigma, e = G.Log(sigma); return },
		func() (e error) { out, e = G.Sub(quad, logSigma); return },
		func() (e error) { out, e = G.Sub(out, scalar(z, halfLog2Pi)); return },
	}
	for _, step := range steps {
		if err = step(); err != nil {
			return nil, fmt.Errorf("nodes: NormalLogProb: %w", err)
		}
	}
	return out, nil
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

// LogProb returns log N(z | p.Mu, p.Sigma) elementwise for a fixed p.
func (p Normal) LogProb(z *G.Node) (*G.Node, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := sameDtype("Normal.LogProb", z); err != nil {
		return nil, err
	}
	d := z
	var err error
	if p.Mu != 0 {
		if d, err = G.Sub(z, scalar(z, p.Mu)); err != nil {
			return nil, fmt.Errorf("nodes: Normal.LogProb: %w", err)
		}
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.LogProb: %w", err)
	}
	quad, err := G.Mul(sq, scalar(z, -0.5/(p.Sigma*p.Sigma)))
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.LogProb: %w", err)
	}
	out, err := G.Sub(quad, scalar(z, math.Log(p.Sigma)+halfLog2Pi))
	if err != nil {
		return nil, fmt.Errorf("nodes: Normal.LogProb: %w", err)
	}
	return out, nil
}
