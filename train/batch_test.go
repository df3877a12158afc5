package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// Over an epoch the weights sum to 1 (the KL counts once), for any number
// of minibatches; Blundell's decrease and stay finite.
func TestKLWeightsSumToOne(t *testing.T) {
	ms := []int{1, 100000}
	for m := 2; m <= 1500; m++ {
		ms = append(ms, m)
	}
	for _, w := range []KLWeighting{Uniform, Blundell} {
		for _, m := range ms {
			var sum float64
			prev := math.Inf(1)
			for i := 0; i < m; i++ {
				v := w.Weight(i, m)
				if !(v >= 0) || math.IsInf(v, 0) || v > prev {
					t.Fatalf("%v: weight(%d, %d) = %v after %v", w, i, m, v, prev)
				}
				if w == Blundell {
					prev = v
				}
				sum += v
			}
			if !(math.Abs(sum-1) <= 1e-9) {
				t.Errorf("%v: %d weights sum to %v", w, m, sum)
			}
		}
	}
	// Blundell et al.'s formula, 1-based, where 2^M is representable.
	for m := 1; m <= 30; m++ {
		for i := 1; i <= m; i++ {
			want := math.Exp2(float64(m-i)) / (math.Exp2(float64(m)) - 1)
			if got := Blundell.Weight(i-1, m); !(math.Abs(got-want) <= 1e-15*(1+want)) {
				t.Errorf("Blundell.Weight(%d, %d) = %v, want %v", i-1, m, got, want)
			}
		}
	}
	for _, s := range []string{"uniform", "blundell"} {
		if w, err := ParseKLWeighting(s); err != nil || w.String() != s {
			t.Errorf("ParseKLWeighting(%q) = %v, %v", s, w, err)
		}
	}
	if _, err := ParseKLWeighting("paper"); err == nil {
		t.Error("ParseKLWeighting(paper): want an error")
	}
}

func batchConfig() Config {
	return Config{Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 500},
		Epochs: 3, ReportEvery: 1, Samples: 10, Seed: 4}
}

func newTestTrainer(t *testing.T, cfg Config) (*Trainer, data.Set) {
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
	return tr, d
}

// One minibatch of every training point, weighted 1, is the full-batch
// step: the same loss (the rows only come in another order).
func TestOneBatchIsFullBatch(t *testing.T) {
	full, d := newTestTrainer(t, batchConfig())
	c := batchConfig()
	c.Batch = Batch{Size: d.Train.Len()}
	one, _ := newTestTrainer(t, c)
	for e := 0; e < 3; e++ {
		a, err := full.Step()
		if err != nil {
			t.Fatal(err)
		}
		b, err := one.Step()
		if err != nil {
			t.Fatal(err)
		}
		if !(math.Abs(a-b) <= 1e-9*math.Abs(a)) {
			t.Errorf("epoch %d: full batch %v, one minibatch %v", e+1, a, b)
		}
	}
}

// Minibatch training is reproducible, lowers the loss with either
// weighting, and a step's loss is the sum of its minibatches'.
func TestMinibatchTraining(t *testing.T) {
	for _, w := range []KLWeighting{Uniform, Blundell} {
		c := batchConfig()
		c.Epochs, c.ReportEvery = 30, 10
		c.Batch = Batch{Size: 64, Weighting: w}
		a, _ := newTestTrainer(t, c)
		b, _ := newTestTrainer(t, c)
		ra, err := a.Run(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := b.Run(t.Context(), nil)
		for i := range ra {
			if ra[i] != rb[i] {
				t.Fatalf("%v: run differs: %+v vs %+v", w, ra[i], rb[i])
			}
		}
		if a.TrainLosses[len(a.TrainLosses)-1] >= a.TrainLosses[0] {
			t.Errorf("%v: loss per point %v -> %v: did not fall", w, a.TrainLosses[0], a.TrainLosses[len(a.TrainLosses)-1])
		}
	}
}

// S draws per step: the gradient is the mean of S single-draw gradients on
// the same epsilon stream, and the loss estimate's variance falls ~1/S.
func TestMCSamples(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-9
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		c := batchConfig()
		c.Graph.Dtype = dt
		two, _ := newTestTrainer(t, withDraws(c, 2))
		lossTwo, err := two.draws(2)
		if err != nil {
			t.Fatal(err)
		}
		gTwo := floatsOfAcc(two)
		single, _ := newTestTrainer(t, withDraws(c, 3)) // multi, draws called with 1 below
		l1, err := single.draws(1)
		if err != nil {
			t.Fatal(err)
		}
		g1 := floatsOfAcc(single)
		l2, _ := single.draws(1)
		g2 := floatsOfAcc(single)
		if !(math.Abs(lossTwo-(l1+l2)/2) <= tol*math.Abs(lossTwo)) {
			t.Errorf("%v: loss of 2 draws %v, mean of singles %v", dt, lossTwo, (l1+l2)/2)
		}
		for i := range gTwo {
			if want := (g1[i] + g2[i]) / 2; !(math.Abs(gTwo[i]-want) <= tol*(1+math.Abs(want))) {
				t.Fatalf("%v: gradient[%d] of 2 draws %v, mean of singles %v", dt, i, gTwo[i], want)
			}
		}
	}

	variance := func(s int) float64 {
		tr, _ := newTestTrainer(t, withDraws(batchConfig(), 2))
		const reps = 300
		var sum, sq float64
		for r := 0; r < reps; r++ {
			l, err := tr.draws(s)
			if err != nil {
				t.Fatal(err)
			}
			sum += l
			sq += l * l
		}
		m := sum / reps
		return sq/reps - m*m
	}
	v1, v4 := variance(1), variance(4)
	t.Logf("loss variance: 1 draw %.4g, 4 draws %.4g (ratio %.2f)", v1, v4, v1/v4)
	if r := v1 / v4; r < 2.8 || r > 5.7 {
		t.Errorf("variance ratio 1 vs 4 draws %v, want about 4", r)
	}
}

func withDraws(c Config, s int) Config { c.MCSamples = s; return c }

// floatsOfAcc flattens a trainer's averaged gradient.
func floatsOfAcc(tr *Trainer) []float64 {
	var out []float64
	for _, a := range tr.multi.acc {
		v, _ := graph.ValueFloats(a)
		out = append(out, v...)
	}
	return out
}

func TestMultiConfigErrors(t *testing.T) {
	d, _ := data.MakeCurve(data.CurveConfig{N: 100}, 1)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Batch: Batch{Size: -1}}, "batch size"},
		{Config{Batch: Batch{Size: 81}}, "batch size 81"},
		{Config{Batch: Batch{Size: 8, Weighting: 9}}, "KL weighting"},
		{Config{MCSamples: -2}, "mc samples"},
		{Config{Batch: Batch{Size: 81}, Graph: graph.Config{Resident: true}}, "batch size 81"},
	} {
		tc.cfg.Data = data.CurveConfig{N: 100}
		_, err := NewTrainer(tc.cfg, d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
	// The resident graph takes minibatches and draws (it refused them before).
	for _, cfg := range []Config{{Batch: Batch{Size: 8}, Graph: graph.Config{Resident: true}}, {MCSamples: 2, Graph: graph.Config{Resident: true}}} {
		cfg.Data = data.CurveConfig{N: 100}
		tr, err := NewTrainer(cfg, d)
		if err != nil {
			t.Errorf("%+v: %v", cfg, err)
			continue
		}
		tr.Close()
	}
}

// Minibatches of rows wider than one value (several inputs, one-hot
// classes) copy whole rows: each x row stays with its own y row.
func TestGatherWideRows(t *testing.T) {
	s := data.Split{Inputs: 3}
	for r := 0; r < 5; r++ {
		s.X = append(s.X, float64(10*r), float64(10*r+1), float64(10*r+2))
		s.Y = append(s.Y, float64(-r), float64(-r)-0.5)
	}
	x, y := make([]float64, 6), make([]float64, 4)
	gather(s, []int{4, 1}, x, y)
	if want := []float64{40, 41, 42, 10, 11, 12}; !slices.Equal(x, want) {
		t.Errorf("x = %v, want %v", x, want)
	}
	if want := []float64{-4, -4.5, -1, -1.5}; !slices.Equal(y, want) {
		t.Errorf("y = %v, want %v", y, want)
	}
}

// countdownCtx is a context whose Err turns Canceled at its n-th call.
type countdownCtx struct {
	context.Context
	n int
}

func (c *countdownCtx) Err() error {
	if c.n--; c.n <= 0 {
		return context.Canceled
	}
	return nil
}

// Run stops between the minibatches of an epoch (MNIST's are seconds
// long): the epoch is left undone.
func TestRunStopsBetweenMinibatches(t *testing.T) {
	c := Config{Graph: graph.Config{Layers: 2, Hidden: 4}, Epochs: 2, ReportEvery: 1, Samples: 2, Seed: 1,
		Data: data.CurveConfig{N: 200}, Batch: Batch{Size: 20}}
	d, err := data.MakeCurve(c.Data, c.Seed)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(c, d)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	// Call 1: Run's check before the epoch; 2, 3: before minibatches 1, 2.
	_, err = tr.Run(&countdownCtx{Context: context.Background(), n: 3}, nil)
	if !errors.Is(err, context.Canceled) || tr.Epoch() != 0 {
		t.Errorf("cancelled before the 2nd minibatch: %v, epoch %d; want context.Canceled, epoch 0", err, tr.Epoch())
	}
}

// accumulate refuses a gradient of another dtype or size (a graph and its
// accumulator out of step) instead of adding part of it.
func TestAccumulateMismatch(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		a := tensor.New(tensor.Of(dt), tensor.WithShape(3))
		other := tensor.Float64
		if dt == tensor.Float64 {
			other = tensor.Float32
		}
		for _, g := range []*tensor.Dense{
			tensor.New(tensor.Of(dt), tensor.WithShape(2)),
			tensor.New(tensor.Of(dt), tensor.WithShape(4)),
			tensor.New(tensor.Of(other), tensor.WithShape(3)),
		} {
			for _, first := range []bool{true, false} {
				if err := accumulate(a, g, first); err == nil {
					t.Errorf("%v accumulator: a %v gradient of shape %v (first %v) accepted", dt, g.Dtype(), g.Shape(), first)
				}
			}
		}
	}
}

// With minibatches the loss per point divides an epoch's loss by the
// points its minibatches hold (the remainder of a shuffle is left out).
func TestMinibatchLossPerPoint(t *testing.T) {
	c := batchConfig()
	c.Batch = Batch{Size: 64}
	tr, d := newTestTrainer(t, c)
	used := d.Train.Len() / 64 * 64
	if used == d.Train.Len() {
		t.Fatalf("%d training points: want a remainder for this test", used)
	}
	loss, err := tr.stepMulti()
	if err != nil {
		t.Fatal(err)
	}
	tr2, _ := newTestTrainer(t, c)
	if _, err := tr2.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := tr2.TrainLosses[0], loss/float64(used); got != want {
		t.Errorf("loss per point %v, want the epoch's loss over %d used points %v", got, used, want)
	}
}
