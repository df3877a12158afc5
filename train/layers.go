package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/nodes"
)

// LayerStat is one layer's posterior at a report: its KL to the prior and
// the mean of its weights' and biases' sigmas.
type LayerStat struct {
	Epoch, Layer int
	KL           float64 // KL(q ‖ p) of weights and biases (see LayerStats)
	WSigma       float64 // mean softplus(w_rho)
	BSigma       float64 // mean softplus(b_rho)
}

// streamLayerKL keys the Monte-Carlo KL estimate in LayerStats.
const streamLayerKL uint64 = 0x6c617965726b6c // "layerkl"

// LayerStats reads the network's current parameters (host values: call it
// at a report epoch) and returns a LayerStat per layer. The KL is the
// closed form where the prior has one (nodes.ClosedKLAt: the Normal) and
// otherwise (the scale mixture, any other nodes.Prior) a 64-draw
// Monte-Carlo estimate from a fixed stream (the same draws at every
// report).
func LayerStats(n *graph.Network, epoch int) ([]LayerStat, error) {
	prior := n.Config.WeightPrior()
	out := make([]LayerStat, len(n.Layers))
	for i := range n.Layers {
		st := LayerStat{Epoch: epoch, Layer: i}
		lp, err := n.LayerParams(i)
		if err != nil {
			return nil, err
		}
		for k, pair := range [][2]*G.Node{{lp.WMu, lp.WRho}, {lp.BMu, lp.BRho}} {
			mu, err := graph.Values(pair[0])
			if err != nil {
				return nil, err
			}
			rho, err := graph.Values(pair[1])
			if err != nil {
				return nil, err
			}
			var sum float64
			rng := rand.New(rand.NewPCG(uint64(i*2+k), streamLayerKL))
			for j := range mu {
				s := nodes.SoftplusAt(rho[j])
				sum += s
				st.KL += klTerm(prior, mu[j], s, rng)
			}
			if k == 0 {
				st.WSigma = sum / float64(len(mu))
			} else {
				st.BSigma = sum / float64(len(mu))
			}
		}
		out[i] = st
	}
	return out, nil
}

// klTerm is KL(N(mu, s²) ‖ p) for one weight: the prior's closed form
// where it has one (nodes.ClosedKLAt), else a 64-draw Monte-Carlo estimate
// through p.LogProbAt.
func klTerm(p nodes.Prior, mu, s float64, rng *rand.Rand) float64 {
	if c, ok := p.(nodes.ClosedKLAt); ok {
		return c.KLNormalAt(mu, s)
	}
	const draws = 64
	var kl float64
	for k := 0; k < draws; k++ {
		e := rng.NormFloat64()
		w := mu + s*e
		kl += -0.5*e*e - math.Log(s) - 0.5*math.Log(2*math.Pi) - p.LogProbAt(w)
	}
	return kl / draws
}

// WriteLayers writes the stats as CSV (epoch,layer,kl,w_sigma,b_sigma) to
// path, atomically.
func WriteLayers(path string, stats []LayerStat) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,layer,kl,w_sigma_mean,b_sigma_mean"); err != nil {
			return err
		}
		for _, s := range stats {
			if _, err := fmt.Fprintf(w, "%d,%d,%.9g,%.9g,%.9g\n", s.Epoch, s.Layer, s.KL, s.WSigma, s.BSigma); err != nil {
				return err
			}
		}
		return nil
	})
}
