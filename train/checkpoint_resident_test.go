package train

import (
	"context"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
)

// The resident graph (the CUDA build's, here on the CPU): a checkpoint of
// its parameters, loaded into a fresh network, predicts what the trainer's
// network predicts (through the batched predictive graph, two inputs);
// a file without Adam's state (as older resident runs wrote) cannot be
// resumed.
func TestResidentCheckpointPredicts(t *testing.T) {
	cfg := Config{Graph: graph.Config{Layers: 2, Hidden: 6, Inputs: 2, Dtype: tensor.Float32, Resident: true}, Epochs: 4, ReportEvery: 2, Seed: 3}
	var d data.Set
	for i := range 40 {
		s := &d.Train
		if i%5 == 0 {
			s = &d.Val
		}
		s.X = append(s.X, float64(i)/40, float64(i%3))
		s.Y = append(s.Y, float64(i)/20)
		s.Inputs = 2
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	f, err := tr.Checkpoint(ckptModel(2, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	var c modelfile.File
	c.Params = nil
	for _, p := range tr.Net.Learnables() {
		c.Params = append(c.Params, p.Name())
	}
	c.Arrays = f.Arrays
	net, err := graph.New(cfg.Graph, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetParams(net); err != nil {
		t.Fatal(err)
	}
	want, err := Predict(tr.Net, d.Val.X, 8, 1, 9)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Predict(net, d.Val.X, 8, 1, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Mean) != 8 || !slices.Equal(got.Mean, want.Mean) || !slices.Equal(got.Q95, want.Q95) {
		t.Errorf("loaded model predicts %v, trainer %v", got.Mean, want.Mean)
	}
	c.Adam = false
	again, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.Restore(&c); err == nil || !strings.Contains(err.Error(), "resident") {
		t.Errorf("resume of the resident graph: %v", err)
	}
}

// stateTrainer is ckptTrainer's run (3 layers of 8, seed 7) on the
// resident graph or the host graph.
func stateTrainer(t *testing.T, dt tensor.Dtype, resident bool, epochs int) *Trainer {
	t.Helper()
	cfg := Config{Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: dt, Resident: resident}, Data: data.CurveConfig{N: 200}, Epochs: epochs, ReportEvery: 3, Seed: 7}
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

// savedAt runs tr to its last epoch and returns its checkpoint as written
// to a model file and read back.
func savedAt(t *testing.T, tr *Trainer) *modelfile.File {
	t.Helper()
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := tr.Checkpoint(ckptModel(1, 7), reports)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := modelfile.Write(path, f); err != nil {
		t.Fatal(err)
	}
	c, err := modelfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A resident run saved at epoch 5 (parameters, Adam's moments and step
// read back from the store, in the host graph's file) and resumed on the
// resident graph continues as one uninterrupted run of 10 epochs, bit for
// bit: the same training losses and parameters (float32 and float64). The
// file holds Adam's state like a host run's: adam_t and the epsilon draws
// at the epoch, a moment per learnable.
func TestResidentResume(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			one := stateTrainer(t, dt, true, 10)
			r1, err := one.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			c := savedAt(t, stateTrainer(t, dt, true, 5))
			if !c.Adam || !c.Resident || c.Model.Epoch != 5 {
				t.Fatalf("saved: adam %v, resident %v, epoch %d", c.Adam, c.Resident, c.Model.Epoch)
			}
			for _, name := range []string{"adam_t", "rng/eps_draws"} {
				if v, _ := c.Arrays[name].Data.([]int64); !slices.Equal(v, []int64{5}) {
					t.Errorf("%s = %v, want [5]", name, c.Arrays[name].Data)
				}
			}
			for _, p := range c.Params {
				if m := c.Arrays["adam/m/"+p].Floats(); len(m) == 0 || !slices.ContainsFunc(m, func(x float64) bool { return x != 0 }) {
					t.Errorf("adam/m/%s = %v", p, m)
				}
			}
			second := stateTrainer(t, dt, true, 10)
			before, err := second.Restore(c)
			if err != nil {
				t.Fatal(err)
			}
			r3, err := second.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(one.TrainLosses, second.TrainLosses) {
				t.Errorf("training losses\n%v, one run\n%v", second.TrainLosses, one.TrainLosses)
			}
			a, b := params(t, one), params(t, second)
			for i := range a {
				if !slices.Equal(a[i], b[i]) {
					t.Fatalf("parameter %d differs after resume", i)
				}
			}
			if all := append(before, r3...); !slices.Equal(all, r1) { // (the first run's last report, at 5, dropped: TestCheckpointResume)
				t.Errorf("reports %v, one run %v", all, r1)
			}
		})
	}
}

// A run saved by one graph resumes on the other (host → resident, resident
// → host): the parameters and Adam's moments the file holds are restored
// exactly (in the resident store, in the host Adam), Adam's step and the
// epsilon draws go on from the epoch, and since both graphs draw the same
// epsilon (one counter-based source) the resumed run follows the saving
// graph's uninterrupted run to float tolerance (the graphs' sums round
// differently).
func TestResumeAcrossGraphs(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		tol := residentTol
		if dt == tensor.Float32 {
			tol = 2e-4
		}
		for _, fromResident := range []bool{false, true} {
			name := dt.String() + map[bool]string{false: "/host to resident", true: "/resident to host"}[fromResident]
			t.Run(name, func(t *testing.T) {
				c := savedAt(t, stateTrainer(t, dt, fromResident, 5))
				to := stateTrainer(t, dt, !fromResident, 10)
				if _, err := to.Restore(c); err != nil {
					t.Fatal(err)
				}
				for i, p := range to.Net.Learnables() {
					got, _ := graph.Values(p)
					if !slices.Equal(got, c.Arrays[p.Name()].Floats()) {
						t.Fatalf("%s restored %v, file %v", p.Name(), got, c.Arrays[p.Name()].Floats())
					}
					var m, v []float64
					if st := to.Net.Store; st != nil {
						md, vd, err := st.Moments(to.Net.Params()[i])
						if err != nil {
							t.Fatal(err)
						}
						m, v = modelfile.Array{Data: md.Data()}.Floats(), modelfile.Array{Data: vd.Data()}.Floats()
					} else {
						m, v = modelfile.Array{Data: to.adam.m[i]}.Floats(), modelfile.Array{Data: to.adam.v[i]}.Floats()
					}
					if !slices.Equal(m, c.Arrays["adam/m/"+p.Name()].Floats()) || !slices.Equal(v, c.Arrays["adam/v/"+p.Name()].Floats()) {
						t.Fatalf("%s: moments restored %v %v, file %v %v", p.Name(), m, v, c.Arrays["adam/m/"+p.Name()].Floats(), c.Arrays["adam/v/"+p.Name()].Floats())
					}
				}
				// (Reports at 3 and 5; the one at 5 was the first run's last,
				// off the grid of 3: a run to 10 makes none there, so its
				// validation draw is taken again.)
				if to.Epoch() != 5 || to.Val.draws != 1 {
					t.Fatalf("restored at epoch %d, %d validation draws", to.Epoch(), to.Val.draws)
				}
				if !fromResident && (to.adam != nil || to.Net.Store.Step() != 0) {
					t.Fatalf("resident: host Adam %v, step %d before the first run", to.adam, to.Net.Store.Step())
				}
				if fromResident && (to.adam.t != 5 || to.epsDraws != 5) {
					t.Fatalf("host: Adam t %d, eps draws %d, want 5 and 5", to.adam.t, to.epsDraws)
				}
				if _, err := to.Run(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				if st := to.Net.Store; st != nil && st.Step() != 10 {
					t.Errorf("resident step after epoch 10: %d", st.Step())
				}
				one := stateTrainer(t, dt, fromResident, 10)
				if _, err := one.Run(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				for e, want := range one.TrainLosses {
					if got := to.TrainLosses[e]; !(math.Abs(got-want) <= tol*math.Abs(want)) {
						t.Fatalf("epoch %d: loss %v resumed on the other graph, %v in one run", e+1, got, want)
					}
				}
			})
		}
	}
}

// The resident graph's step is at once Adam's t and the epsilon draw: a
// file whose run took more steps or draws than epochs (minibatches,
// several draws per step) is refused, naming them.
func TestResidentResumeNeedsOneStepPerEpoch(t *testing.T) {
	c := savedAt(t, stateTrainer(t, tensor.Float32, false, 3))
	for _, name := range []string{"adam_t", "rng/eps_draws"} {
		bad := *c
		bad.Arrays = maps.Clone(c.Arrays)
		bad.Arrays[name] = modelfile.Array{Shape: []int{1}, Data: []int64{6}}
		_, err := stateTrainer(t, tensor.Float32, true, 6).Restore(&bad)
		if err == nil || !strings.Contains(err.Error(), "one step and one draw per epoch") {
			t.Errorf("%s 6 at epoch 3: %v", name, err)
		}
	}
}
