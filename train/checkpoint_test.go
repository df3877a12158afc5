package train

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/modelfile"
)

// ckptModel is a checkpoint's model: inputs and a seed, the rest the
// trainer's own (Checkpoint fills in the epoch and the task).
func ckptModel(inputs int, seed uint64) modelfile.Model {
	return modelfile.Model{Network: modelfile.Network{Inputs: inputs}, Seed: seed}
}

// npzOf is f's arrays as Encode writes them, meta and reports included.
func npzOf(t *testing.T, f *modelfile.File) map[string]npz.Array {
	t.Helper()
	b := encodeFile(t, f)
	m, err := npz.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeFile(t *testing.T, f *modelfile.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := modelfile.Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// legacyMeta is f's meta as a version 1 or 2 file held it (no flags).
func legacyMeta(t *testing.T, f *modelfile.File, version int) npz.Array {
	t.Helper()
	m := f.Model
	b, err := json.Marshal(map[string]any{"format": modelfile.Format, "version": version, "flags": nil, "seed": m.Seed, "epoch": m.Epoch,
		"inputs": m.Network.Inputs, "params": f.Params, "adam": f.Adam, "resident": f.Resident})
	if err != nil {
		t.Fatal(err)
	}
	return npz.Array{Shape: []int{len(b)}, Data: b}
}

func ckptTrainer(t *testing.T, dt tensor.Dtype, epochs int) *Trainer {
	t.Helper()
	tr, _ := newTestTrainer(t, Config{Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: dt}, Data: data.CurveConfig{N: 200}, Epochs: epochs, ReportEvery: 3, Seed: 7})
	return tr
}

func params(t *testing.T, tr *Trainer) [][]float64 {
	var out [][]float64
	for _, p := range tr.Net.Learnables() {
		v, err := graph.Values(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// 10 epochs in one run equal 5, a checkpoint written and read, and 5 more,
// bit for bit (float32 and float64).
func TestCheckpointResume(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		one := ckptTrainer(t, dt, 10)
		r1, err := one.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		first := ckptTrainer(t, dt, 5)
		r2, err := first.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		arrays, err := first.Checkpoint(ckptModel(1, 7), r2)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := modelfile.Write(path, arrays); err != nil {
			t.Fatal(err)
		}
		c, err := modelfile.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		second := ckptTrainer(t, dt, 10)
		before, err := second.Restore(c)
		if err != nil {
			t.Fatal(err)
		}
		r3, err := second.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		a, b := params(t, one), params(t, second)
		for i := range a {
			if !slices.Equal(a[i], b[i]) {
				t.Fatalf("%v: parameter %d differs after resume", dt, i)
			}
		}
		if !slices.Equal(one.TrainLosses, second.TrainLosses) {
			t.Errorf("%v: training losses differ", dt)
		}
		// The run that stopped at 5, off the grid of ReportEvery 3,
		// reported there as its last epoch; the resumed run drops that
		// report and its validation draw, so its reports are the one
		// run's, validation losses included.
		if all := append(before, r3...); !slices.Equal(all, r1) {
			t.Errorf("%v: reports %v, one run %v", dt, all, r1)
		}
		// Restored with nothing left to run, the last report stays: it is
		// the run's last.
		done := ckptTrainer(t, dt, 5)
		if kept, err := done.Restore(c); err != nil || !slices.Equal(kept, r2) || done.Val.draws != 2 {
			t.Errorf("%v: restored at its last epoch: reports %v (%v), validation draws %d; want %v, 2", dt, kept, err, done.Val.draws, r2)
		}
		// A file without reports restores none.
		c.Reports = nil
		if none, err := ckptTrainer(t, dt, 10).Restore(c); err != nil || len(none) != 0 {
			t.Errorf("%v: a file without reports: %v, %v", dt, none, err)
		}
	}
}

// A version-1 checkpoint (PCG states in rng/eps and rng/val, before the
// counter-based epsilon) still resumes: from the draws a run of this build
// had used by its epoch, so its training continues bit for bit as one
// uninterrupted run of this build (full batch, minibatches, MC draws).
func TestCheckpointVersion1Resumes(t *testing.T) {
	for _, c := range []struct{ batch, mc int }{{0, 0}, {50, 0}, {0, 2}, {40, 3}} {
		cfg := Config{Graph: graph.Config{Layers: 2, Hidden: 6, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 200},
			Epochs: 6, ReportEvery: 2, Seed: 7, Batch: Batch{Size: c.batch}, MCSamples: c.mc}
		whole, _ := newTestTrainer(t, cfg)
		if _, err := whole.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		cfg.Epochs = 4
		first, _ := newTestTrainer(t, cfg)
		reports, err := first.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		f, err := first.Checkpoint(ckptModel(1, 7), reports)
		if err != nil {
			t.Fatal(err)
		}
		arrays := npzOf(t, f)
		// Make it a version-1 file.
		delete(arrays, "rng/eps_draws")
		delete(arrays, "rng/val_draws")
		for name, stream := range map[string]uint64{"rng/eps": streamEps, "rng/val": streamValEps} {
			b, _ := rand.NewPCG(7, stream).MarshalBinary()
			arrays[name] = npz.Array{Shape: []int{len(b)}, Data: b}
		}
		arrays["meta"] = legacyMeta(t, f, 1)
		cp, err := modelfile.Parse(encodeNpz(t, arrays))
		if err != nil {
			t.Fatal(err)
		}
		if cp.Version != 1 {
			t.Fatalf("version %d", cp.Version)
		}
		cfg.Epochs = 6
		resumed, _ := newTestTrainer(t, cfg)
		if _, err := resumed.Restore(cp); err != nil {
			t.Fatal(err)
		}
		if resumed.Val.draws != 2 {
			t.Errorf("%+v: %d validation draws after 2 reports", c, resumed.Val.draws)
		}
		rest, err := resumed.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(whole.TrainLosses, resumed.TrainLosses) {
			t.Errorf("%+v: resumed losses %v, one run %v", c, resumed.TrainLosses, whole.TrainLosses)
		}
		// Two reports before, as the uninterrupted run: the same
		// validation draw at epoch 6.
		if want := whole.Config.Epochs; len(rest) != 1 || rest[0].Epoch != want {
			t.Fatalf("%+v: reports after resume %v", c, rest)
		}
		wholeReports, _ := whole.Val.Loss(whole.Net)
		again, _ := resumed.Val.Loss(resumed.Net)
		if wholeReports != again {
			t.Errorf("%+v: validation draw after resume %v, one run %v", c, again, wholeReports)
		}
	}
}

// A damaged checkpoint is an error naming what is wrong, never a panic.
func TestCheckpointDamaged(t *testing.T) {
	tr := ckptTrainer(t, tensor.Float32, 2)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	gf, err := tr.Checkpoint(ckptModel(1, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	good := npzOf(t, gf)
	enc := func(m map[string]npz.Array) []byte {
		var buf bytes.Buffer
		if err := npz.Write(&buf, m); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	with := func(name string, a npz.Array) []byte {
		m := map[string]npz.Array{}
		for k, v := range good {
			m[k] = v
		}
		m[name] = a
		return enc(m)
	}
	meta := func(s string) npz.Array { return npz.Array{Shape: []int{len(s)}, Data: []uint8(s)} }
	full := enc(good)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"truncated", full[:len(full)/2], "zip"},
		{"garbage", []byte("hello"), "zip"},
		{"version", with("meta", meta(`{"format":"bbb-checkpoint","version":9,"inputs":1,"params":["w_mu0"]}`)), "version 9: this bbb reads version 3"},
		{"format", with("meta", meta(`{"format":"other","version":1}`)), "not a bbb checkpoint"},
		{"no inputs", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":0,"params":["w_mu0"]}`)), "meta: inputs 0, 1 params, epoch 0"},
		{"no params", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":[]}`)), "meta: inputs 1, 0 params, epoch 0"},
		{"negative epoch", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"epoch":-1}`)), "meta: inputs 1, 1 params, epoch -1"},
		{"meta", with("meta", meta(`{`)), "meta"},
		{"task", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"task":"ranking","classes":3}`)), `task "ranking"`},
		{"classes without task", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"classes":3}`)), "3 classes"},
		{"task without classes", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"task":"classification"}`)), "0 classes"},
		{"one class", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"task":"classification","classes":1}`)), "1 classes"},
		{"negative classes", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"task":"classification","classes":-2}`)), "-2 classes"},
		{"scaler", with("meta", meta(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w_mu0"],"scaler":{"x_mean":[0],"x_std":[0],"y_mean":0,"y_std":1}}`)), "scaler: standard deviation 0"},
		{"nan", with("w_mu0", npz.Array{Shape: good["w_mu0"].Shape, Data: slices.Repeat([]float32{float32(nan())}, good["w_mu0"].Len())}), "non-finite"},
	} {
		_, err := modelfile.Parse(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tc.name, err, tc.want)
		}
	}
	// Epsilon counters that Restore cannot use: an error, the file parses.
	for _, tc := range []struct {
		name string
		a    npz.Array
		want string
	}{
		{"rng/eps_draws", npz.Array{Shape: []int{1}, Data: []int64{-1}}, "rng/eps_draws missing or bad"},
		{"rng/val_draws", npz.Array{Shape: []int{2}, Data: []int64{1, 2}}, "rng/val_draws missing or bad"},
		{"rng/val_draws", npz.Array{Shape: []int{1}, Data: []float64{1}}, "rng/val_draws missing or bad"},
	} {
		c, err := modelfile.Parse(with(tc.name, tc.a))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ckptTrainer(t, tensor.Float32, 4).Restore(c); err == nil || err.Error() != tc.want {
			t.Errorf("%s %v: restore error %v, want %q", tc.name, tc.a.Data, err, tc.want)
		}
	}
	// Wrong shape: a checkpoint of another width into this model.
	other := ckptTrainer(t, tensor.Float32, 2)
	other.Net.Config.Hidden = 8
	c, err := modelfile.Parse(with("w_mu1", npz.Array{Shape: []int{4, 2}, Data: make([]float32, 8)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Restore(c); err == nil || !strings.Contains(err.Error(), "shape [4 2] in the file, the model needs [8 8]") {
		t.Errorf("wrong shape: %v", err)
	}
}

func nan() float64 { var z float64; return z / z }

// Restore's checks of the optimiser state, each alone: a bad adam_t, an
// Adam moment missing or of the wrong size; adam_t = 0 (a checkpoint
// before any step) needs no moments.
func TestRestoreAdamState(t *testing.T) {
	tr := ckptTrainer(t, tensor.Float32, 2)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	gf, err := tr.Checkpoint(ckptModel(1, 7), nil)
	if err != nil {
		t.Fatal(err)
	}
	good := npzOf(t, gf)
	with := func(edit func(map[string]npz.Array)) *modelfile.File {
		m := map[string]npz.Array{}
		for k, v := range good {
			m[k] = v
		}
		edit(m)
		c, err := modelfile.Parse(encodeNpz(t, m))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]npz.Array)
		want string // "" = restores
	}{
		{"adam_t missing", func(m map[string]npz.Array) { delete(m, "adam_t") }, "adam_t missing or bad"},
		{"adam_t of 2 values", func(m map[string]npz.Array) { m["adam_t"] = npz.Array{Shape: []int{2}, Data: []int64{1, 2}} }, "adam_t missing or bad"},
		{"adam_t negative", func(m map[string]npz.Array) { m["adam_t"] = npz.Array{Data: []int64{-1}} }, "adam_t missing or bad"},
		{"adam_t 0, no moments", func(m map[string]npz.Array) {
			m["adam_t"] = npz.Array{Data: []int64{0}}
			for k := range m {
				if strings.HasPrefix(k, "adam/") {
					delete(m, k)
				}
			}
		}, ""},
		{"a moment missing", func(m map[string]npz.Array) { delete(m, "adam/v/w_mu0") }, "adam/v/w_mu0 missing or of the wrong size"},
		{"a moment of the wrong size", func(m map[string]npz.Array) {
			m["adam/m/w_mu0"] = npz.Array{Shape: []int{3}, Data: []float32{1, 2, 3}}
		}, "adam/m/w_mu0 missing or of the wrong size"},
	} {
		_, err := ckptTrainer(t, tensor.Float32, 4).Restore(with(tc.edit))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Which epsilon state Restore takes: the counters (0 is a count like any
// other), or a version-1 file's two PCG states together; a file with
// neither, or with one PCG state alone, is refused rather than resumed
// from a guessed draw.
func TestCheckpointEpsStateKinds(t *testing.T) {
	tr := ckptTrainer(t, tensor.Float32, 2)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	gf, err := tr.Checkpoint(ckptModel(1, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	good := npzOf(t, gf)
	pcg := npz.Array{Shape: []int{20}, Data: make([]uint8, 20)}
	edit := func(drop []string, add map[string]npz.Array) *modelfile.File {
		m := map[string]npz.Array{}
		for k, v := range good {
			if !slices.Contains(drop, k) {
				m[k] = v
			}
		}
		for k, v := range add {
			m[k] = v
		}
		var buf bytes.Buffer
		if err := npz.Write(&buf, m); err != nil {
			t.Fatal(err)
		}
		c, err := modelfile.Parse(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		c    *modelfile.File
		want string // "": restored
	}{
		{"counters of 0", edit(nil, map[string]npz.Array{"rng/val_draws": {Shape: []int{1}, Data: []int64{0}}}), ""},
		{"no eps state", edit([]string{"rng/eps_draws"}, nil), "rng/eps_draws missing or bad"},
		{"one PCG state", edit([]string{"rng/eps_draws", "rng/val_draws"}, map[string]npz.Array{"rng/eps": pcg}), "rng/eps_draws missing or bad"},
		{"the other PCG state", edit([]string{"rng/eps_draws", "rng/val_draws"}, map[string]npz.Array{"rng/val": pcg}), "rng/eps_draws missing or bad"},
		{"both PCG states", edit([]string{"rng/eps_draws", "rng/val_draws"}, map[string]npz.Array{"rng/eps": pcg, "rng/val": pcg}), ""},
	} {
		_, err := ckptTrainer(t, tensor.Float32, 4).Restore(tc.c)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: restore error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// The file's last report is dropped on resume only where it was its run's
// last, off that run's grid of reports, and the resumed run's grid has
// none there either: a report on either grid stays, with its validation
// draw (a resume may give another --report-every). A file whose grid
// is unknown (one report) is judged by the resumed run's.
func TestRestoreKeepsReportsOnAGrid(t *testing.T) {
	trainer := func(epochs, every int) *Trainer {
		tr, _ := newTestTrainer(t, Config{Graph: graph.Config{Layers: 2, Hidden: 4}, Data: data.CurveConfig{N: 100}, Epochs: epochs, ReportEvery: every, Seed: 7})
		return tr
	}
	saved := func(epochs, every int) *modelfile.File {
		tr := trainer(epochs, every)
		r, err := tr.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		f, err := tr.Checkpoint(ckptModel(1, 7), r)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tc := range []struct {
		name                         string
		epochs, every, resumed, grid int // the file's run, the resumed run's --report-every
		kept, draws                  int // reports restored, validation draws
	}{
		{"on the file's grid, off the resumed run's", 10, 5, 20, 3, 2, 2},
		{"off the file's grid, on the resumed run's", 5, 3, 20, 5, 2, 2},
		{"off both: the file's run's last", 5, 3, 20, 3, 1, 1},
		{"one report, off the resumed run's grid", 2, 3, 20, 3, 0, 0},
		{"one report, on the resumed run's grid", 2, 3, 20, 2, 1, 1},
	} {
		f := saved(tc.epochs, tc.every)
		tr := trainer(tc.resumed, tc.grid)
		reports, err := tr.Restore(f)
		if err != nil || len(reports) != tc.kept || tr.Val.draws != uint64(tc.draws) {
			t.Errorf("%s: %d reports (%v), %d validation draws; want %d, %d", tc.name, len(reports), err, tr.Val.draws, tc.kept, tc.draws)
		}
	}
}
