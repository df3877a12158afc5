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
	"github.com/bbb-go/bbb/modelfile"
)

func TestLRScheduleRate(t *testing.T) {
	s := LRSchedule{Milestones: []int{40, 52}, Gamma: 0.1}
	for _, c := range []struct {
		done int
		want float64
	}{{0, 1e-3}, {39, 1e-3}, {40, 1e-4}, {51, 1e-4}, {52, 1e-5}, {1000, 1e-5}} {
		if got := s.Rate(1e-3, c.done); !(math.Abs(got-c.want) <= 1e-12*c.want) {
			t.Errorf("after epoch %d: rate %v, want %v", c.done, got, c.want)
		}
	}
	var zero LRSchedule
	if got := zero.WithDefaults().Rate(0.01, 7); got != 0.01 {
		t.Errorf("zero schedule: rate %v after 7 epochs, want 0.01", got)
	}
	if g := zero.WithDefaults().Gamma; g != 0.1 {
		t.Errorf("default gamma %v, want 0.1", g)
	}
	if g := (LRSchedule{Gamma: 0.5}).WithDefaults().Gamma; g != 0.5 {
		t.Errorf("gamma 0.5 became %v", g)
	}
	if got := (LRSchedule{Milestones: []int{1}, Gamma: 3}).Rate(2, 1); got != 6 {
		t.Errorf("gamma 3 after its milestone: rate %v, want 6", got)
	}
}

func TestLRScheduleErrors(t *testing.T) {
	for _, c := range []struct {
		s    LRSchedule
		want string
	}{
		{LRSchedule{}, "factor 0"}, // (WithDefaults makes it 0.1)
		{LRSchedule{Gamma: -1}, "factor -1"},
		{LRSchedule{Gamma: math.NaN()}, "factor NaN"},
		{LRSchedule{Gamma: math.Inf(1)}, "factor +Inf"},
		{LRSchedule{Milestones: []int{0}, Gamma: 0.1}, "milestone 0"},
		{LRSchedule{Milestones: []int{5, -3}, Gamma: 0.1}, "milestone -3"},
		{LRSchedule{Milestones: []int{5, 5}, Gamma: 0.1}, "not increasing (5 after 5)"},
		{LRSchedule{Milestones: []int{5, 4}, Gamma: 0.1}, "not increasing (4 after 5)"},
	} {
		err := c.s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.s, err, c.want)
		}
	}
	for _, ok := range []LRSchedule{{Gamma: 0.1}, {Milestones: []int{1}, Gamma: 2}, {Milestones: []int{1, 2, 90}, Gamma: 1e-9}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	cfg := Config{Graph: graph.Config{Resident: true}, LRSchedule: LRSchedule{Milestones: []int{3}}}
	if err := cfg.WithDefaults().Validate(); err != nil { // refused before: Adam's rate is now the store's per step
		t.Errorf("resident graph with milestones: error %v", err)
	}
	bad := Config{LRSchedule: LRSchedule{Milestones: []int{3, 2}}}
	if err := bad.WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "not increasing") {
		t.Errorf("Config.Validate with decreasing milestones: error %v", err)
	}
}

func TestParseMilestones(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		err  string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"40", []int{40}, ""},
		{"40, 52", []int{40, 52}, ""},
		{"40,x", nil, `"x" is not an epoch`},
		{"40,", nil, `"" is not an epoch`},
		{"52,40", nil, "not increasing"},
		{"0,3", nil, "milestone 0"},
	} {
		got, err := ParseMilestones(c.in)
		if c.err == "" {
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
		}
	}
}

// A scheduled run takes the same steps as a constant-rate run whose rate is
// lowered by hand at the milestones, full batch and minibatches; a run
// resumed from a checkpoint after the first milestone goes on at the
// lowered rate.
func TestLRScheduleSteps(t *testing.T) {
	for _, batch := range []int{0, 100} {
		c := Config{Graph: graph.Config{Layers: 2, Hidden: 8, Dtype: tensor.Float64}, Data: data.CurveConfig{N: 300},
			Epochs: 4, ReportEvery: 1, Seed: 3, LearningRate: 0.01, Batch: Batch{Size: batch}}
		constant, _ := newTestTrainer(t, c)
		if _, err := constant.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		// The rate lowered by hand: hostStep takes a constant schedule's
		// rate from Config.LearningRate at every step.
		byHand, _ := newTestTrainer(t, c)
		for epoch, lr := range []float64{0.01, 0.01, 0.005, 0.0025} {
			byHand.Config.LearningRate = lr
			if _, err := byHand.Step(); err != nil {
				t.Fatalf("batch %d epoch %d: %v", batch, epoch+1, err)
			}
		}
		c.LRSchedule = LRSchedule{Milestones: []int{2, 3}, Gamma: 0.5}
		scheduled, _ := newTestTrainer(t, c)
		if _, err := scheduled.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		want, got, flat := params(t, byHand), params(t, scheduled), params(t, constant)
		same := true
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("batch %d: parameter %d differs from the run lowered by hand", batch, i)
			}
			same = same && slices.Equal(got[i], flat[i])
		}
		if same {
			t.Errorf("batch %d: the scheduled run equals the constant-rate run", batch)
		}
		if lr := scheduled.adam.LR; !(math.Abs(lr-0.0025) <= 1e-15) {
			t.Errorf("batch %d: rate %v at the last step, want 0.0025", batch, lr)
		}

		// Checkpoint after epoch 3 (one milestone passed), resume, one more.
		c.Epochs = 3
		first, _ := newTestTrainer(t, c)
		if _, err := first.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		arrays, err := first.Checkpoint(ckptModel(1, 3), nil)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := modelfile.Parse(encodeFile(t, arrays))
		if err != nil {
			t.Fatal(err)
		}
		c.Epochs = 4
		resumed, _ := newTestTrainer(t, c)
		if _, err := resumed.Restore(cp); err != nil {
			t.Fatal(err)
		}
		if _, err := resumed.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		for i, p := range params(t, resumed) {
			if !slices.Equal(p, want[i]) {
				t.Errorf("batch %d: resumed run: parameter %d differs", batch, i)
			}
		}
	}
}

// The MNIST preset's schedule: 1e-3, tenfold lower after epochs 40 and 52.
func ExampleLRSchedule_Rate() {
	s := LRSchedule{Milestones: []int{40, 52}}.WithDefaults()
	for _, done := range []int{0, 39, 40, 52, 59} {
		fmt.Printf("epoch %d: %.0e\n", done+1, s.Rate(1e-3, done))
	}
	// Output:
	// epoch 1: 1e-03
	// epoch 40: 1e-03
	// epoch 41: 1e-04
	// epoch 53: 1e-05
	// epoch 60: 1e-05
}
