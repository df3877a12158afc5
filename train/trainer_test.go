package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
)

func smallConfig(dt tensor.Dtype) Config {
	return Config{
		Graph:  graph.Config{Layers: 3, Hidden: 16, Dtype: dt},
		Data:   data.CurveConfig{N: 1000},
		Epochs: 300, ReportEvery: 100, Samples: 50, Seed: 3,
	}
}

// A short run lowers the loss, for both dtypes.
func TestShortTrainingLowersLoss(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			cfg := smallConfig(dt)
			d, err := data.MakeCurve(cfg.Data, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			reports, err := tr.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != 3 || reports[2].Epoch != 300 {
				t.Fatalf("reports %+v, want epochs 100, 200, 300", reports)
			}
			first := mean(tr.TrainLosses[:20])
			last := mean(tr.TrainLosses[len(tr.TrainLosses)-20:])
			t.Logf("train loss per point: first 20 epochs %.1f, last 20 %.1f; val %.1f -> %.1f", first, last, reports[0].ValLoss, reports[2].ValLoss)
			if !(last < 0.5*first) {
				t.Errorf("loss did not fall by half: %v -> %v", first, last)
			}
			if !(reports[2].ValLoss < reports[0].ValLoss) {
				t.Errorf("validation loss did not fall: %v -> %v", reports[0].ValLoss, reports[2].ValLoss)
			}
		})
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Same seed, same numbers; prediction does not depend on the worker count.
func TestReproducible(t *testing.T) {
	run := func(workers int) ([]float64, Bands) {
		cfg := smallConfig(tensor.Float32)
		cfg.Epochs = 60
		tr, d := trained(t, cfg)
		b, err := Predict(tr.Net, d.Val.X, 20, workers, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		return tr.TrainLosses, b
	}
	l1, b1 := run(1)
	l2, b2 := run(3)
	if !slices.Equal(l1, l2) {
		t.Error("same seed gave different training losses")
	}
	if !slices.Equal(b1.Mean, b2.Mean) || !slices.Equal(b1.Q05, b2.Q05) || !slices.Equal(b1.Q95, b2.Q95) {
		t.Error("predictive bands depend on the number of workers")
	}
}

// A NaN in the data makes the loss NaN: the run stops at epoch 1 with
// ErrDiverged naming the epoch, full batch, with minibatches and with
// several draws per full-batch step (the multi-step path); the step that
// met the NaN applies no update, so the parameters stay finite.
func TestDivergenceIsReported(t *testing.T) {
	for _, multi := range []struct{ batch, draws int }{{0, 0}, {0, 2}, {20, 0}} {
		cfg := smallConfig(tensor.Float32)
		cfg.Batch.Size, cfg.MCSamples = multi.batch, multi.draws
		d, _ := data.MakeCurve(cfg.Data, cfg.Seed)
		bad := 5
		if multi.batch > 0 {
			// A point of the first minibatch: the epoch stops at its first
			// step, and no update is made.
			bad = rand.New(rand.NewPCG(cfg.Seed, streamShuffle)).Perm(d.Train.Len())[0]
		}
		d.Train.Y[bad] = math.NaN()
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		init := params(t, tr)
		_, err = tr.Run(context.Background(), nil)
		if !errors.Is(err, ErrDiverged) {
			t.Fatalf("%+v: err = %v, want ErrDiverged", multi, err)
		}
		if want := "at epoch 1:"; !contains(err.Error(), want) {
			t.Errorf("%+v: error %q does not name the epoch", multi, err)
		}
		if len(tr.TrainLosses) != 1 || !math.IsNaN(tr.TrainLosses[0]) {
			t.Errorf("%+v: training losses after diverging at epoch 1: %v, want [NaN]", multi, tr.TrainLosses)
		}
		if multi.batch > 0 && !reflect.DeepEqual(params(t, tr), init) {
			t.Errorf("%+v: the parameters changed after the first minibatch diverged: the epoch went on", multi)
		}
		for i, p := range params(t, tr) {
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%+v: parameter %d is %v after the diverged step", multi, i, v)
				}
			}
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestConfigErrors(t *testing.T) {
	d, _ := data.MakeCurve(data.CurveConfig{N: 100}, 1)
	for _, c := range []Config{{Epochs: -1}, {LearningRate: -0.1}, {Samples: 1}, {ReportEvery: -2}, {Workers: -1}, {Graph: graph.Config{Hidden: -1}}} {
		if _, err := NewTrainer(c, d); err == nil {
			t.Errorf("NewTrainer(%+v) gave no error", c)
		}
	}
}

// The band of a trained model summarises its passes: Q05 <= mean <= Q95
// almost everywhere and the metrics are finite.
func TestPredictBands(t *testing.T) {
	tr, d := trained(t, smallConfig(tensor.Float32))
	b, err := Predict(tr.Net, d.Val.X, 200, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range b.Mean {
		if !(b.Q05[i] <= b.Q95[i]) {
			t.Fatalf("Q05 %v > Q95 %v at %d", b.Q05[i], b.Q95[i], i)
		}
		if b.Mean[i] < b.Q05[i] || b.Mean[i] > b.Q95[i] {
			bad++
		}
	}
	if bad > len(b.Mean)/10 {
		t.Errorf("mean outside the band at %d of %d inputs", bad, len(b.Mean))
	}
	// The metrics, recounted here from the band: every one finite (NaN
	// fails each comparison), coverage a share of the noisy targets.
	m := metrics.ScoreBand(b.Mean, b.Q05, b.Q95, d.Val.Y, d.Val.YTrue)
	inside, width := 0, 0.0
	for i, y := range d.Val.Y {
		if b.Q05[i] <= y && y <= b.Q95[i] {
			inside++
		}
		width += b.Q95[i] - b.Q05[i]
	}
	if cov := float64(inside) / float64(len(d.Val.Y)); m.Coverage90 != cov {
		t.Errorf("coverage %v, recounted %v", m.Coverage90, cov)
	}
	if w := width / float64(len(d.Val.Y)); !(math.Abs(m.BandWidth-w) <= 1e-12*w) || !(w > 0) {
		t.Errorf("band width %v, recounted %v", m.BandWidth, w)
	}
	if !(m.RMSETrue > 0 && m.RMSETrue < m.RMSENoisy && m.RMSENoisy < 10) {
		t.Errorf("metrics %+v: want 0 < rmse_true < rmse_noisy (noise 1.5) < 10", m)
	}
	if _, err := Predict(tr.Net, d.Val.X, 1, 1, 1); err == nil {
		t.Error("Predict with 1 sample gave no error")
	}
}

// Inputs are predicted chunk by chunk with the same weights per sample:
// predicting a prefix alone gives the same numbers as within a longer call.
func TestPredictChunksAgree(t *testing.T) {
	for _, resident := range []bool{false, true} {
		for _, inputs := range []int{1, 2} {
			t.Run(fmt.Sprintf("resident=%v/inputs=%d", resident, inputs), func(t *testing.T) { testPredictChunksAgree(t, resident, inputs) })
		}
	}
}

// (The resident network predicts K passes per run, the host network one.)
// Two chunks of unequal rows (2501 and 2500); the prefix and the suffix
// predicted alone give the same bands.
func testPredictChunksAgree(t *testing.T, resident bool, inputs int) {
	net, err := graph.New(graph.Config{Layers: 3, Hidden: 8, Inputs: inputs, Dtype: tensor.Float32, Resident: resident,
		Init: graph.Init{WMuStd: 0.5, WRhoMean: -2, Set: true}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Init(rand.New(rand.NewPCG(2, 3))); err != nil {
		t.Fatal(err)
	}
	n := PredictChunk + 1001
	x := make([]float64, n*inputs)
	for i := range x {
		x[i] = -3 + 6*float64(i)/float64(len(x))
	}
	all, err := Predict(net, x, 10, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	half, err := Predict(net, x[:n/2*inputs], 10, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Mean[:n/2], half.Mean) || !slices.Equal(all.Q95[:n/2], half.Q95) {
		t.Error("chunked prediction differs from the prediction of the prefix alone")
	}
	tail, err := Predict(net, x[(n-3)*inputs:], 10, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	// (Within rounding: OpenBLAS may take another kernel for 3 rows than
	// for 2500, so the last bits can differ; wrong rows differ by far more.)
	for i := range 3 {
		for _, v := range [][2]float64{{all.Mean[n-3+i], tail.Mean[i]}, {all.Q05[n-3+i], tail.Q05[i]}} {
			if !(math.Abs(v[0]-v[1]) <= 1e-6*(1+math.Abs(v[1]))) {
				t.Fatalf("the last chunk's bands %v, %v differ from its last 3 inputs predicted alone %v, %v", all.Mean[n-3:], all.Q05[n-3:], tail.Mean, tail.Q05)
			}
		}
	}
}

// trained runs cfg to its last epoch on its own data; the trainer is
// closed when the test ends.
func trained(t *testing.T, cfg Config) (*Trainer, data.Set) {
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
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return tr, d
}

// Validate's boundaries, called directly (WithDefaults would replace the
// zeros): each field's last good value passes, its first bad one fails.
func TestValidateBoundaries(t *testing.T) {
	dc := data.CurveConfig{N: 4, XMin: -1, XMax: 1, Noise: 0, ValFraction: 0.5}
	if err := dc.Validate(); err != nil {
		t.Errorf("%+v: %v", dc, err)
	}
	for name, edit := range map[string]func(*data.CurveConfig){
		"N 3":                   func(c *data.CurveConfig) { c.N = 3 },
		"xmin = xmax":           func(c *data.CurveConfig) { c.XMin, c.XMax = 1, 1 },
		"width overflows":       func(c *data.CurveConfig) { c.XMin, c.XMax = -1e308, 1e308 },
		"noise -0.1":            func(c *data.CurveConfig) { c.Noise = -0.1 },
		"noise +Inf":            func(c *data.CurveConfig) { c.Noise = math.Inf(1) },
		"validation fraction 0": func(c *data.CurveConfig) { c.ValFraction = 0 },
		"validation fraction 1": func(c *data.CurveConfig) { c.ValFraction = 1 },
	} {
		c := dc
		edit(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: %+v passed", name, c)
		}
	}
	// A fraction of 0 also leaves an empty set, a later check: the error
	// must name the range first.
	zero := dc
	zero.ValFraction = 0
	if err := zero.Validate(); err == nil || !strings.Contains(err.Error(), "need 0 < f < 1") {
		t.Errorf("validation fraction 0: error %v, want the range named", err)
	}
	cfg := Config{}.WithDefaults()
	cfg.Workers, cfg.Epochs, cfg.ReportEvery, cfg.Samples = 1, 1, 1, 2
	if err := cfg.Validate(); err != nil {
		t.Errorf("%+v: %v", cfg, err)
	}
	for name, edit := range map[string]func(*Config){
		"workers 0":   func(c *Config) { c.Workers = 0 },
		"epochs 0":    func(c *Config) { c.Epochs = 0 },
		"report 0":    func(c *Config) { c.ReportEvery = 0 },
		"samples 1":   func(c *Config) { c.Samples = 1 },
		"lr 0":        func(c *Config) { c.LearningRate = 0 },
		"lr -1":       func(c *Config) { c.LearningRate = -1 },
		"lr +Inf":     func(c *Config) { c.LearningRate = math.Inf(1) },
		"lr NaN":      func(c *Config) { c.LearningRate = math.NaN() },
		"data points": func(c *Config) { c.Data.N = 3 },
	} {
		c := cfg
		edit(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: passed", name)
		}
	}
}
