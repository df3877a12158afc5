package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// blobsTrained trains blobConfig's classifier (the paper's MNIST model:
// mixture prior, minibatches, the KL per minibatch) for 6 epochs, on the
// resident graph or the host's.
func blobsTrained(t *testing.T, dt tensor.Dtype, resident bool) (*Trainer, data.Set) {
	t.Helper()
	cfg := blobConfig()
	cfg.Graph.Dtype, cfg.Epochs, cfg.Graph.Resident = dt, 6, resident
	set := data.Set{Train: blobs(96, 1), Val: blobs(30, 2)}
	tr, err := NewTrainer(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return tr, set
}

func classify(t *testing.T, net *graph.Network, x []float64, rows, samples int, seed uint64, posteriorMean bool) (mean, first []float64, cl *Classifier) {
	t.Helper()
	cl, err := NewClassifier(net, rows)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	cl.PosteriorMean = posteriorMean
	mean, first, err = cl.Probs(net, x, samples, seed)
	if err != nil {
		t.Fatal(err)
	}
	return mean, first, cl
}

// A resident classifier trains as the host one does: the same seed gives
// the same posterior, seen through the class probabilities at its means.
func TestResidentClassifierTrainsAsHost(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			host, set := blobsTrained(t, dt, false)
			res, _ := blobsTrained(t, dt, true)
			hp, _, _ := classify(t, host.Net, set.Val.X, set.Val.Len(), 4, 9, true)
			rp, _, _ := classify(t, res.Net, set.Val.X, set.Val.Len(), 4, 9, true)
			tol := 1e-9
			if dt == tensor.Float32 {
				tol = 2e-4
			}
			for i := range hp {
				if !(math.Abs(hp[i]-rp[i]) <= tol) {
					t.Fatalf("probability %d: resident %v, host %v (tolerance %g)", i, rp[i], hp[i], tol)
				}
			}
		})
	}
}

// A resident classifier's draws are scored K at a time by one graph whose
// SoftmaxDraws node sums their probabilities. With the bound lowered to
// 2.4 passes of 20 rows × 16 units (K = 2), 6 draws go as 3 runs, in chunks of
// 20 rows (the second one 10 rows and padding), and give what the
// documented plan gives computed here from the predictive graph's logits
// over all 30 rows at once: run r at step r of the stream (seed,
// streamClassify), draw s = r·K + j. A second call with 3 draws (K = 1)
// builds its own graph and gives what a new classifier gives.
func TestResidentClassifierBatchedRuns(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			tr, set := blobsTrained(t, dt, true)
			c := tr.Net.Config
			const samples, k, chunk, seed = 6, 2, 20, 5
			old := predictBatchElements
			predictBatchElements = 12 * chunk * c.Hidden / 5 // 2.4 passes of 20 rows × 16 units: K = 2
			defer func() { predictBatchElements = old }()
			mean, first, cl := classify(t, tr.Net, set.Val.X, chunk, samples, seed, false)
			if cl.pred == nil || cl.pred.net.Samples != k || cl.pred.net.Rows != chunk {
				t.Fatalf("predictive graph %+v, want K = %d, %d rows", cl.pred, k, chunk)
			}
			again, _, err := cl.Probs(tr.Net, set.Val.X, 3, seed)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _, _ := classify(t, tr.Net, set.Val.X, chunk, 3, seed, false)
			if cl.pred.net.Samples != 1 || !slices.Equal(again, fresh) {
				t.Fatalf("3 draws after 6: K = %d, probabilities %v; a new classifier's %v", cl.pred.net.Samples, again[:3], fresh[:3])
			}

			n, classes := set.Val.Len(), c.Classes
			net, err := graph.NewPredictive(c, n, k)
			if err != nil {
				t.Fatal(err)
			}
			if err := net.CopyParams(tr.Net); err != nil {
				t.Fatal(err)
			}
			net.Store.Seed = philoxSeed(seed, streamClassify)
			if err := graph.SetValues(net.X, set.Val.X); err != nil {
				t.Fatal(err)
			}
			net.ReloadInputs()
			var out G.Value
			G.Read(readable(net.Output), &out)
			vm := G.NewTapeMachine(net.Graph)
			defer vm.Close()
			wantMean, wantFirst := make([]float64, n*classes), make([]float64, n*classes)
			logp := make([]float64, n*classes)
			for r := 0; r < samples/k; r++ {
				if err := net.SetStep(uint64(r)); err != nil {
					t.Fatal(err)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				z, err := graph.ValueFloats(out)
				if err != nil {
					t.Fatal(err)
				}
				vm.Reset()
				for j := 0; j < k; j++ { // z is (K, n, classes)
					nodes.LogSoftmax(z[j*n*classes:(j+1)*n*classes], classes, logp)
					for i, lp := range logp {
						wantMean[i] += math.Exp(lp) / samples
						if r == 0 && j == 0 {
							wantFirst[i] = math.Exp(lp)
						}
					}
				}
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			for i := range wantMean {
				if !(math.Abs(mean[i]-wantMean[i]) <= tol) || !(math.Abs(first[i]-wantFirst[i]) <= tol) {
					t.Fatalf("probability %d: mean %v, first draw %v; want %v, %v", i, mean[i], first[i], wantMean[i], wantFirst[i])
				}
			}
		})
	}
}

// The resident scores (Philox draws, K a run) and the host's (PCG draws,
// one a pass) estimate the same mean softmax: with 400 draws each they
// differ by Monte Carlo error only (a few hundredths at most here).
func TestResidentClassifierAgreesInDistribution(t *testing.T) {
	host, set := blobsTrained(t, tensor.Float64, false)
	res, _ := blobsTrained(t, tensor.Float64, true)
	hp, _, _ := classify(t, host.Net, set.Val.X, set.Val.Len(), 400, 11, false)
	rp, _, _ := classify(t, res.Net, set.Val.X, set.Val.Len(), 400, 11, false)
	var worst float64
	for i := range hp {
		worst = math.Max(worst, math.Abs(hp[i]-rp[i]))
	}
	if !(worst <= 0.05) {
		t.Errorf("largest difference of a class probability, resident against host: %v (want <= 0.05)", worst)
	}
	t.Logf("largest difference: %.4f", worst)
}

func TestDrawsPerRun(t *testing.T) {
	for _, c := range []struct{ samples, limit, want int }{
		{10, 100, 10}, {10, 10, 10}, {10, 9, 5}, {10, 4, 2}, {7, 6, 1}, {12, 5, 4}, {1, 1, 1}, {6, 1, 1},
	} {
		if got := drawsPerRun(c.samples, c.limit); got != c.want {
			t.Errorf("drawsPerRun(%d, %d) = %d, want %d", c.samples, c.limit, got, c.want)
		}
	}
}

// A cancelled context stops the resident scoring between runs.
func TestResidentClassifierCancelled(t *testing.T) {
	tr, set := blobsTrained(t, tensor.Float64, true)
	cl, err := NewClassifier(tr.Net, set.Val.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cl.Ctx = ctx
	if _, _, err := cl.Probs(tr.Net, set.Val.X, 4, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// K is bounded by the larger of a pass's activations (rows × width) and a
// layer's weights (hidden × width): with the bound 2.4 times the larger,
// 6 draws go 2 a run whichever of the two it is.
func TestResidentClassifierDrawsBound(t *testing.T) {
	tr, set := blobsTrained(t, tensor.Float64, true)
	if c := tr.Net.Config; c.Hidden != 16 || max(c.Inputs, c.Outputs) > 16 {
		t.Fatalf("blobConfig: %d units, %d inputs, %d outputs: the cases assume width 16", c.Hidden, c.Inputs, c.Outputs)
	}
	old := predictBatchElements
	defer func() { predictBatchElements = old }()
	for _, tc := range []struct{ rows, larger int }{
		{20, 20 * 16}, // activations
		{7, 16 * 16},  // weights
	} {
		predictBatchElements = 12 * tc.larger / 5
		_, _, cl := classify(t, tr.Net, set.Val.X, tc.rows, 6, 1, false)
		if cl.pred.net.Samples != 2 {
			t.Errorf("chunks of %d rows, bound %d: K = %d, want 2", tc.rows, predictBatchElements, cl.pred.net.Samples)
		}
	}
}
