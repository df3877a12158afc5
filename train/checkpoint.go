package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/internal/npz"
)

// A checkpoint is an .npz file (NumPy's np.load reads it): every
// variational parameter by its graph name (w_mu0, w_rho0, b_mu0, ...),
// Adam's state (adam/m/NAME, adam/v/NAME, adam_t), the epsilon streams'
// positions (rng/eps_draws, rng/val_draws: the counter-based draws used so
// far, one int64 each), the losses so far (train_losses, reports: epoch,
// train, val per row) and meta: the JSON of CheckpointMeta as bytes
// (bytes(np.load(p)["meta"]).decode()).
//
// Version 1 held PCG states (rng/eps, rng/val) instead of the counters.
// Such a file still resumes: with the counter-based draws from where its
// run stood (epsDrawsAt), so the run goes on with other numbers than the
// old build would have drawn.

// CheckpointFormat and CheckpointVersion identify the file; Read refuses a
// newer version.
const (
	CheckpointFormat  = "bbb-checkpoint"
	CheckpointVersion = 2
)

// CheckpointMeta is what shaped the run: the CLI's flags (model, data,
// optimiser), the seed, the epoch, the input columns and the scaler.
type CheckpointMeta struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Flags    map[string]string `json:"flags"`
	Seed     uint64            `json:"seed"`
	Epoch    int               `json:"epoch"`
	Inputs   int               `json:"inputs"`
	XNames   []string          `json:"x_names,omitempty"`
	YName    string            `json:"y_name,omitempty"`
	Scaler   *data.Scaler      `json:"scaler,omitempty"`
	Task     string            `json:"task,omitempty"`    // "classification", or "" (regression)
	Classes  int               `json:"classes,omitempty"` // a classifier's class count
	Params   []string          `json:"params"`
	Adam     bool              `json:"adam"` // the optimiser's state is in the file (not for the resident graph)
	Resident bool              `json:"resident"`
}

// Checkpoint is a read checkpoint.
type Checkpoint struct {
	Meta    CheckpointMeta
	Arrays  map[string]npz.Array
	Reports []Report
}

// Checkpoint returns the trainer's state as arrays, meta filled in with
// the params, epoch and optimiser. A resident network's host parameters
// are current only at report epochs and the last one: save then.
func (t *Trainer) Checkpoint(meta CheckpointMeta, reports []Report) (map[string]npz.Array, error) {
	t.settleEps() // the eps state the runs so far have left
	arrays := map[string]npz.Array{}
	meta.Format, meta.Version, meta.Epoch = CheckpointFormat, CheckpointVersion, t.epoch
	meta.Params = nil
	meta.Resident = t.Net.Store != nil
	meta.Task, meta.Classes = "", 0
	if c := t.Net.Config; c.Task == graph.Classification {
		meta.Task, meta.Classes = c.Task.String(), c.Classes
	}
	for i, p := range t.Net.Learnables() {
		a, err := nodeArray(p)
		if err != nil {
			return nil, err
		}
		arrays[p.Name()] = a
		meta.Params = append(meta.Params, p.Name())
		if t.adam != nil && t.adam.m != nil {
			arrays["adam/m/"+p.Name()] = npz.Array{Shape: a.Shape, Data: cloneAny(t.adam.m[i])}
			arrays["adam/v/"+p.Name()] = npz.Array{Shape: a.Shape, Data: cloneAny(t.adam.v[i])}
		}
	}
	meta.Adam = t.adam != nil
	if t.adam != nil {
		arrays["adam_t"] = npz.Array{Data: []int64{int64(t.adam.t)}}
	}
	draws := t.epsDraws
	if t.Net.Store != nil {
		draws = uint64(t.epoch) // a resident run draws at step = epoch
	}
	arrays["rng/eps_draws"] = npz.Array{Shape: []int{1}, Data: []int64{int64(draws)}}
	arrays["rng/val_draws"] = npz.Array{Shape: []int{1}, Data: []int64{int64(t.Val.draws)}}
	arrays["train_losses"] = npz.Array{Shape: []int{len(t.TrainLosses)}, Data: slices.Clone(t.TrainLosses)}
	rep := make([]float64, 0, 3*len(reports))
	for _, r := range reports {
		rep = append(rep, float64(r.Epoch), r.TrainLoss, r.ValLoss)
	}
	arrays["reports"] = npz.Array{Shape: []int{len(reports), 3}, Data: rep}
	mb, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	arrays["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	return arrays, nil
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

func nodeArray(n *G.Node) (npz.Array, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return npz.Array{}, fmt.Errorf("train: checkpoint: %s has no dense value", n.Name())
	}
	shape := slices.Clone([]int(d.Shape()))
	switch v := d.Data().(type) {
	case []float32:
		return npz.Array{Shape: shape, Data: slices.Clone(v)}, nil
	case []float64:
		return npz.Array{Shape: shape, Data: slices.Clone(v)}, nil
	}
	return npz.Array{}, fmt.Errorf("train: checkpoint: %s holds %T", n.Name(), d.Data())
}

// WriteCheckpoint writes arrays to path atomically.
func WriteCheckpoint(path string, arrays map[string]npz.Array) error {
	return atomicio.WriteFile(path, func(w io.Writer) error { return npz.Write(w, arrays) })
}

// MaxCheckpointBytes bounds a checkpoint file: the largest model the CLI
// builds (2^28 weights and biases, float64, mu and rho with Adam's two
// moments) is 8 GiB.
const MaxCheckpointBytes = 16 << 30

// ReadCheckpoint reads and checks a checkpoint file: its format, version,
// meta and that every parameter it lists is there, finite. Only a regular
// file of at most MaxCheckpointBytes is read, in chunks that stop at the
// process's interrupt (boundedio), each array checked against its CRC-32.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	f, err := boundedio.Open(path, MaxCheckpointBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCheckpoint(f, f.Size())
}

// ParseCheckpoint is ReadCheckpoint from the file's bytes.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	return parseCheckpoint(bytes.NewReader(b), int64(len(b)))
}

func parseCheckpoint(r io.ReaderAt, size int64) (*Checkpoint, error) {
	arrays, err := npz.Read(r, size)
	if err != nil {
		return nil, err
	}
	mb, ok := arrays["meta"].Data.([]uint8)
	if !ok {
		return nil, fmt.Errorf("no meta member: not a bbb checkpoint")
	}
	var m CheckpointMeta
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("meta: %v", err)
	}
	if m.Format != CheckpointFormat {
		return nil, fmt.Errorf("format %q: not a bbb checkpoint", m.Format)
	}
	if m.Version > CheckpointVersion || m.Version < 1 {
		return nil, fmt.Errorf("version %d: this bbb reads version %d", m.Version, CheckpointVersion)
	}
	if m.Inputs < 1 || len(m.Params) == 0 || m.Epoch < 0 {
		return nil, fmt.Errorf("meta: inputs %d, %d params, epoch %d", m.Inputs, len(m.Params), m.Epoch)
	}
	if err := m.checkTask(); err != nil {
		return nil, err
	}
	if m.Scaler != nil {
		if err := m.Scaler.Validate(m.Inputs); err != nil {
			return nil, err
		}
	}
	for _, p := range m.Params {
		a, ok := arrays[p]
		if !ok {
			return nil, fmt.Errorf("parameter %s missing", p)
		}
		for _, v := range a.Floats() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("parameter %s: non-finite value %v", p, v)
			}
		}
		if a.Floats() == nil {
			return nil, fmt.Errorf("parameter %s: not floating point", p)
		}
	}
	c := &Checkpoint{Meta: m, Arrays: arrays}
	if r, ok := arrays["reports"]; ok {
		v := r.Floats()
		if len(v)%3 != 0 {
			return nil, fmt.Errorf("reports: %d values", len(v))
		}
		for i := 0; i+2 < len(v); i += 3 {
			c.Reports = append(c.Reports, Report{Epoch: int(v[i]), TrainLoss: v[i+1], ValLoss: v[i+2]})
		}
	}
	return c, nil
}

// SetParams copies the checkpoint's parameters into net, by name and
// shape (the file's dtype converted to net's).
func (c *Checkpoint) SetParams(net *graph.Network) error {
	ps := net.Learnables()
	if len(ps) != len(c.Meta.Params) {
		return fmt.Errorf("%d parameters in the file, the model has %d", len(c.Meta.Params), len(ps))
	}
	for _, p := range ps {
		a, ok := c.Arrays[p.Name()]
		if !ok {
			return fmt.Errorf("parameter %s missing", p.Name())
		}
		if want := []int(p.Shape()); !slices.Equal(a.Shape, want) {
			return fmt.Errorf("parameter %s: shape %v in the file, the model needs %v", p.Name(), a.Shape, want)
		}
		if err := graph.SetValues(p, a.Floats()); err != nil {
			return err
		}
	}
	net.Reload()
	return nil
}

// Restore continues training from c: parameters, Adam's state, the
// epsilon streams, the epoch and the losses so far. It returns the
// reports made before.
func (t *Trainer) Restore(c *Checkpoint) ([]Report, error) {
	t.settleEps() // no fill in flight from the state Restore replaces
	if t.epoch != 0 {
		return nil, fmt.Errorf("train: restore into a trainer that has run")
	}
	if t.Net.Store != nil {
		return nil, fmt.Errorf("resume is not supported by the resident (CUDA) graph: its Adam state lives on the device")
	}
	if !c.Meta.Adam {
		return nil, fmt.Errorf("the file has no optimiser state (saved by the resident graph)")
	}
	if err := c.SetParams(t.Net); err != nil {
		return nil, err
	}
	tArr, ok := c.Arrays["adam_t"].Data.([]int64)
	if !ok || len(tArr) != 1 || tArr[0] < 0 {
		return nil, fmt.Errorf("adam_t missing or bad")
	}
	if tArr[0] > 0 {
		ps := t.Net.Learnables()
		t.adam.m, t.adam.v = make([]any, len(ps)), make([]any, len(ps))
		for i, p := range ps {
			for k, dst := range []*[]any{&t.adam.m, &t.adam.v} {
				name := []string{"adam/m/", "adam/v/"}[k] + p.Name()
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
					(*dst)[i] = f
				} else {
					(*dst)[i] = slices.Clone(v)
				}
			}
		}
	}
	t.adam.t = int(tArr[0])
	eps, val, err := t.epsDrawsAt(c)
	if err != nil {
		return nil, err
	}
	t.epsDraws, t.Val.draws = eps, val
	losses := c.Arrays["train_losses"].Floats()
	if len(losses) != c.Meta.Epoch {
		return nil, fmt.Errorf("train_losses: %d values for epoch %d", len(losses), c.Meta.Epoch)
	}
	t.TrainLosses = slices.Clone(losses)
	t.epoch = c.Meta.Epoch
	t.multi.replayShuffles(t.epoch)
	return c.Reports, nil
}

// epsDrawsAt returns the training and validation draws c's run had used:
// its counters, or for a version-1 file (PCG states, rng/eps and rng/val)
// the draws an uninterrupted run of this build makes by c's epoch: one per
// step and MC draw, and one validation draw per report.
func (t *Trainer) epsDrawsAt(c *Checkpoint) (eps, val uint64, err error) {
	_, oldEps := c.Arrays["rng/eps"].Data.([]uint8)
	_, oldVal := c.Arrays["rng/val"].Data.([]uint8)
	if _, ok := c.Arrays["rng/eps_draws"]; !ok && oldEps && oldVal {
		return uint64(c.Meta.Epoch) * t.drawsPerEpoch(), uint64(len(c.Reports)), nil
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

// checkTask: no task (regression) and no classes, or a classifier of at
// least 2 classes.
func (m CheckpointMeta) checkTask() error {
	if m.Task != "" && m.Task != graph.Classification.String() {
		return fmt.Errorf("meta: task %q: want classification or none (regression)", m.Task)
	}
	if (m.Task == "") != (m.Classes == 0) || m.Classes < 2 && m.Classes != 0 {
		return fmt.Errorf("meta: task %q with %d classes", m.Task, m.Classes)
	}
	return nil
}
