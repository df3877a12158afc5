package train

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
)

// HeldRho is the rho of a weight held at zero while the others train
// (PruneAndHold). Its sigma, softplus(-80) ≈ 1.8e-35, is a normal float32,
// so the graph's log-density of the held weight stays finite: PrunedRho's
// sigma is 0 in float32, whose log would make the loss infinite.
const HeldRho = -80

// PruneAndHold removes the share frac (0 < frac < 1) of the weights of
// the lowest SNR, as Prune does, and holds them at exactly zero in the
// steps that follow: their epsilon is 0 in every draw and their mu (0)
// and rho (HeldRho) are put back after every update, so the rest of the
// network retrains around them (prune, then retrain). Weights held
// already (HoldSaved, an earlier call) stay held and count as removed. It
// returns the number removed and the largest SNR newly chosen. Call it
// before the steps; not with local reparameterisation (no weight is
// drawn). On the resident graph the store holds them (nodes.ParamStore.Hold:
// on the GPU a kernel after each update and each draw), with the same
// numbers as the host graph's.
//
// A held weight's KL term is a constant of the loss (about 74 nats each
// under the paper's mixture prior), so the reported negative ELBO of a
// held run is not comparable with an unpruned run's.
func (t *Trainer) PruneAndHold(frac float64) (removed int, threshold float64, err error) {
	if err := t.canHold(); err != nil {
		return 0, 0, err
	}
	if st := t.Net.Store; st != nil {
		if err := st.ReadBack(); err != nil { // the SNRs of the weights trained so far
			return 0, 0, err
		}
	}
	drop, threshold, err := lowestSNR(t.Net, frac)
	if err != nil {
		return 0, 0, err
	}
	// Weights held already (HoldSaved) stay held: freed, they would train
	// from sigma 1.8e-35, whose gradient is NaN in float32.
	for i, idx := range t.held {
		off := 0
		for _, l := range t.Net.Layers[:i] {
			off += l.WMu.Shape().TotalSize()
		}
		for _, j := range idx {
			drop = append(drop, off+j)
		}
	}
	slices.Sort(drop)
	drop = slices.Compact(drop)
	if err := setWeights(t.Net, drop, 0, HeldRho); err != nil {
		return 0, 0, err
	}
	if err := t.hold(drop); err != nil {
		return 0, 0, err
	}
	return len(drop), threshold, nil
}

// HoldSaved holds the weights that a held run left in the model it saved
// (mu exactly 0 and rho exactly HeldRho, as restoreHeld puts them back
// after every step), so that a model saved after PruneAndHold trains on
// with them held: freed, their sigma of 1.8e-35 makes the first step's
// gradient NaN in float32. Call it once, after setting the parameters and
// before the steps. It returns the number held (0: none, and no error on
// any graph).
func (t *Trainer) HoldSaved() (int, error) {
	var saved []int
	off := 0
	for i := range t.Net.Layers {
		lp, err := t.Net.LayerParams(i)
		if err != nil {
			return 0, err
		}
		mu, err := graph.Values(lp.WMu)
		if err != nil {
			return 0, err
		}
		rho, err := graph.Values(lp.WRho)
		if err != nil {
			return 0, err
		}
		for j := range mu {
			if mu[j] == 0 && rho[j] == HeldRho {
				saved = append(saved, off+j)
			}
		}
		off += len(mu)
	}
	if len(saved) == 0 {
		return 0, nil
	}
	if err := t.canHold(); err != nil {
		return 0, fmt.Errorf("%w (the model holds %d pruned weights)", err, len(saved))
	}
	if err := t.hold(saved); err != nil {
		return 0, err
	}
	return len(saved), nil
}

// canHold refuses the graphs that cannot hold weights at zero, and a
// second hold (PruneAndHold takes the weights held already into its own).
func (t *Trainer) canHold() error {
	if t.Config.Graph.Estimator == graph.LocalReparam {
		return fmt.Errorf("train: prune and hold: local reparameterisation draws no weights to hold")
	}
	return nil
}

// hold makes the weights at idx (WeightSNR's order, increasing) the held
// ones, split into each layer's own indices; a resident network's store
// holds them (holdResident).
func (t *Trainer) hold(idx []int) error {
	t.held = make([][]int, len(t.Net.Layers))
	off := 0
	for i, l := range t.Net.Layers {
		n := l.WMu.Shape().TotalSize()
		for len(idx) > 0 && idx[0] < off+n {
			t.held[i] = append(t.held[i], idx[0]-off)
			idx = idx[1:]
		}
		off += n
	}
	return t.holdResident()
}

// holdResident makes a resident network's store hold each layer's held
// weights: mu at 0 and rho at HeldRho after every update, epsilon at 0
// in every draw, what zeroHeldEps and restoreHeld do on the host graph.
func (t *Trainer) holdResident() error {
	st := t.Net.Store
	if st == nil {
		return nil
	}
	for i, idx := range t.held {
		l := t.Net.Layers[i]
		for _, h := range []struct {
			node *G.Node
			v    float64
		}{{l.WMu, 0}, {l.WRho, HeldRho}, {l.WEps, 0}} {
			if err := st.Hold(h.node, idx, h.v); err != nil {
				return fmt.Errorf("train: prune and hold: %w", err)
			}
		}
	}
	return nil
}

// Kept is the number of weights that train: all but the held ones.
func (t *Trainer) Kept() int {
	n := 0
	for i, l := range t.Net.Layers {
		n += l.WMu.Shape().TotalSize()
		if t.held != nil {
			n -= len(t.held[i])
		}
	}
	return n
}

// zeroHeldEps sets the held weights' epsilon of the next run to 0: each
// draw of a held weight is its mu, 0.
func (t *Trainer) zeroHeldEps() {
	for i, idx := range t.held {
		setAt(t.Net.Layers[i].WEps.Value().(*tensor.Dense), idx, 0)
	}
}

// restoreHeld puts the held weights' mu and rho back after an update.
func (t *Trainer) restoreHeld() {
	for i, idx := range t.held {
		l := t.Net.Layers[i] // (its nodes hold the values Adam steps)
		setAt(l.WMu.Value().(*tensor.Dense), idx, 0)
		setAt(l.WRho.Value().(*tensor.Dense), idx, HeldRho)
	}
}

func setAt(d *tensor.Dense, idx []int, v float64) {
	if s, ok := d.Data().([]float32); ok {
		for _, i := range idx {
			s[i] = float32(v)
		}
		return
	}
	s := d.Float64s()
	for _, i := range idx {
		s[i] = v
	}
}
