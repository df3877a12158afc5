package nodes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/vecmath"
)

// Prior is a fixed weight prior: it answers log p(w) elementwise as one
// node with a hand-written gradient, and at one point on the host. Normal
// and ScaleMixture implement it; a new prior is a type with these four
// methods (graph.Config.Prior takes it as it is).
type Prior interface {
	LogProb(w *G.Node) (*G.Node, error)
	// LogProbAt is log p(w) at one point, in float64: the host statistics
	// (train.LayerStats' Monte-Carlo KL) read the prior through it.
	LogProbAt(w float64) float64
	Validate() error
	String() string // one spelling: flag value, DOT label, summary.json
}

// ClosedKL is implemented by priors with a closed-form KL from a Normal
// posterior q = N(mu, sigma²).
type ClosedKL interface {
	// KLNormal returns Σ KL(N(mu, sigma²) ‖ p), a scalar node.
	KLNormal(mu, sigma *G.Node) (*G.Node, error)
}

// ClosedKLAt is implemented by priors with a closed-form KL on the host:
// statistics use it instead of a Monte-Carlo estimate through LogProbAt.
type ClosedKLAt interface {
	// KLNormalAt returns KL(N(mu, sigma²) ‖ p) for one weight.
	KLNormalAt(mu, sigma float64) float64
}

// String is "normal:MU,SIGMA".
func (p Normal) String() string {
	return "normal:" + strconv.FormatFloat(p.Mu, 'g', -1, 64) + "," + strconv.FormatFloat(p.Sigma, 'g', -1, 64)
}

// ScaleMixture is the prior of Blundell et al. (2015), eq. 7:
// Pi·N(0, Sigma1²) + (1-Pi)·N(0, Sigma2²). The sigmas are standard
// deviations; 0 < Pi < 1.
type ScaleMixture struct{ Pi, Sigma1, Sigma2 float64 }

// String is "mixture:PI,SIGMA1,SIGMA2".
func (p ScaleMixture) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return "mixture:" + f(p.Pi) + "," + f(p.Sigma1) + "," + f(p.Sigma2)
}

// Validate reports a weight outside (0, 1) or a scale that is not finite
// and positive.
func (p ScaleMixture) Validate() error {
	if !(p.Pi > 0 && p.Pi < 1) || !(p.Sigma1 > 0) || !(p.Sigma2 > 0) || math.IsInf(p.Sigma1, 0) || math.IsInf(p.Sigma2, 0) {
		return fmt.Errorf("nodes: ScaleMixture{Pi: %v, Sigma1: %v, Sigma2: %v}: need 0 < pi < 1 and finite sigmas > 0", p.Pi, p.Sigma1, p.Sigma2)
	}
	return nil
}

// LogProbAt is the log-density at one point, by log-sum-exp in float64:
// finite wherever both component log-densities are (any finite w, sigma2
// as small as exp(-8) or less), where log(pdf1 + pdf2) underflows to -Inf.
func (p ScaleMixture) LogProbAt(w float64) float64 { return p.consts().LogProbAt(w) }

// dLogProbAt is d log p / dw = -(r1·w/s1² + r2·w/s2²), r1 and r2 the
// components' responsibilities at w.
func (p ScaleMixture) dLogProbAt(w float64) float64 { return p.consts().DLogProbAt(w) }

// consts are the components' constants, computed once per kernel call
// instead of once per weight: log(pi) - log(s1) - log(2π)/2 and the like,
// and the inverse variances.
func (p ScaleMixture) consts() vecmath.Mixture {
	return vecmath.Mixture{
		C1:  math.Log(p.Pi) - math.Log(p.Sigma1) - halfLog2Pi,
		C2:  math.Log1p(-p.Pi) - math.Log(p.Sigma2) - halfLog2Pi,
		IV1: 1 / (p.Sigma1 * p.Sigma1), IV2: 1 / (p.Sigma2 * p.Sigma2),
	}
}

// logAddExp is log(e^a + e^b) without overflow or underflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// LogProb returns log p(z) elementwise, one node whose derivative is
// dLogProbAt (computed, like the value, in float64).
func (p ScaleMixture) LogProb(z *G.Node) (*G.Node, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	name := "LogProb " + p.String()
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dz, err := applyElementwise(name+".dz", 2, p.dLogProbKernel(), nil, in[0], grad)
		return G.Nodes{dz}, err
	}
	n, err := applyElementwise(name, 1, p.logProbKernel(), diff, z)
	if err != nil {
		return nil, fmt.Errorf("nodes: ScaleMixture.LogProb: %w", err)
	}
	return n, nil
}

func (p ScaleMixture) logProbKernel() kernel {
	m := p.consts()
	return kernelOf(func(out []float32, in ...[]float32) { vecmath.MixtureLogProb(m, out, in[0]) }, mixtureLogProb[float64](p))
}

func (p ScaleMixture) dLogProbKernel() kernel {
	m := p.consts()
	return kernelOf(func(out []float32, in ...[]float32) { vecmath.MixtureDz(m, out, in[0], in[1]) }, mixtureDz[float64](p))
}

func mixtureLogProb[T linalg.Float](p ScaleMixture) func([]T, ...[]T) {
	m := p.consts()
	return func(out []T, in ...[]T) {
		z := in[0]
		out = out[:len(z)]
		for i, v := range z {
			out[i] = T(m.LogProbAt(float64(v)))
		}
	}
}

func mixtureDz[T linalg.Float](p ScaleMixture) func([]T, ...[]T) {
	m := p.consts()
	return func(out []T, in ...[]T) {
		z, g := in[0], in[1][:len(in[0])]
		out = out[:len(z)]
		for i, v := range z {
			out[i] = T(m.DLogProbAt(float64(v))) * g[i]
		}
	}
}

// ParsePrior reads a Prior's String form: "normal:MU,SIGMA" or
// "mixture:PI,SIGMA1,SIGMA2". It validates what it returns.
func ParsePrior(s string) (Prior, error) {
	kind, args, _ := strings.Cut(s, ":")
	var vs []float64
	for _, a := range strings.Split(args, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err != nil {
			return nil, fmt.Errorf("nodes: prior %q: %v", s, err)
		}
		vs = append(vs, v)
	}
	var p Prior
	switch {
	case kind == "normal" && len(vs) == 2:
		p = Normal{Mu: vs[0], Sigma: vs[1]}
	case kind == "mixture" && len(vs) == 3:
		p = ScaleMixture{Pi: vs[0], Sigma1: vs[1], Sigma2: vs[2]}
	default:
		return nil, fmt.Errorf("nodes: prior %q: want normal:MU,SIGMA or mixture:PI,SIGMA1,SIGMA2", s)
	}
	return p, p.Validate()
}
