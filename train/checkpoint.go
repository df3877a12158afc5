package train

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
)

// Checkpoint and Restore save and continue a trainer in a model file
// (package modelfile: the format, its reader and writer).

// Checkpoint returns the trainer's state as a model file: m with its
// epoch and task filled in, the params, the optimiser, the epsilon
// streams' positions and the losses. A resident network's are read back
// from its store (on the GPU, one copy of each): the same file as the host
// graph's, which either graph resumes (checkpoint_resident.go).
func (t *Trainer) Checkpoint(m modelfile.Model, reports []Report) (*modelfile.File, error) {
	t.settleEps() // the eps state the runs so far have left
	moments, err := t.residentMoments()
	if err != nil {
		return nil, err
	}
	f := &modelfile.File{Model: m, Arrays: map[string]modelfile.Array{}}
	f.Model.Epoch = t.epoch
	f.Resident = t.Net.Store != nil
	f.Model.Network.Task, f.Model.Network.Classes = "", 0
	if c := t.Net.Config; c.Task == graph.Classification {
		f.Model.Network.Task, f.Model.Network.Classes = c.Task.String(), c.Classes
	}
	for i, p := range t.Net.Learnables() {
		a, err := nodeArray(p)
		if err != nil {
			return nil, err
		}
		f.Arrays[p.Name()] = a
		f.Params = append(f.Params, p.Name())
		if t.adam != nil && t.adam.m != nil {
			f.Arrays["adam/m/"+p.Name()] = modelfile.Array{Shape: a.Shape, Data: cloneAny(t.adam.m[i])}
			f.Arrays["adam/v/"+p.Name()] = modelfile.Array{Shape: a.Shape, Data: cloneAny(t.adam.v[i])}
		}
		if moments != nil {
			f.Arrays["adam/m/"+p.Name()] = modelfile.Array{Shape: a.Shape, Data: moments[i][0]}
			f.Arrays["adam/v/"+p.Name()] = modelfile.Array{Shape: a.Shape, Data: moments[i][1]}
		}
	}
	f.Adam = true
	adamT := uint64(t.epoch) // a resident run's Adam t and epsilon draw are its step, the epoch
	draws := adamT
	if t.adam != nil {
		adamT, draws = uint64(t.adam.t), t.epsDraws
	}
	f.Arrays["adam_t"] = modelfile.Array{Data: []int64{int64(adamT)}}
	f.Arrays["rng/eps_draws"] = modelfile.Array{Shape: []int{1}, Data: []int64{int64(draws)}}
	f.Arrays["rng/val_draws"] = modelfile.Array{Shape: []int{1}, Data: []int64{int64(t.Val.draws)}}
	f.Arrays["train_losses"] = modelfile.Array{Shape: []int{len(t.TrainLosses)}, Data: slices.Clone(t.TrainLosses)}
	for _, r := range reports {
		f.Reports = append(f.Reports, modelfile.Report(r))
	}
	return f, nil
}

func cloneAny(v any) any {
	switch d := v.(type) {
	case []float32:
		return slices.Clone(d)
	case []float64:
		return slices.Clone(d)
	}
	return v
}

func nodeArray(n *G.Node) (modelfile.Array, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return modelfile.Array{}, fmt.Errorf("train: checkpoint: %s has no dense value", n.Name())
	}
	shape := slices.Clone([]int(d.Shape()))
	switch v := d.Data().(type) {
	case []float32:
		return modelfile.Array{Shape: shape, Data: slices.Clone(v)}, nil
	case []float64:
		return modelfile.Array{Shape: shape, Data: slices.Clone(v)}, nil
	}
	return modelfile.Array{}, fmt.Errorf("train: checkpoint: %s holds %T", n.Name(), d.Data())
}

// Restore continues training from c: parameters, Adam's state, the
// epsilon streams, the epoch and the losses so far, on either graph
// whichever saved c (a resident network's go into its store:
// checkpoint_resident.go). It returns the reports made before, those a
// run made in one go to Config.Epochs makes (not the last report of a run
// that ended off the ReportEvery grid).
func (t *Trainer) Restore(c *modelfile.File) ([]Report, error) {
	t.settleEps() // no fill in flight from the state Restore replaces
	if t.epoch != 0 {
		return nil, fmt.Errorf("train: restore into a trainer that has run")
	}
	if !c.Adam {
		return nil, fmt.Errorf("the file has no optimiser state (saved by the resident graph of an older bbb)")
	}
	if err := c.SetParams(t.Net); err != nil {
		return nil, err
	}
	tArr, ok := c.Arrays["adam_t"].Data.([]int64)
	if !ok || len(tArr) != 1 || tArr[0] < 0 {
		return nil, fmt.Errorf("adam_t missing or bad")
	}
	var moments [][2]any
	var err error
	if tArr[0] > 0 {
		if moments, err = fileMoments(c, t.Net.Learnables()); err != nil {
			return nil, err
		}
	}
	eps, val, err := t.epsDrawsAt(c)
	if err != nil {
		return nil, err
	}
	if t.Net.Store != nil {
		if err := t.restoreResident(moments, uint64(tArr[0]), eps, c.Model.Epoch); err != nil {
			return nil, err
		}
	} else {
		t.adam.m, t.adam.v = nil, nil
		for _, mv := range moments {
			t.adam.m, t.adam.v = append(t.adam.m, mv[0]), append(t.adam.v, mv[1])
		}
		t.adam.t = int(tArr[0])
	}
	t.epsDraws, t.Val.draws = eps, val
	losses := c.Arrays["train_losses"].Floats()
	if len(losses) != c.Model.Epoch {
		return nil, fmt.Errorf("train_losses: %d values for epoch %d", len(losses), c.Model.Epoch)
	}
	t.TrainLosses = slices.Clone(losses)
	t.epoch = c.Model.Epoch
	t.multi.replayShuffles(t.epoch)
	var reports []Report
	for _, r := range c.Reports {
		reports = append(reports, Report(r))
	}
	// A report at the file's epoch off its run's grid of reports was that
	// run's last (Run reports at the last epoch too): where the resumed
	// run's grid has none there either, a run made in one go to
	// Config.Epochs makes none, so the resumed run drops it and takes its
	// validation draw again. (A file whose grid is unknown: the resumed
	// run's.)
	re := c.ReportEvery()
	if re == 0 {
		re = t.Config.ReportEvery
	}
	if n := len(reports); n > 0 && reports[n-1].Epoch == t.epoch && t.epoch%re != 0 && t.epoch%t.Config.ReportEvery != 0 && t.epoch < t.Config.Epochs {
		reports = reports[:n-1]
		t.Val.draws = max(t.Val.draws, 1) - 1 // (a report made a draw: 0 only in a file made by hand)
	}
	return reports, nil
}

// fileMoments returns Adam's moments m and v in c of each of ps (the
// learnables), as []float32 or []float64 like the parameter.
func fileMoments(c *modelfile.File, ps G.Nodes) ([][2]any, error) {
	out := make([][2]any, len(ps))
	for i, p := range ps {
		for k, prefix := range []string{"adam/m/", "adam/v/"} {
			name := prefix + p.Name()
			a, ok := c.Arrays[name]
			if !ok || a.Len() != p.Shape().TotalSize() {
				return nil, fmt.Errorf("%s missing or of the wrong size", name)
			}
			v := a.Floats()
			if p.Dtype() == tensor.Float32 {
				f := make([]float32, len(v))
				for j := range v {
					f[j] = float32(v[j])
				}
				out[i][k] = f
			} else {
				out[i][k] = slices.Clone(v)
			}
		}
	}
	return out, nil
}

// epsDrawsAt returns the training and validation draws c's run had used:
// its counters, or for a version-1 file (PCG states, rng/eps and rng/val)
// the draws an uninterrupted run of this build makes by c's epoch: one per
// step and MC draw, and one validation draw per report.
func (t *Trainer) epsDrawsAt(c *modelfile.File) (eps, val uint64, err error) {
	_, oldEps := c.Arrays["rng/eps"].Data.([]uint8)
	_, oldVal := c.Arrays["rng/val"].Data.([]uint8)
	if _, ok := c.Arrays["rng/eps_draws"]; !ok && oldEps && oldVal {
		return uint64(c.Model.Epoch) * t.drawsPerEpoch(), uint64(len(c.Reports)), nil
	}
	var out [2]uint64
	for k, name := range []string{"rng/eps_draws", "rng/val_draws"} {
		v, ok := c.Arrays[name].Data.([]int64)
		if !ok || len(v) != 1 || v[0] < 0 {
			return 0, 0, fmt.Errorf("%s missing or bad", name)
		}
		out[k] = uint64(v[0])
	}
	return out[0], out[1], nil
}

// drawsPerEpoch is the training epsilon draws of one epoch: one per
// minibatch step and MC draw.
func (t *Trainer) drawsPerEpoch() uint64 {
	m := t.multi
	if m == nil {
		return 1
	}
	steps := 1
	if m.batch.Size > 0 {
		steps = m.data.Len() / m.batch.Size
	}
	return uint64(steps * m.draws)
}
