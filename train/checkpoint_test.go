package train

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/internal/npz"
)

func ckptTrainer(t *testing.T, dt tensor.Dtype, epochs int) *Trainer {
	t.Helper()
	cfg := Config{Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: dt}, Data: data.CurveConfig{N: 200}, Epochs: epochs, ReportEvery: 3, Seed: 7}
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
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
		arrays, err := first.Checkpoint(CheckpointMeta{Inputs: 1, Seed: 7}, r2)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := WriteCheckpoint(path, arrays); err != nil {
			t.Fatal(err)
		}
		c, err := ReadCheckpoint(path)
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
		// The run that stopped at 5 reported there too (its validation
		// draw shifts later validation losses; the parameters are equal).
		if all := append(before, r3...); len(all) != len(r1)+1 || all[len(all)-1].TrainLoss != r1[len(r1)-1].TrainLoss {
			t.Errorf("%v: reports %v, one run %v", dt, all, r1)
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
		arrays, err := first.Checkpoint(CheckpointMeta{Inputs: 1, Seed: 7}, reports)
		if err != nil {
			t.Fatal(err)
		}
		// Make it a version-1 file.
		delete(arrays, "rng/eps_draws")
		delete(arrays, "rng/val_draws")
		for name, stream := range map[string]uint64{"rng/eps": streamEps, "rng/val": streamValEps} {
			b, _ := rand.NewPCG(7, stream).MarshalBinary()
			arrays[name] = npz.Array{Shape: []int{len(b)}, Data: b}
		}
		meta := strings.Replace(string(arrays["meta"].Data.([]uint8)), `"version":2`, `"version":1`, 1)
		arrays["meta"] = npz.Array{Shape: []int{len(meta)}, Data: []uint8(meta)}
		cp, err := ParseCheckpoint(encodeNpz(t, arrays))
		if err != nil {
			t.Fatal(err)
		}
		if cp.Meta.Version != 1 {
			t.Fatalf("version %d", cp.Meta.Version)
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
	good, err := tr.Checkpoint(CheckpointMeta{Inputs: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
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
		{"version", with("meta", meta(`{"format":"bbb-checkpoint","version":9,"inputs":1,"params":["w_mu0"]}`)), "version 9: this bbb reads version 2"},
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
		_, err := ParseCheckpoint(tc.b)
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
		c, err := ParseCheckpoint(with(tc.name, tc.a))
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
	c, err := ParseCheckpoint(with("w_mu1", npz.Array{Shape: []int{4, 2}, Data: make([]float32, 8)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Restore(c); err == nil || !strings.Contains(err.Error(), "shape [4 2] in the file, the model needs [8 8]") {
		t.Errorf("wrong shape: %v", err)
	}
}

func nan() float64 { var z float64; return z / z }

// FuzzReadCheckpoint: any bytes give a checkpoint or an error, no panic.
func FuzzReadCheckpoint(f *testing.F) {
	var buf bytes.Buffer
	npz.Write(&buf, map[string]npz.Array{
		"meta":   {Shape: []int{66}, Data: []uint8(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w"]}  `)},
		"w":      {Shape: []int{2}, Data: []float32{1, 2}},
		"adam_t": {Data: []int64{1}},
	})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCheckpoint(b)
		if err == nil && (c.Meta.Format != CheckpointFormat || len(c.Meta.Params) == 0) {
			t.Fatalf("accepted %+v", c.Meta)
		}
	})
}

// Restore's checks of the optimiser state, each alone: a bad adam_t, an
// Adam moment missing or of the wrong size; adam_t = 0 (a checkpoint
// before any step) needs no moments.
func TestRestoreAdamState(t *testing.T) {
	tr := ckptTrainer(t, tensor.Float32, 2)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	good, err := tr.Checkpoint(CheckpointMeta{Inputs: 1, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(map[string]npz.Array)) *Checkpoint {
		m := map[string]npz.Array{}
		for k, v := range good {
			m[k] = v
		}
		edit(m)
		c, err := ParseCheckpoint(encodeNpz(t, m))
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

// ReadCheckpoint reads only what it can bound: a damaged byte (CRC-32), a
// device, a FIFO (without blocking), a file over MaxCheckpointBytes (a
// sparse one) are refused with one line; an interrupt stops the read.
func TestReadCheckpointBounded(t *testing.T) {
	tr := ckptTrainer(t, tensor.Float32, 2)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	arrays, err := tr.Checkpoint(CheckpointMeta{Inputs: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "m.npz")
	if err := WriteCheckpoint(good, arrays); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpoint(good); err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}
	b, _ := os.ReadFile(good)
	// The last byte of w_mu0's values (1 × 8 float32 after a 128-byte
	// .npy header; the local header has no extra field before them).
	at := bytes.Index(b, []byte("\x00\x00w_mu0.npy"))
	at = bytes.Index(b[at:], []byte("\x93NUMPY")) + at + 128 + 8*4 - 1
	damaged := filepath.Join(dir, "damaged.npz")
	b[at] ^= 1
	os.WriteFile(damaged, b, 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.npz")
	f, _ := os.Create(sparse)
	if err := f.Truncate(MaxCheckpointBytes + 1); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	f.Close()
	for _, c := range []struct{ path, want string }{
		{damaged, "array w_mu0: bad CRC-32"},
		{"/dev/zero", "not a regular file: a device"},
		{fifo, "not a regular file: a FIFO"},
		{sparse, "over the limit"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadCheckpoint(c.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: %v, want one line with %q", filepath.Base(c.path), err, c.want)
			}
		case <-time.After(5 * time.Second): // a guard against a blocking open or an endless read
			t.Fatalf("%s: ReadCheckpoint does not return", c.path)
		}
	}
	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	boundedio.SetInterrupt(ctx)
	defer boundedio.SetInterrupt(context.Background())
	if _, err := ReadCheckpoint(good); err != cause {
		t.Errorf("interrupted: %v", err)
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
	good, err := tr.Checkpoint(CheckpointMeta{Inputs: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pcg := npz.Array{Shape: []int{20}, Data: make([]uint8, 20)}
	edit := func(drop []string, add map[string]npz.Array) *Checkpoint {
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
		c, err := ParseCheckpoint(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		c    *Checkpoint
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
