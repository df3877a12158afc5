package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// Tests of issue 11: each fails on a bug that once survived go test ./...

// tinyConfig is a fast run: 2 layers of 6, 300 points.
func tinyConfig(dt tensor.Dtype, resident bool) Config {
	return Config{
		Graph:  graph.Config{Layers: 2, Hidden: 6, Dtype: dt, Resident: resident},
		Data:   data.CurveConfig{N: 300},
		Epochs: 10, ReportEvery: 5, Samples: 10, Seed: 5,
	}
}

func forEachKind(t *testing.T, f func(t *testing.T, dt tensor.Dtype, resident bool)) {
	for _, resident := range []bool{false, true} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%v/resident=%v", dt, resident), func(t *testing.T) { f(t, dt, resident) })
		}
	}
}

// A report at every multiple of ReportEvery and one at the last epoch,
// also when the last is not a multiple (or comes before the first multiple).
func TestRunReportsLastEpoch(t *testing.T) {
	for _, c := range []struct {
		epochs, every int
		want          []int
	}{
		{30, 40, []int{30}},
		{12, 5, []int{5, 10, 12}},
		{10, 5, []int{5, 10}},
	} {
		cfg := tinyConfig(tensor.Float32, false)
		cfg.Epochs, cfg.ReportEvery = c.epochs, c.every
		tr, _, reports := trainedReports(t, cfg, nil)
		var got []int
		for _, r := range reports {
			got = append(got, r.Epoch)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("epochs %d, report every %d: reports at %v, want %v", c.epochs, c.every, got, c.want)
		}
		if len(tr.TrainLosses) != c.epochs {
			t.Errorf("%d training losses, want %d", len(tr.TrainLosses), c.epochs)
		}
	}
}

// A NaN validation target makes the validation loss NaN: the run stops at
// the first report with ErrDiverged naming the validation loss.
func TestValidationDivergenceIsReported(t *testing.T) {
	for _, resident := range []bool{false, true} {
		cfg := tinyConfig(tensor.Float32, resident)
		d, err := data.MakeCurve(cfg.Data, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		d.Val.Y[3] = math.NaN()
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		reports, err := tr.Run(context.Background(), nil)
		tr.Close()
		if !errors.Is(err, ErrDiverged) || !strings.Contains(fmt.Sprint(err), "validation loss") || !strings.Contains(fmt.Sprint(err), "epoch 5:") {
			t.Errorf("resident=%v: err = %v, want ErrDiverged at epoch 5 naming the validation loss", resident, err)
		}
		if len(reports) != 0 {
			t.Errorf("resident=%v: %d reports before the divergence, want 0", resident, len(reports))
		}
	}
}

// Report.ValLoss is the validation loss per validation point: a fresh
// Evaluator on the same split and seed, given the trained network, draws
// the same epsilon and gives the same total. The training and validation
// splits differ in size (240 and 60 points).
func TestValidationLossPerPoint(t *testing.T) {
	forEachKind(t, func(t *testing.T, dt tensor.Dtype, resident bool) {
		cfg := tinyConfig(dt, resident)
		cfg.ReportEvery = cfg.Epochs // one report, one validation draw
		tr, d, reports := trainedReports(t, cfg, nil)
		if d.Train.Len() == d.Val.Len() {
			t.Fatal("the splits have the same size: the test cannot tell them apart")
		}
		e, err := NewEvaluator(tr.Config.Graph, d.Val, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		total, err := e.Loss(tr.Net)
		if err != nil {
			t.Fatal(err)
		}
		got := reports[0].ValLoss
		if want := total / float64(d.Val.Len()); !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
			t.Errorf("ValLoss %v, want %v / %d = %v", got, total, d.Val.Len(), want)
		}
		// and the training loss is per training point
		if want := tr.TrainLosses[cfg.Epochs-1]; reports[0].TrainLoss != want {
			t.Errorf("TrainLoss %v, want the last epoch's %v", reports[0].TrainLoss, want)
		}
	})
}

// Validation draws its own epsilon, and training draws fresh epsilon every
// step. With the same points in both splits and a learning rate too small
// to move the parameters, two runs of the loss agree only when their
// epsilon agrees: every training loss differs from the one before, and no
// validation loss equals any training loss.
func TestEpsilonStreams(t *testing.T) {
	forEachKind(t, func(t *testing.T, dt tensor.Dtype, resident bool) {
		cfg := tinyConfig(dt, resident)
		cfg.Epochs, cfg.ReportEvery, cfg.LearningRate = 8, 1, 1e-20
		d, err := data.MakeCurve(cfg.Data, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		d.Val = d.Train
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		reports, err := tr.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-9
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		same := func(a, b float64) bool { return math.Abs(a-b) <= tol*math.Abs(a) }
		// Control: the same epsilon gives the same loss (the tolerance is wide
		// enough), so a difference below means different epsilon.
		e1, _ := NewEvaluator(tr.Config.Graph, d.Val, cfg.Seed)
		e2, _ := NewEvaluator(tr.Config.Graph, d.Val, cfg.Seed)
		l1, err1 := e1.Loss(tr.Net)
		l2, err2 := e2.Loss(tr.Net)
		e1.Close()
		e2.Close()
		if err1 != nil || err2 != nil || !same(l1, l2) || !same(l1/float64(d.Val.Len()), reports[0].ValLoss) {
			t.Fatalf("control: same epsilon gave %v, %v (report %v): %v %v", l1, l2, reports[0].ValLoss*float64(d.Val.Len()), err1, err2)
		}
		for e := 1; e < len(tr.TrainLosses); e++ {
			if same(tr.TrainLosses[e], tr.TrainLosses[e-1]) {
				t.Errorf("epochs %d and %d: the same training loss %v: epsilon not redrawn", e, e+1, tr.TrainLosses[e])
			}
		}
		for _, r := range reports {
			for e, l := range tr.TrainLosses {
				if same(r.ValLoss, l) {
					t.Errorf("validation loss at epoch %d = training loss at epoch %d (%v): validation reuses training epsilon", r.Epoch, e+1, l)
				}
			}
		}
	})
}

// With every sigma ~ 0 (rho = -40, softplus 4e-18) the band collapses onto
// the network of the posterior means: Q05 = mean = Q95 = a forward pass by
// hand (plain loops, no graph) of the trained w_mu and b_mu, for the host
// samplers and the resident (batched) one. The sampler must use the
// trained parameters: untrained ones give another curve.
func TestPredictCollapsesOntoMeanNetwork(t *testing.T) {
	forEachKind(t, func(t *testing.T, dt tensor.Dtype, resident bool) {
		cfg := tinyConfig(dt, resident)
		cfg.Epochs, cfg.LearningRate = 30, 0.05
		var initial []float64
		tr, d, _ := trainedReports(t, cfg, func(tr *Trainer, d data.Set) {
			initial = meanForward(t, tr.Net, d.Val.X[:50])
		})
		net := tr.Net
		ps := net.Learnables() // w_mu, w_rho, b_mu, b_rho per layer
		for i := range net.Layers {
			for _, rho := range []*G.Node{ps[4*i+1], ps[4*i+3]} {
				v, _ := graph.Values(rho)
				for i := range v {
					v[i] = -40
				}
				if err := graph.SetValues(rho, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		net.Reload()
		x := d.Val.X[:50]
		b, err := Predict(net, x, 7, 2, 9)
		if err != nil {
			t.Fatal(err)
		}
		want := meanForward(t, net, x)
		moved := false
		tol := 1e-6 // the passes are kept as float32
		if dt == tensor.Float32 {
			tol = 2e-5
		}
		for i := range x {
			w := want[i]
			for _, got := range []float64{b.Mean[i], b.Q05[i], b.Q95[i]} {
				if !(math.Abs(got-w) <= tol*(1+math.Abs(w))) {
					t.Fatalf("x=%v: band %v/%v/%v, the mean network gives %v", x[i], b.Q05[i], b.Mean[i], b.Q95[i], w)
				}
			}
			if !(math.Abs(w-initial[i]) <= 1e-3) {
				moved = true
			}
		}
		if !moved {
			t.Error("training did not move the mean network: the test cannot tell trained from initial parameters")
		}
	})
}

// trainedReports is trained, also returning the reports; before (if not
// nil) sees the trainer before its first step.
func trainedReports(t *testing.T, cfg Config, before func(*Trainer, data.Set)) (*Trainer, data.Set, []Report) {
	t.Helper()
	d, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	if before != nil {
		before(tr, d)
	}
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr, d, reports
}

// meanForward is the network of posterior means (w = w_mu, b = b_mu) at
// each x, computed in float64 with plain loops from the host parameters.
func meanForward(t *testing.T, net *graph.Network, x []float64) []float64 {
	t.Helper()
	out := make([]float64, len(x))
	for k, xk := range x {
		h := []float64{xk}
		ps := net.Learnables() // w_mu, w_rho, b_mu, b_rho per layer (host tensors)
		for li := range net.Layers {
			w, err := graph.Values(ps[4*li])
			if err != nil {
				t.Fatal(err)
			}
			b, err := graph.Values(ps[4*li+2])
			if err != nil {
				t.Fatal(err)
			}
			width := len(b)
			if len(w) != len(h)*width {
				t.Fatalf("layer %d: w_mu %d values, b_mu %d, input %d", li, len(w), len(b), len(h))
			}
			next := make([]float64, width)
			for j := range next {
				s := b[j]
				for i, hi := range h {
					s += hi * w[i*width+j]
				}
				if li < len(net.Layers)-1 {
					s = max(s, 0)
				}
				next[j] = s
			}
			h = next
		}
		out[k] = h[0]
	}
	return out
}

// The chunk plan of a resident Sampler: 5000 inputs go as two balanced
// chunks of 2500 (PredictChunk is the most one graph takes), and a small
// network takes all its samples in one run (K = samples). Two samples are
// enough for a band.
func TestSamplerChunkPlan(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	tr, _, _ := trainedReports(t, cfg, nil)
	x := make([]float64, PredictChunk+1000)
	for i := range x {
		x[i] = -3 + 6*float64(i)/float64(len(x))
	}
	sm := NewSampler(tr.Net, 1)
	defer sm.Close()
	if _, err := sm.Bands(x, 10, 1); err != nil {
		t.Fatal(err)
	}
	if sm.pred == nil || sm.pred.net.Rows != 2500 || sm.pred.net.Samples != 10 {
		t.Errorf("predictive graph %+v, want 2500 rows and K = 10", sm.pred)
	}
	if _, err := sm.Bands(x[:PredictChunk], 10, 1); err != nil {
		t.Fatal(err)
	}
	if sm.pred.net.Rows != PredictChunk {
		t.Errorf("%d inputs: chunks of %d rows, want one chunk", PredictChunk, sm.pred.net.Rows)
	}
	if _, err := sm.Bands(x[:7], 2, 1); err != nil {
		t.Errorf("2 samples: %v", err)
	}
	if sm.pred == nil || sm.pred.net.Rows != 7 || sm.pred.net.Samples != 2 {
		t.Errorf("predictive graph for 7 inputs, 2 samples: rows %d, K %d", sm.pred.net.Rows, sm.pred.net.Samples)
	}
	// The same rows, another K: a new graph.
	if _, err := sm.Bands(x[:7], 3, 1); err != nil {
		t.Errorf("3 samples: %v", err)
	}
	if sm.pred.net.Rows != 7 || sm.pred.net.Samples != 3 {
		t.Errorf("predictive graph for 7 inputs, 3 samples: rows %d, K %d", sm.pred.net.Rows, sm.pred.net.Samples)
	}
}

// The trace bound: with more samples × outputs than maxTrace allows for a
// chunk, the inputs are cut into more, smaller chunks (ceil(n / lim) of
// them, lim = maxTrace / (samples × width)); otherwise balanced chunks of
// at most PredictChunk rows.
func TestChunkRows(t *testing.T) {
	for _, tc := range []struct{ n, samples, wd, maxTrace, want int }{
		{1000, 10, 1, 1 << 26, 1000},
		{PredictChunk, 10, 1, 1 << 26, PredictChunk},
		{PredictChunk + 1000, 10, 1, 1 << 26, 2500},
		{1000, 10, 1, 3000, 250},   // lim 300: 4 chunks
		{1000, 10, 2, 6000, 250},   // the same at width 2
		{1000, 10, 2, 3000, 143},   // lim 150: 7 chunks
		{1000, 10, 1, 10000, 1000}, // lim 1000: one chunk
		{1000, 10, 1, 9990, 500},   // lim 999: 2 chunks
		{1000, 10, 1, 1, 1},        // lim at least 1
		{7, 2, 1, 1 << 26, 7},
		{9001, 10, 1, 30000, 2251},   // 3 chunks of 3001 > lim 3000: 4 chunks
		{12000, 10, 1, 100000, 4000}, // 3 chunks of 4000 <= lim 10000: kept
		{1000, 10, 1, 2500, 250},     // lim 250: exactly 4 chunks
	} {
		if got := chunkRows(tc.n, tc.samples, tc.wd, tc.maxTrace); got != tc.want {
			t.Errorf("chunkRows(%d, %d, %d, %d) = %d, want %d", tc.n, tc.samples, tc.wd, tc.maxTrace, got, tc.want)
		}
	}
}
