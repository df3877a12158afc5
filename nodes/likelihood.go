package nodes

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// GaussianLogLik returns sum_i log N(y_i | pred_i, sigma²), a scalar node:
// the log-likelihood of the targets y under a Normal with fixed scale sigma
// centred on the network's predictions.
func GaussianLogLik(y, pred *G.Node, sigma float64) (*G.Node, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("nodes: GaussianLogLik: sigma %v: need 0 < sigma < inf", sigma)
	}
	if err := sameShape("GaussianLogLik y/pred", y, pred); err != nil {
		return nil, err
	}
	if err := sameDtype("GaussianLogLik", y, pred); err != nil {
		return nil, err
	}
	n := float64(y.Shape().TotalSize())
	var r, sq, ssum, quad, out *G.Node
	var err error
	steps := []func() error{
		func() (e error) { r, e = G.Sub(y, pred); return },
		func() (e error) { sq, e = G.Square(r); return },
		func() (e error) { ssum, e = G.Sum(sq); return },
		func() (e error) { quad, e = G.Mul(ssum, scalar(y, -0.5/(sigma*sigma))); return },
		func() (e error) { out, e = G.Sub(quad, scalar(y, n*(math.Log(sigma)+halfLog2Pi))); return },
	}
	for _, step := range steps {
		if err = step(); err != nil {
			return nil, fmt.Errorf("nodes: GaussianLogLik: %w", err)
		}
	}
	return out, nil
}
