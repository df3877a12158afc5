package train

import (
	"fmt"

	"gorgonia.org/tensor"
)

// A resident network's training state lives in its store (on the GPU, in
// device memory): Checkpoint reads it back and Restore puts it there, in
// the model file of the host graph, so that either graph resumes a run
// either saved. Both draw the training epsilon of step d from the same
// counter-based source (epsahead.go), so a resumed run draws what the
// uninterrupted run would have drawn; a resident run's step is at once
// Adam's t and its epsilon draw, the epoch.

// residentMoments reads a resident network's parameters and Adam's
// moments back from its store and returns the moments of each learnable
// (nil for the host graph, whose Adam holds them).
func (t *Trainer) residentMoments() ([][2]any, error) {
	st := t.Net.Store
	if st == nil {
		return nil, nil
	}
	if err := st.ReadBack(); err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	var out [][2]any
	for _, p := range t.Net.Params() {
		m, v, err := st.Moments(p)
		if err != nil {
			return nil, fmt.Errorf("train: checkpoint: %w", err)
		}
		out = append(out, [2]any{m.Data(), v.Data()})
	}
	return out, nil
}

// restoreResident puts Adam's moments (nil: none yet) into a resident
// network's store, whose parameters SetParams has set, after checking that
// the saved run's Adam step and epsilon draws are its epoch, as the
// resident graph's step makes them.
func (t *Trainer) restoreResident(moments [][2]any, adamT, draws uint64, epoch int) error {
	if adamT != uint64(epoch) || draws != uint64(epoch) {
		return fmt.Errorf("the saved run took %d Adam steps and %d epsilon draws in %d epochs: the resident graph resumes a run of one step and one draw per epoch", adamT, draws, epoch)
	}
	st, dt := t.Net.Store, t.Net.Config.Dtype
	for i, p := range t.Net.Params() {
		n := p.Shape().TotalSize()
		m, v := tensor.New(tensor.Of(dt), tensor.WithShape(n)), tensor.New(tensor.Of(dt), tensor.WithShape(n))
		if moments != nil {
			m = tensor.New(tensor.WithShape(n), tensor.WithBacking(moments[i][0]))
			v = tensor.New(tensor.WithShape(n), tensor.WithBacking(moments[i][1]))
		}
		if err := st.SetMoments(p, m, v); err != nil {
			return err
		}
	}
	return nil
}
