package train

import (
	"context"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/internal/parallel"
	"github.com/bbb-go/bbb/modelfile"
)

func TestAheadWorthIt(t *testing.T) {
	for _, tc := range []struct {
		workers, n int
		want       bool
	}{
		{1, 1 << 20, false}, {2, 1 << 20, true}, {3, 1 << 20, true},
		{2, parallel.MinChunk - 1, false}, {2, parallel.MinChunk, true},
	} {
		if got := aheadWorthIt(tc.workers, tc.n); got != tc.want {
			t.Errorf("aheadWorthIt(%d, %d) = %v", tc.workers, tc.n, got)
		}
	}
}

// Epsilon drawn ahead on a second worker are the draws of one worker:
// the same losses, parameters and checkpointed eps state (a checkpoint
// taken with a fill in flight), full batch and minibatches, and a run
// resumed from that checkpoint continues as the uninterrupted run did.
func TestEpsAheadSameNumbers(t *testing.T) {
	defer parallel.SetWorkers(1)
	for _, batch := range []int{0, 100} {
		// 16897 epsilon values: worth drawing ahead.
		c := Config{Graph: graph.Config{Layers: 3, Hidden: 128, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 300},
			Epochs: 4, ReportEvery: 2, Seed: 5, Batch: Batch{Size: batch}}
		type result struct {
			losses []float64
			params [][]float64
			ckpt   map[string]npz.Array
		}
		var runs []result
		for _, workers := range []int{1, 2} {
			parallel.SetWorkers(workers)
			tr, _ := newTestTrainer(t, c)
			if _, err := tr.Run(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if inFlight := tr.ahead.done != nil; inFlight != (workers == 2) {
				t.Fatalf("batch %d, %d workers: a fill in flight after the run: %v", batch, workers, inFlight)
			}
			f, err := tr.Checkpoint(ckptModel(1, 5), nil)
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, result{slices.Clone(tr.TrainLosses), params(t, tr), npzOf(t, f)})
		}
		// The first step already leaves the next draw in flight.
		parallel.SetWorkers(2)
		first, _ := newTestTrainer(t, c)
		if _, err := first.Step(); err != nil {
			t.Fatal(err)
		}
		if first.ahead.done == nil {
			t.Errorf("batch %d: no fill in flight after the first step with two workers", batch)
		}
		one, two := runs[0], runs[1]
		if !slices.Equal(one.losses, two.losses) {
			t.Errorf("batch %d: losses %v with one worker, %v with two", batch, one.losses, two.losses)
		}
		for i := range one.params {
			if !slices.Equal(one.params[i], two.params[i]) {
				t.Errorf("batch %d: parameter %d differs", batch, i)
			}
		}
		if a, b := one.ckpt["rng/eps_draws"].Data.([]int64), two.ckpt["rng/eps_draws"].Data.([]int64); !slices.Equal(a, b) {
			t.Errorf("batch %d: checkpointed eps state %x with one worker, %x with two", batch, a, b)
		}

		parallel.SetWorkers(2)
		c.Epochs = 6
		whole, _ := newTestTrainer(t, c)
		if _, err := whole.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		cp, err := modelfile.Parse(encodeNpz(t, two.ckpt))
		if err != nil {
			t.Fatal(err)
		}
		resumed, _ := newTestTrainer(t, c)
		if _, err := resumed.Restore(cp); err != nil {
			t.Fatal(err)
		}
		if _, err := resumed.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(whole.TrainLosses, resumed.TrainLosses) {
			t.Errorf("batch %d: resumed losses %v, one run %v", batch, resumed.TrainLosses, whole.TrainLosses)
		}
	}
}

// The draw filled ahead is the next run's, and the next run uses it (not
// a fresh fill of the same numbers): a fill made ahead and then poisoned
// shows up in the graph's eps nodes.
func TestEpsAheadIsUsed(t *testing.T) {
	defer parallel.SetWorkers(1)
	parallel.SetWorkers(2)
	c := Config{Graph: graph.Config{Layers: 3, Hidden: 128, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 300},
		Epochs: 4, ReportEvery: 2, Seed: 5}
	tr, _ := newTestTrainer(t, c)
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	a := &tr.ahead
	if a.done == nil {
		t.Fatal("no fill in flight after a step with two workers")
	}
	<-a.done
	if a.draw != tr.epsDraws+1 {
		t.Fatalf("the fill ahead holds draw %d, want the next, %d", a.draw, tr.epsDraws+1)
	}
	for _, d := range a.next {
		for i := range d.Data().([]float64) {
			d.Data().([]float64)[i] = 42
		}
	}
	done := make(chan struct{})
	close(done)
	a.done = done // (already waited for)
	if err := tr.fillEps(); err != nil {
		t.Fatal(err)
	}
	for _, e := range tr.Net.Eps() {
		v, err := graph.Values(e)
		if err != nil {
			t.Fatal(err)
		}
		if v[0] != 42 || v[len(v)-1] != 42 {
			t.Fatalf("%s holds %v ... %v: the fill made ahead was not used", e.Name(), v[0], v[len(v)-1])
		}
	}
	tr.settleEps()
}
