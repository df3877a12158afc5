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
	var snr []float64
	for i := range net.Layers {
		lp, err := net.LayerParams(i)
		if err != nil {
			return nil, err
		}
		mu, err := graph.Values(lp.WMu)
		if err != nil {
			return nil, err
		}
		rho, err := graph.Values(lp.WRho)
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
	drop, threshold, err := lowestSNR(net, frac)
	if err != nil {
		return 0, 0, err
	}
	if err := setWeights(net, drop, 0, PrunedRho); err != nil {
		return 0, 0, err
	}
	return len(drop), threshold, nil
}

// lowestSNR returns the indices (WeightSNR's order, increasing) of the
// share frac of the weights with the lowest SNR, and the largest of those
// SNRs.
func lowestSNR(net *graph.Network, frac float64) (drop []int, threshold float64, err error) {
	if !(frac > 0 && frac < 1) {
		return nil, 0, fmt.Errorf("train: prune: fraction %v: need 0 < fraction < 1", frac)
	}
	snr, err := WeightSNR(net)
	if err != nil {
		return nil, 0, err
	}
	order := make([]int, len(snr))
	for i := range order {
		order[i] = i
	}
	// Stable: equal SNRs are removed in weight order, run after run.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(snr[a], snr[b]) })
	drop = order[:int(math.Round(frac*float64(len(snr))))]
	for _, i := range drop {
		threshold = math.Max(threshold, snr[i])
	}
	slices.Sort(drop)
	return drop, threshold, nil
}

// setWeights sets mu and rho of the weights at idx (WeightSNR's order,
// increasing) and reloads a resident network's parameters.
func setWeights(net *graph.Network, idx []int, mu, rho float64) error {
	off := 0
	for i := range net.Layers {
		lp, err := net.LayerParams(i)
		if err != nil {
			return err
		}
		m, err := graph.Values(lp.WMu)
		if err != nil {
			return err
		}
		r, err := graph.Values(lp.WRho)
		if err != nil {
			return err
		}
		for len(idx) > 0 && idx[0] < off+len(m) {
			m[idx[0]-off], r[idx[0]-off] = mu, rho
			idx = idx[1:]
		}
		off += len(m)
		if err := graph.SetValues(lp.WMu, m); err != nil {
			return err
		}
		if err := graph.SetValues(lp.WRho, r); err != nil {
			return err
		}
	}
	net.Reload()
	return nil
}

// SampleWeights returns one draw of every weight of net (mu + sigma·eps,
// not the biases) from the PCG stream (seed, streamClassify - 1): the
// paper's Figure 3 histograms.
func SampleWeights(net *graph.Network, seed uint64) ([]float64, error) {
	rng := rand.New(rand.NewPCG(seed, streamClassify-1))
	var w []float64
	for i := range net.Layers {
		lp, err := net.LayerParams(i)
		if err != nil {
			return nil, err
		}
		mu, err := graph.Values(lp.WMu)
		if err != nil {
			return nil, err
		}
		rho, err := graph.Values(lp.WRho)
		if err != nil {
			return nil, err
		}
		for j, m := range mu {
			w = append(w, m+nodes.SoftplusAt(rho[j])*rng.NormFloat64())
		}
	}
	return w, nil
}
