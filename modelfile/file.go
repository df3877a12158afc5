package modelfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/internal/npz"
)

// Format and Version identify the file; Read refuses a newer version.
// Version 1 held PCG states (rng/eps, rng/val) instead of the epsilon
// counters, version 2 the counters; both stored bbb train's flags, where
// version 3 stores the Model.
const (
	Format  = "bbb-checkpoint"
	Version = 3
)

// MaxBytes bounds a model file: the largest model bbb builds (MaxWeights
// weights and biases, float64, mu and rho with Adam's two moments) is
// 8 GiB.
const MaxBytes = 16 << 30

// File is a model file: the Model, the parameters by name and every other
// array.
type File struct {
	Model Model
	// Version is the file's version as read (Write writes Version).
	Version int
	// Params are the learnable parameters' names, in the network's order
	// (graph.Network.Learnables); each is an array of Arrays.
	Params []string
	// Adam: the optimiser's state is in the file (adam/m/NAME,
	// adam/v/NAME, adam_t): every file written now, by either graph; the
	// resident graph of older builds (Resident) saved none.
	Adam bool
	// Resident: the resident (GPU) graph wrote the file. Either graph
	// resumes it: the state is the same.
	Resident bool
	// Arrays are the file's arrays but meta and reports: the parameters,
	// the optimiser's state, rng/eps_draws, rng/val_draws, train_losses.
	Arrays map[string]Array
	// Reports are the losses reported so far (the reports array).
	Reports []Report
	// Layers are the layer reports so far (the layer_reports array: the
	// rows of a run's layers.csv), so that a resumed run's layers.csv
	// holds the reports before it too. Files written before bbb kept them
	// have none.
	Layers []LayerReport
	// Flags are a version 1 or 2 file's recorded flags, as written (nil
	// in version 3): bbb restores them verbatim.
	Flags map[string]string

	flagsErr error // a version 1 or 2 file's Flags that FromFlags refused
}

// Report is one loss report: the negative ELBO per point on the training
// and the validation data after Epoch epochs.
type Report struct {
	Epoch     int
	TrainLoss float64
	ValLoss   float64
}

// LayerReport is one layer's posterior at a report: its KL to the prior
// and the mean sigma of its weights and of its biases (train.LayerStat).
type LayerReport struct {
	Epoch, Layer       int
	KL, WSigma, BSigma float64
}

// meta is version 3's meta.
type meta struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	Model    Model    `json:"model"`
	Params   []string `json:"params"`
	Adam     bool     `json:"adam"`
	Resident bool     `json:"resident"`
}

// Encode writes f as an .npz archive to w: f.Arrays, the reports and the
// meta of version 3.
func Encode(w io.Writer, f *File) error {
	mb, err := json.Marshal(meta{Format: Format, Version: Version, Model: f.Model, Params: f.Params, Adam: f.Adam, Resident: f.Resident})
	if err != nil {
		return err
	}
	arrays := toNpz(f.Arrays)
	rep := make([]float64, 0, 3*len(f.Reports))
	for _, r := range f.Reports {
		rep = append(rep, float64(r.Epoch), r.TrainLoss, r.ValLoss)
	}
	arrays["reports"] = npz.Array{Shape: []int{len(f.Reports), 3}, Data: rep}
	if len(f.Layers) > 0 { // (none: a classifier's file is as before)
		lr := make([]float64, 0, 5*len(f.Layers))
		for _, r := range f.Layers {
			lr = append(lr, float64(r.Epoch), float64(r.Layer), r.KL, r.WSigma, r.BSigma)
		}
		arrays["layer_reports"] = npz.Array{Shape: []int{len(f.Layers), 5}, Data: lr}
	}
	arrays["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	return npz.Write(w, arrays)
}

// Write writes f to path atomically (Encode).
func Write(path string, f *File) error {
	return atomicio.WriteFile(path, func(w io.Writer) error { return Encode(w, f) })
}

// Prepare is Write but for the rename into place: commit does it, abort
// removes the written temporary file (atomicio.Prepare), so that a caller
// replaces the model together with its other outputs.
func Prepare(path string, f *File) (commit func() error, abort func(), err error) {
	return atomicio.Prepare(path, func(w io.Writer) error { return Encode(w, f) })
}

// Read reads and checks a model file: its format, version, meta and that
// every parameter it lists is there, finite. Only a regular file of at
// most MaxBytes is read, in chunks that stop at the process's interrupt
// (boundedio), each array checked against its CRC-32. The model it
// describes is checked by File.Config.
func Read(path string) (*File, error) {
	f, err := boundedio.Open(path, MaxBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f, f.Size())
}

// Parse is Read from the file's bytes.
func Parse(b []byte) (*File, error) {
	return parse(bytes.NewReader(b), int64(len(b)))
}

func parse(r io.ReaderAt, size int64) (*File, error) {
	arrays, err := npz.Read(r, size)
	if err != nil {
		return nil, err
	}
	mb, ok := arrays["meta"].Data.([]uint8)
	if !ok {
		return nil, fmt.Errorf("no meta member: not a bbb checkpoint")
	}
	// Versions 1 and 2 (the name shows in JSON's errors).
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
		Task     string            `json:"task,omitempty"`
		Classes  int               `json:"classes,omitempty"`
		Params   []string          `json:"params"`
		Adam     bool              `json:"adam"`
		Resident bool              `json:"resident"`
	}
	var old CheckpointMeta
	if err := json.Unmarshal(mb, &old); err != nil {
		return nil, fmt.Errorf("meta: %v", err)
	}
	if old.Format != Format {
		return nil, fmt.Errorf("format %q: not a bbb checkpoint", old.Format)
	}
	if old.Version > Version || old.Version < 1 {
		return nil, fmt.Errorf("version %d: this bbb reads version %d", old.Version, Version)
	}
	c := &File{Version: old.Version, Params: old.Params, Adam: old.Adam, Resident: old.Resident}
	if old.Version == Version {
		var m meta
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("meta: %v", err)
		}
		if err := checkWritten(mb); err != nil {
			return nil, err
		}
		c.Model = m.Model
	} else {
		c.Flags = old.Flags
		c.Model, c.flagsErr = FromFlags(old.Flags)
		c.Model.Seed, c.Model.Epoch, c.Model.XNames, c.Model.YName, c.Model.Scaler = old.Seed, old.Epoch, old.XNames, old.YName, old.Scaler
		c.Model.Network.Inputs, c.Model.Network.Task, c.Model.Network.Classes = old.Inputs, old.Task, old.Classes
	}
	m := &c.Model
	if m.Network.Inputs < 1 || len(c.Params) == 0 || m.Epoch < 0 {
		return nil, fmt.Errorf("meta: inputs %d, %d params, epoch %d", m.Network.Inputs, len(c.Params), m.Epoch)
	}
	if err := checkTask(m.Network); err != nil {
		return nil, err
	}
	if m.Scaler != nil {
		if err := m.Scaler.Validate(m.Network.Inputs); err != nil {
			return nil, err
		}
	}
	for _, p := range c.Params {
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
	if err := checkState(arrays); err != nil {
		return nil, err
	}
	if r, ok := arrays["reports"]; ok {
		v, ok := r.Data.([]float64)
		if !ok || len(r.Shape) != 2 || r.Shape[1] != 3 {
			return nil, fmt.Errorf("reports: want rows of 3 float64 values, have %s of shape %v", dtypeName(r.Data), r.Shape)
		}
		for i := 0; i+2 < len(v); i += 3 {
			r := Report{Epoch: int(v[i]), TrainLoss: v[i+1], ValLoss: v[i+2]}
			prev := 0
			if len(c.Reports) > 0 {
				prev = c.Reports[len(c.Reports)-1].Epoch
			}
			if float64(r.Epoch) != v[i] || r.Epoch <= prev || r.Epoch > m.Epoch {
				return nil, fmt.Errorf("reports: row %d: epoch %v: want whole epochs that increase, after %d and at most the file's %d", i/3, v[i], prev, m.Epoch)
			}
			if !finite(r.TrainLoss) || !finite(r.ValLoss) {
				return nil, fmt.Errorf("reports: row %d: losses %v and %v: want finite losses", i/3, r.TrainLoss, r.ValLoss)
			}
			c.Reports = append(c.Reports, r)
		}
	}
	if err := checkRecorded(c.Model); err != nil {
		return nil, err
	}
	if c.Layers, err = parseLayers(arrays["layer_reports"], c.Reports); err != nil {
		return nil, err
	}
	delete(arrays, "meta")
	delete(arrays, "reports")
	delete(arrays, "layer_reports")
	c.Arrays = fromNpz(arrays)
	return c, nil
}

// parseLayers reads the layer_reports array (absent or empty: none), as
// a run writes it: at each of the last report epochs of reports (all, or
// those since a resume from a file of an older build, which held none),
// in order, a row for each layer of the network in order (as many at
// each: those of the first), with a finite KL and positive, finite
// sigmas. (That they are the network's layers is File.CheckParams'.)
func parseLayers(a npz.Array, reports []Report) ([]LayerReport, error) {
	if a.Data == nil || a.Len() == 0 {
		return nil, nil
	}
	v, ok := a.Data.([]float64)
	if !ok || len(a.Shape) != 2 || a.Shape[1] != 5 {
		return nil, fmt.Errorf("layer_reports: want rows of 5 float64 values, have %s of shape %v", dtypeName(a.Data), a.Shape)
	}
	layers := 0
	for i := 0; i+4 < len(v) && v[i+1] == float64(layers); i += 5 {
		layers++
	}
	rows := len(v) / 5
	if layers == 0 || rows%layers != 0 || rows/layers > len(reports) {
		return nil, fmt.Errorf("layer_reports: %d rows for %d reports: want the layers 0, 1, ... of each report (or of the last ones) in turn", rows, len(reports))
	}
	first := len(reports) - rows/layers // (the reports before it: a file of an older build resumed)
	out := make([]LayerReport, 0, rows)
	for i := 0; i+4 < len(v); i += 5 {
		row := i / 5
		r := LayerReport{Epoch: int(v[i]), Layer: int(v[i+1]), KL: v[i+2], WSigma: v[i+3], BSigma: v[i+4]}
		want := LayerReport{Epoch: reports[first+row/layers].Epoch, Layer: row % layers}
		if float64(want.Epoch) != v[i] || float64(want.Layer) != v[i+1] {
			return nil, fmt.Errorf("layer_reports: row %d: epoch %v, layer %v, want epoch %d, layer %d (the reports' epochs, each layer in turn)", row, v[i], v[i+1], want.Epoch, want.Layer)
		}
		if !finite(r.KL) || !(r.WSigma > 0) || !(r.BSigma > 0) || !finite(r.WSigma) || !finite(r.BSigma) {
			return nil, fmt.Errorf("layer_reports: row %d: kl %v, sigmas %v and %v: want a finite KL and positive finite sigmas", row, r.KL, r.WSigma, r.BSigma)
		}
		out = append(out, r)
	}
	return out, nil
}

// checkState refuses a training state a run cannot go on from: a loss
// of train_losses that is not finite, or an Adam second moment
// (adam/v/NAME) below 0, which no run writes. (A NaN moment is not
// refused: the moments of the weights a pruned run holds at zero are NaN,
// their gradients being of no use, and the weights are reset after every
// step.)
func checkState(arrays map[string]npz.Array) error {
	for _, name := range slices.Sorted(maps.Keys(arrays)) {
		losses := name == "train_losses"
		if !losses && !strings.HasPrefix(name, "adam/v/") {
			continue
		}
		for i, v := range arrays[name].Floats() {
			if losses && !finite(v) {
				return fmt.Errorf("%s: value %d is %v: want finite losses", name, i, v)
			}
			if !losses && v < 0 {
				return fmt.Errorf("%s: value %d is %v: want values >= 0 (Adam's second moments)", name, i, v)
			}
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// dtypeName names an array's element type in an error.
func dtypeName(d any) string { return strings.TrimPrefix(fmt.Sprintf("%T", d), "[]") }

// checkRecorded checks what a model records of its run beyond the
// network: the data files' SHA-256 (64 lowercase hex digits, each with its
// file) and the epochs between reports (0: not recorded).
func checkRecorded(m Model) error {
	for _, d := range []struct{ name, sum, file string }{{"file_sha256", m.Data.FileSHA256, m.Data.File}, {"val_sha256", m.Data.ValSHA256, m.Data.Val}} {
		if d.sum == "" {
			continue
		}
		if len(d.sum) != 64 || strings.Trim(d.sum, "0123456789abcdef") != "" || d.file == "" {
			return fmt.Errorf("meta: data.%s %q: want 64 lowercase hex digits, with the file's name", d.name, d.sum)
		}
	}
	if m.ReportEvery < 0 {
		return fmt.Errorf("meta: report_every %d: want a number of epochs (0: not recorded)", m.ReportEvery)
	}
	return nil
}

// checkTask: no task (regression) and no classes, or a classifier of at
// least 2 classes.
func checkTask(n Network) error {
	if n.Task != "" && n.Task != graph.Classification.String() {
		return fmt.Errorf("meta: task %q: want classification or none (regression)", n.Task)
	}
	if (n.Task == "") != (n.Classes == 0) || n.Classes < 2 && n.Classes != 0 {
		return fmt.Errorf("meta: task %q with %d classes", n.Task, n.Classes)
	}
	return nil
}

// SetParams copies the file's parameters into net, by name and shape (the
// file's dtype converted to net's).
func (f *File) SetParams(net *graph.Network) error {
	ps := net.Learnables()
	if len(ps) != len(f.Params) {
		return fmt.Errorf("%d parameters in the file, the model has %d", len(f.Params), len(ps))
	}
	for _, p := range ps {
		a, ok := f.Arrays[p.Name()]
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

// written are the settings a version 3 file always holds (Write puts them
// all): one absent is a damaged or hand-edited file, which is refused
// rather than read with the default in its place (a mixture-prior model
// would go on under the normal prior).
var written = map[string][]string{
	"model":           {"network", "optimiser", "data", "seed", "epoch"},
	"model.network":   {"layers", "hidden", "inputs", "prior", "kl", "likelihood", "likelihood_sigma", "min_sigma", "n_batch", "dtype"},
	"model.optimiser": {"learning_rate", "gamma", "batch_size", "kl_weight", "mc_samples"},
}

// checkWritten refuses a version 3 meta that lacks a setting Write always
// writes. (A setting written as its zero value means the default, as in
// Model.)
func checkWritten(mb []byte) error {
	var raw struct {
		Model map[string]json.RawMessage `json:"model"`
	}
	if err := json.Unmarshal(mb, &raw); err != nil {
		return fmt.Errorf("meta: %v", err)
	}
	objects := map[string]map[string]json.RawMessage{"model": raw.Model}
	for _, sub := range []string{"network", "optimiser"} {
		var o map[string]json.RawMessage
		if b, ok := raw.Model[sub]; ok {
			if err := json.Unmarshal(b, &o); err != nil {
				return fmt.Errorf("meta: model.%s: %v", sub, err)
			}
		}
		objects["model."+sub] = o
	}
	for _, obj := range []string{"model", "model.network", "model.optimiser"} {
		for _, k := range written[obj] {
			if v, ok := objects[obj][k]; !ok || string(v) == "null" {
				return fmt.Errorf("meta: %s.%s missing", obj, k)
			}
		}
	}
	return nil
}

// ReportEvery is the run's epochs between two reports: as recorded, or,
// in a file of an older build, read from its reports when they are the
// multiples of the first (the last may be the run's final epoch); 0 when
// neither says.
func (f *File) ReportEvery() int {
	if f.Model.ReportEvery > 0 {
		return f.Model.ReportEvery
	}
	rs := f.Reports
	if len(rs) < 2 {
		return 0
	}
	k := rs[0].Epoch
	for i, r := range rs[:len(rs)-1] {
		if r.Epoch != (i+1)*k {
			return 0
		}
	}
	if last := rs[len(rs)-1].Epoch; last != len(rs)*k && (last != f.Model.Epoch || last > len(rs)*k) {
		return 0
	}
	return k
}
