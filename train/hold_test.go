package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/parallel"
	"github.com/bbb-go/bbb/modelfile"
)

// PruneAndHold removes the lowest-SNR share (as Prune would) and the
// steps after it keep those weights at exactly zero in every draw: eps 0,
// mu 0, rho HeldRho after every update, full batch, minibatches, several
// draws per step, eps drawn ahead on a second worker, both dtypes, while
// every other weight trains.
func TestPruneAndHold(t *testing.T) {
	defer parallel.SetWorkers(1)
	for _, tc := range []struct {
		dt            tensor.Dtype
		hidden, batch int
		mc, workers   int
		frac          float64
	}{
		{dt: tensor.Float64, hidden: 8, frac: 0.5},
		{dt: tensor.Float32, hidden: 8, frac: 0.75},
		{dt: tensor.Float64, hidden: 8, batch: 20, frac: 0.5},
		{dt: tensor.Float32, hidden: 8, batch: 20, mc: 2, frac: 0.3},
		{dt: tensor.Float32, hidden: 8, mc: 3, frac: 0.9},
		{dt: tensor.Float64, hidden: 128, workers: 2, frac: 0.95}, // 16897 eps: drawn ahead
		{dt: tensor.Float32, hidden: 128, batch: 50, workers: 2, frac: 0.95},
	} {
		name := fmt.Sprintf("%v/hidden%d/batch%d/mc%d/workers%d/%v", tc.dt, tc.hidden, tc.batch, tc.mc, tc.workers, tc.frac)
		t.Run(name, func(t *testing.T) {
			parallel.SetWorkers(max(1, tc.workers))
			c := Config{Graph: graph.Config{Layers: 3, Hidden: tc.hidden, Dtype: tc.dt}, Data: data.CurveConfig{N: 200},
				Epochs: 3, ReportEvery: 3, Seed: 7, Batch: Batch{Size: tc.batch}, MCSamples: tc.mc, LearningRate: 0.05}
			tr, _ := newTestTrainer(t, c)
			if _, err := tr.Run(context.Background(), nil); err != nil { // a trained start, as from a saved model
				t.Fatal(err)
			}
			snr, err := WeightSNR(tr.Net)
			if err != nil {
				t.Fatal(err)
			}
			tr.Config.Epochs = 6
			removed, thr, err := tr.PruneAndHold(tc.frac)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(math.Round(tc.frac * float64(len(snr)))); removed != want || tr.Kept() != len(snr)-want {
				t.Fatalf("removed %d, kept %d of %d weights, want %d removed", removed, tr.Kept(), len(snr), want)
			}
			held := make([]bool, len(snr))
			for i, s := range snr {
				held[i] = s <= thr
			}
			if n := count(held); n != removed {
				t.Fatalf("%d weights of SNR <= threshold %v, %d removed", n, thr, removed)
			}
			before := weights(t, tr.Net)
			if _, err := tr.Run(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			after := weights(t, tr.Net)
			eps := flat(t, tr.Net, func(l *graph.Layer) *tensor.Dense { return l.WEps.Value().(*tensor.Dense) })
			var moved int
			for i := range held {
				if held[i] {
					if after.mu[i] != 0 || after.rho[i] != HeldRho || eps[i] != 0 {
						t.Fatalf("held weight %d: mu %v, rho %v, eps of the last run %v; want 0, %v, 0", i, after.mu[i], after.rho[i], eps[i], HeldRho)
					}
					continue
				}
				if after.mu[i] != before.mu[i] {
					moved++
				}
			}
			if moved < (len(held)-removed)/2 {
				t.Errorf("only %d of %d kept weights' means moved in 3 epochs", moved, len(held)-removed)
			}
			if nz := len(held) - removed - countZero(eps, held); nz < (len(held)-removed)/2 {
				t.Errorf("only %d kept weights drew a nonzero eps", nz)
			}
			for _, loss := range tr.TrainLosses {
				if math.IsNaN(loss) || math.IsInf(loss, 0) {
					t.Fatalf("losses %v", tr.TrainLosses)
				}
			}
			// The kept weights' SNRs are all above the held ones' (0): the
			// same share pruned again removes exactly the held weights.
			again, _, err := lowestSNR(tr.Net, tc.frac)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range again {
				if !held[i] {
					t.Fatalf("pruning the retrained network again removes weight %d, which was kept", i)
				}
			}
		})
	}
}

func TestPruneAndHoldErrors(t *testing.T) {
	base := Config{Graph: graph.Config{Layers: 2, Hidden: 4}, Data: data.CurveConfig{N: 40}, Epochs: 2, ReportEvery: 1, Samples: 2, Seed: 1}
	local := base
	local.Graph.KL, local.Graph.Estimator = graph.KLClosed, graph.LocalReparam
	for _, tc := range []struct {
		name string
		c    Config
		frac float64
		want string
	}{
		{"local reparameterisation", local, 0.5, "local reparameterisation"},
		{"fraction 0", base, 0, "fraction 0"},
		{"fraction 1", base, 1, "fraction 1"},
		{"fraction NaN", base, math.NaN(), "fraction NaN"},
	} {
		tr, _ := newTestTrainer(t, tc.c)
		_, _, err := tr.PruneAndHold(tc.frac)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
		if tr.held != nil || tr.Kept() != 4+4*1 {
			t.Errorf("%s: a failed PruneAndHold holds weights (kept %d of 8)", tc.name, tr.Kept())
		}
	}
}

type muRho struct{ mu, rho []float64 }

func weights(t *testing.T, n *graph.Network) muRho {
	t.Helper()
	return muRho{
		flat(t, n, func(l *graph.Layer) *tensor.Dense { return l.WMu.Value().(*tensor.Dense) }),
		flat(t, n, func(l *graph.Layer) *tensor.Dense { return l.WRho.Value().(*tensor.Dense) }),
	}
}

// flat is a float64 copy of one weight tensor of every layer, in
// WeightSNR's order.
func flat(t *testing.T, n *graph.Network, of func(*graph.Layer) *tensor.Dense) []float64 {
	t.Helper()
	var out []float64
	for _, l := range n.Layers {
		v, err := graph.ValueFloats(of(l))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v...)
	}
	return out
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// countZero counts the zeros of v where skip is false.
func countZero(v []float64, skip []bool) int {
	n := 0
	for i, x := range v {
		if !skip[i] && x == 0 {
			n++
		}
	}
	return n
}

// A model saved from a held run (bbb train --from pruned.npz, no --prune)
// trains on with its pruned weights held: freed, their sigma 1.8e-35 gives
// NaN at the first step in float32. PruneAndHold on top keeps them held
// whatever share it is given.
func TestHoldSaved(t *testing.T) {
	c := Config{Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: tensor.Float32}, Data: data.CurveConfig{N: 200},
		Epochs: 3, ReportEvery: 3, Seed: 7, LearningRate: 0.05}
	first, _ := newTestTrainer(t, c)
	if _, err := first.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := first.PruneAndHold(0.5); err != nil {
		t.Fatal(err)
	}
	first.Config.Epochs = 6
	if _, err := first.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	arrays, err := first.Checkpoint(ckptModel(1, 7), nil)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/held.npz"
	if err := modelfile.Write(path, arrays); err != nil {
		t.Fatal(err)
	}
	saved, err := modelfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	wasHeld := weights(t, first.Net)
	heldAt := func(w muRho) []bool {
		h := make([]bool, len(w.mu))
		for i := range h {
			h[i] = w.mu[i] == 0 && w.rho[i] == HeldRho
		}
		return h
	}
	want := heldAt(wasHeld)
	if n := count(want); n != first.Kept() {
		t.Fatalf("%d weights marked held, %d kept of %d", n, first.Kept(), len(want))
	}
	continued := func(t *testing.T, cfg Config) *Trainer {
		t.Helper()
		tr, _ := newTestTrainer(t, cfg)
		if err := saved.SetParams(tr.Net); err != nil {
			t.Fatal(err)
		}
		return tr
	}

	t.Run("held on", func(t *testing.T) {
		tr := continued(t, c)
		n, err := tr.HoldSaved()
		if err != nil || n != count(want) || tr.Kept() != len(want)-n {
			t.Fatalf("HoldSaved: %d, %v; kept %d; want %d held", n, err, tr.Kept(), count(want))
		}
		if _, err := tr.Run(context.Background(), nil); err != nil {
			t.Fatalf("%v (losses %v)", err, tr.TrainLosses)
		}
		if got := heldAt(weights(t, tr.Net)); !slices.Equal(got, want) {
			t.Errorf("after training, the held weights are not the saved ones (%d held, want %d)", count(got), count(want))
		}
		// A smaller share pruned on top keeps every held weight held.
		removed, _, err := tr.PruneAndHold(0.1)
		if err != nil || removed != count(want) || tr.Kept() != len(want)-removed {
			t.Errorf("PruneAndHold(0.1) after HoldSaved: %d removed, %v; want the %d held", removed, err, count(want))
		}
	})
	t.Run("freed diverges", func(t *testing.T) { // why HoldSaved is needed
		tr := continued(t, c)
		if _, err := tr.Run(context.Background(), nil); err == nil {
			t.Skipf("the freed weights trained without NaN (losses %v)", tr.TrainLosses)
		}
	})
	t.Run("none saved", func(t *testing.T) {
		tr, _ := newTestTrainer(t, c)
		if n, err := tr.HoldSaved(); n != 0 || err != nil || tr.held != nil {
			t.Errorf("a fresh model: HoldSaved %d, %v, held %v; want none", n, err, tr.held)
		}
		// Only both marks together are a held weight: mu 0 alone, rho
		// HeldRho alone are not.
		if err := setWeights(tr.Net, []int{0}, 0, -5); err != nil {
			t.Fatal(err)
		}
		if err := setWeights(tr.Net, []int{1}, 0.3, HeldRho); err != nil {
			t.Fatal(err)
		}
		if n, err := tr.HoldSaved(); n != 0 || err != nil || tr.held != nil {
			t.Errorf("mu 0 or rho HeldRho alone: HoldSaved %d, %v, held %v; want none", n, err, tr.held)
		}
	})
	t.Run("local reparameterisation", func(t *testing.T) {
		local := c
		local.Graph.KL, local.Graph.Estimator = graph.KLClosed, graph.LocalReparam
		tr := continued(t, local)
		if n, err := tr.HoldSaved(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d pruned weights", count(want))) || tr.held != nil {
			t.Errorf("HoldSaved with local reparameterisation: %d, %v; want an error naming the count", n, err)
		}
	})
}

// On the resident graph the store holds the pruned weights (mu 0 and rho
// HeldRho after every update, epsilon 0 in every draw: nodes.ParamStore.Hold):
// a host run of 3 epochs, saved and resumed on the resident graph and on
// the host graph, pruned and held there (the same weights: the same
// parameters), trains 3 more epochs with the held weights exactly fixed
// after every step, and the two agree on every loss, parameter and moment
// to float tolerance (the same epsilon, one counter-based source).
// HoldSaved then finds them in the resident network too.
func TestPruneAndHoldResident(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := residentTol
			if dt == tensor.Float32 {
				tol = 2e-4
			}
			saved := savedAt(t, stateTrainer(t, dt, false, 3))
			var trs [2]*Trainer // host, resident
			var removed [2]int
			for k := range trs {
				tr := stateTrainer(t, dt, k == 1, 6)
				tr.Config.ReportEvery = 1 // the resident host tensors pulled every step
				if _, err := tr.Restore(saved); err != nil {
					t.Fatal(err)
				}
				var err error
				if removed[k], _, err = tr.PruneAndHold(0.5); err != nil {
					t.Fatal(err)
				}
				trs[k] = tr
			}
			host, res := trs[0], trs[1]
			if removed[0] != removed[1] || !slices.EqualFunc(host.held, res.held, slices.Equal[[]int]) {
				t.Fatalf("held %d weights on the host, %d on the resident graph", removed[0], removed[1])
			}
			held := make([]bool, 0)
			for i, l := range res.Net.Layers {
				layer := make([]bool, l.WMu.Shape().TotalSize())
				for _, j := range res.held[i] {
					layer[j] = true
				}
				held = append(held, layer...)
			}
			kept := learnedWeights(t, res.Net)
			for step := 4; step <= 6; step++ {
				lh, err := host.Step()
				if err != nil {
					t.Fatal(err)
				}
				lr, err := res.Step()
				if err != nil {
					t.Fatal(err)
				}
				if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
					t.Fatalf("step %d: loss resident %v, host %v", step, lr, lh)
				}
				w := learnedWeights(t, res.Net)
				moved := 0
				for i := range held {
					if held[i] && (w.mu[i] != 0 || w.rho[i] != HeldRho) {
						t.Fatalf("step %d: held weight %d: mu %v, rho %v; want 0, %v exactly", step, i, w.mu[i], w.rho[i], HeldRho)
					}
					if !held[i] && w.mu[i] != kept.mu[i] {
						moved++
					}
				}
				if moved < (len(held)-removed[1])/2 {
					t.Fatalf("step %d: only %d kept weights moved", step, moved)
				}
				kept = w
			}
			if err := res.Net.Store.ReadBack(); err != nil {
				t.Fatal(err)
			}
			for i, p := range host.Net.Learnables() {
				want, _ := graph.Values(p)
				got, _ := graph.Values(res.Net.Learnables()[i])
				m, v, err := res.Net.Store.Moments(res.Net.Params()[i])
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					what      string
					got, want []float64
				}{
					{"value", got, want},
					{"m", modelfile.Array{Data: m.Data()}.Floats(), modelfile.Array{Data: host.adam.m[i]}.Floats()},
					{"v", modelfile.Array{Data: v.Data()}.Floats(), modelfile.Array{Data: host.adam.v[i]}.Floats()},
				} {
					for j := range c.want {
						// A held weight's moments are unused (its values are put
						// back): the host's float32 gradient of them is NaN (its
						// sigma² is 0 in float32), the resident KLTerm's finite.
						if c.what != "value" && i%4 < 2 && i/4 < len(res.held) && slices.Contains(res.held[i/4], j) {
							continue
						}
						if !(math.Abs(c.got[j]-c.want[j]) <= tol*(1e-3+math.Abs(c.want[j]))) {
							t.Fatalf("%s[%d] %s: resident %v, host %v", p.Name(), j, c.what, c.got[j], c.want[j])
						}
					}
				}
			}
			again := stateTrainer(t, dt, true, 6)
			if err := saved.SetParams(again.Net); err != nil {
				t.Fatal(err)
			}
			if err := setWeights(again.Net, []int{0, 5}, 0, HeldRho); err != nil {
				t.Fatal(err)
			}
			if n, err := again.HoldSaved(); n != 2 || err != nil || !slices.Equal(again.held[0], []int{0, 5}) {
				t.Errorf("HoldSaved on the resident graph: %d, %v, held %v", n, err, again.held)
			}
		})
	}
}

// learnedWeights is weights from the learnables (a resident network's
// host copies: its Layers hold the Param nodes).
func learnedWeights(t *testing.T, n *graph.Network) muRho {
	t.Helper()
	var w muRho
	for i := range n.Layers {
		lp, err := n.LayerParams(i)
		if err != nil {
			t.Fatal(err)
		}
		mu, _ := graph.Values(lp.WMu)
		rho, _ := graph.Values(lp.WRho)
		w.mu, w.rho = append(w.mu, mu...), append(w.rho, rho...)
	}
	return w
}
