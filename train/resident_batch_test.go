package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// The resident trainer takes minibatches (gathered on the device by the
// host's permutation, the KL weight a store scalar), several draws per
// step (their gradients summed in the store, Adam at the last) and a
// learning-rate schedule (Adam's rate per step) as the host trainer does:
// the same seed gives the same loss and every parameter after every epoch.
func TestResidentBatchTrainerMatchesHost(t *testing.T) {
	for _, c := range []struct {
		name     string
		dt       tensor.Dtype
		batch    Batch
		mc       int
		schedule LRSchedule
	}{
		{"batch f64", tensor.Float64, Batch{Size: 32}, 0, LRSchedule{}},
		{"batch f32", tensor.Float32, Batch{Size: 32}, 0, LRSchedule{}},
		{"blundell f64", tensor.Float64, Batch{Size: 25, Weighting: Blundell}, 0, LRSchedule{}},
		{"mc f64", tensor.Float64, Batch{}, 2, LRSchedule{}},
		{"mc f32", tensor.Float32, Batch{}, 3, LRSchedule{}},
		{"batch mc f32", tensor.Float32, Batch{Size: 20}, 2, LRSchedule{}},
		{"schedule f64", tensor.Float64, Batch{}, 0, LRSchedule{Milestones: []int{2, 4}, Gamma: 0.3}},
		{"schedule f32", tensor.Float32, Batch{}, 0, LRSchedule{Milestones: []int{2, 4}, Gamma: 0.3}},
		{"all f64", tensor.Float64, Batch{Size: 30}, 2, LRSchedule{Milestones: []int{3}, Gamma: 0.5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{Graph: graph.Config{Dtype: c.dt, Layers: 3, Hidden: 8}, Data: data.CurveConfig{N: 100}, Epochs: 5, ReportEvery: 1,
				Samples: 50, Seed: 3, LearningRate: 0.05, Batch: c.batch, MCSamples: c.mc, LRSchedule: c.schedule}
			tol := residentTol
			if c.dt == tensor.Float32 {
				tol = 2e-4
			}
			d, err := data.MakeCurve(cfg.Data, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			host, err := NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer host.Close()
			cfg.Graph.Resident = true
			res, err := NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			for epoch := 1; epoch <= cfg.Epochs; epoch++ {
				lh, err := host.Step()
				if err != nil {
					t.Fatal(err)
				}
				lr, err := res.Step()
				if err != nil {
					t.Fatal(err)
				}
				if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
					t.Fatalf("epoch %d: loss resident %v, host %v", epoch, lr, lh)
				}
				for i, p := range host.Net.Learnables() {
					want, _ := graph.Values(p)
					got, _ := graph.Values(res.Net.Learnables()[i])
					for j := range want {
						if !(math.Abs(got[j]-want[j]) <= tol*(1+math.Abs(want[j]))) {
							t.Fatalf("epoch %d: %s[%d]: resident %v, host %v", epoch, p.Name(), j, got[j], want[j])
						}
					}
				}
			}
			if res.multi == nil {
				return // one run per epoch: the epoch is the counter
			}
			steps := 1
			if c.batch.Size > 0 {
				steps = d.Train.Len() / c.batch.Size
			}
			if want := uint64(cfg.Epochs * steps * max(1, c.mc)); res.epsDraws != want || host.epsDraws != want {
				t.Errorf("epsilon draws: resident %d, host %d, want epochs × steps × draws = %d", res.epsDraws, host.epsDraws, want)
			}
		})
	}
}

// A resident minibatch run goes through Run: reports every epoch, the loss
// per point over the points an epoch uses, and Run stops on its context
// between minibatches, leaving the epoch undone.
func TestResidentBatchRun(t *testing.T) {
	cfg := Config{Graph: graph.Config{Layers: 2, Hidden: 8, Resident: true}, Data: data.CurveConfig{N: 100}, Epochs: 3, ReportEvery: 1,
		Samples: 50, Seed: 5, Batch: Batch{Size: 30}, MCSamples: 2}
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if want := d.Train.Len() / 30 * 30; tr.trainLen != want {
		t.Errorf("points per epoch %d, want %d (whole batches of 30)", tr.trainLen, want)
	}
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 3 || len(tr.TrainLosses) != 3 {
		t.Fatalf("reports %+v, losses %v", reports, tr.TrainLosses)
	}
	for _, r := range reports {
		if !(r.TrainLoss > 0) || math.IsInf(r.TrainLoss, 0) {
			t.Errorf("report %+v", r)
		}
	}
	tr2, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tr2.Run(ctx, nil); err == nil || tr2.Epoch() != 0 {
		t.Errorf("cancelled run: err %v, epoch %d", err, tr2.Epoch())
	}
}

// The resident trainer gathers each epoch's minibatches by the host
// trainer's permutation: the shuffle of streamShuffle of the seed, one per
// epoch, uploaded to the store.
func TestResidentBatchPermutationIsHosts(t *testing.T) {
	cfg := Config{Graph: graph.Config{Layers: 2, Hidden: 4, Resident: true}, Data: data.CurveConfig{N: 100}, Epochs: 3, ReportEvery: 1,
		Samples: 50, Seed: 9, Batch: Batch{Size: 16}}
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	host := rand.New(rand.NewPCG(cfg.Seed, streamShuffle))
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		if got, want := tr.Net.Store.Permutation(), host.Perm(d.Train.Len()); !slices.Equal(got, want) {
			t.Fatalf("epoch %d: permutation %v, the host's %v", epoch, got, want)
		}
	}
}

// A resident epoch of minibatches and draws pulls the parameters back at
// its last run, at report epochs and the last epoch only; a failed run
// names its epoch and minibatch and ends the epoch there.
func TestResidentBatchPullsAndFails(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Data.N, cfg.Batch.Size, cfg.MCSamples = 100, 20, 2 // 80 training points: 4 steps of 2 runs
	cfg.Epochs, cfg.ReportEvery = 5, 2
	tr, spy := spyOn(t, cfg)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(spy.pulls) != "[16 32 40]" || spy.runs != 40 {
		t.Errorf("%d runs, pulls at runs %v, want [16 32 40] of 40", spy.runs, spy.pulls)
	}
	if tr.logReads != 5 { // each read waits for the device: one an epoch
		t.Errorf("%d reads of the loss log in 5 epochs, want 5", tr.logReads)
	}
	tr, spy = spyOn(t, cfg)
	spy.failAt = 8 + 6 // epoch 2, step 3, its second draw
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	_, err := tr.Step()
	if err == nil || !contains(err.Error(), "epoch 2, step 3: planted failure") || spy.runs != 14 || tr.Epoch() != 1 {
		t.Errorf("err %v after %d runs, epoch %d", err, spy.runs, tr.Epoch())
	}
}

// A NaN in the data makes a resident epoch's loss NaN: ErrDiverged naming
// the epoch, with minibatches and with draws.
func TestResidentBatchDivergence(t *testing.T) {
	for _, multi := range []struct{ batch, draws int }{{0, 2}, {20, 0}} {
		cfg := tinyConfig(tensor.Float32, true)
		cfg.Batch.Size, cfg.MCSamples = multi.batch, multi.draws
		d, _ := data.MakeCurve(cfg.Data, cfg.Seed)
		d.Train.Y[5] = math.NaN()
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		_, err = tr.Run(context.Background(), nil)
		if !errors.Is(err, ErrDiverged) || !contains(err.Error(), "at epoch 1:") {
			t.Errorf("%+v: err %v, want ErrDiverged at epoch 1", multi, err)
		}
		if len(tr.TrainLosses) != 1 || !math.IsNaN(tr.TrainLosses[0]) {
			t.Errorf("%+v: training losses %v, want [NaN]", multi, tr.TrainLosses)
		}
	}
}

// An epoch of more runs than the store's loss log holds (and one flush
// more) reads the log as it goes, every LossFlush runs: the epoch's loss
// is the host trainer's.
func TestResidentBatchLongEpoch(t *testing.T) {
	cfg := Config{Graph: graph.Config{Layers: 1, Hidden: 2, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 2800}, Epochs: 1, ReportEvery: 1,
		Samples: 10, Seed: 4, Batch: Batch{Size: 1}, MCSamples: 2} // 2240 steps of 2 draws: 4480 runs
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if runs := d.Train.Len() * 2; runs <= LossFlush+nodes.LossLogLen {
		t.Fatalf("%d runs: not over one flush and the log's %d", runs, nodes.LossLogLen)
	}
	host, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	cfg.Graph.Resident = true
	res, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	lh, err := host.Step()
	if err != nil {
		t.Fatal(err)
	}
	lr, err := res.Step()
	if err != nil {
		t.Fatal(err)
	}
	if !(math.Abs(lr-lh) <= residentTol*math.Abs(lh)) {
		t.Errorf("epoch loss resident %v, host %v", lr, lh)
	}
	if runs, want := d.Train.Len()*2, d.Train.Len()*2/LossFlush+1; res.logReads != want {
		t.Errorf("%d reads of the loss log in %d runs, want %d (every %d and the last)", res.logReads, runs, want, LossFlush)
	}
}
