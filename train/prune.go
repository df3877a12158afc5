package train

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// PrunedRho is the rho of a pruned weight: softplus(-200) is 0 in float32
// (1e-87 in float64), so the weight is exactly (or all but) zero in every
// draw.
const PrunedRho = -200

// WeightSNR returns the signal-to-noise ratio |mu|/sigma of every weight of
// net (not the biases), layer by layer in row-major order (Blundell et al.
// 2015, §5.1). A pruned weight has SNR 0 (mu = 0).
func WeightSNR(net *graph.Network) ([]float64, error) {
	ps := net.Learnables()
	var snr []float64
	for i := range net.Layers {
		mu, err := graph.Values(ps[4*i])
		if err != nil {
			return nil, err
		}
		rho, err := graph.Values(ps[4*i+1])
		if err != nil {
			return nil, err
		}
		for j, m := range mu {
			snr = append(snr, math.Abs(m)/nodes.SoftplusAt(rho[j]))
		}
	}
	return snr, nil
}

// Prune removes the share frac (0 < frac < 1) of net's weights with the
// lowest SNR: each is set to mu = 0, rho = PrunedRho. Biases are kept (the
// paper prunes weights). It returns the number removed and the largest
// SNR removed.
func Prune(net *graph.Network, frac float64) (removed int, threshold float64, err error) {
	if !(frac > 0 && frac < 1) {
		return 0, 0, fmt.Errorf("train: prune: fraction %v: need 0 < fraction < 1", frac)
	}
	snr, err := WeightSNR(net)
	if err != nil {
		return 0, 0, err
	}
	order := make([]int, len(snr))
	for i := range order {
		order[i] = i
	}
	// Stable: equal SNRs are removed in weight order, run after run.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(snr[a], snr[b]) })
	removed = int(math.Round(frac * float64(len(snr))))
	drop := make([]bool, len(snr))
	for _, i := range order[:removed] {
		drop[i] = true
		threshold = math.Max(threshold, snr[i])
	}
	ps := net.Learnables()
	off := 0
	for i := range net.Layers {
		mu, err := graph.Values(ps[4*i])
		if err != nil {
			return 0, 0, err
		}
		rho, err := graph.Values(ps[4*i+1])
		if err != nil {
			return 0, 0, err
		}
		for j := range mu {
			if drop[off+j] {
				mu[j], rho[j] = 0, PrunedRho
			}
		}
		off += len(mu)
		if err := graph.SetValues(ps[4*i], mu); err != nil {
			return 0, 0, err
		}
		if err := graph.SetValues(ps[4*i+1], rho); err != nil {
			return 0, 0, err
		}
	}
	net.Reload()
	return removed, threshold, nil
}

// SampleWeights returns one draw of every weight of net (mu + sigma·eps,
// not the biases) from the PCG stream (seed, streamClassify - 1): the
// paper's Figure 3 histograms.
func SampleWeights(net *graph.Network, seed uint64) ([]float64, error) {
	ps := net.Learnables()
	rng := rand.New(rand.NewPCG(seed, streamClassify-1))
	var w []float64
	for i := range net.Layers {
		mu, err := graph.Values(ps[4*i])
		if err != nil {
			return nil, err
		}
		rho, err := graph.Values(ps[4*i+1])
		if err != nil {
			return nil, err
		}
		for j, m := range mu {
			w = append(w, m+nodes.SoftplusAt(rho[j])*rng.NormFloat64())
		}
	}
	return w, nil
}
