package bench

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/train"
)

// tiny is a run small enough to time in a test.
func tiny() Config {
	return Config{Train: train.Config{Graph: graph.Config{Hidden: 4, Layers: 2}, Data: data.CurveConfig{N: 200}, Seed: 1, Workers: 1},
		Steps: 3, Warmup: -1, Passes: 2, Seconds: 0.05}
}

// Measure records the size it ran, the steps it timed and finite times.
func TestMeasure(t *testing.T) {
	r, err := Measure(context.Background(), tiny())
	if err != nil {
		t.Fatal(err)
	}
	if r.Points != 200 || r.Hidden != 4 || r.Layers != 2 || r.MaddsPerEpoch != MAdds(200, 4, 2) {
		t.Errorf("size %+v", r)
	}
	// 3 steps: chunks of 1 step, each timed.
	if r.Steps != 3 || r.PredictPasses != 2 || r.PredictInputs != 40 {
		t.Errorf("counts %+v: want 3 steps, 2 passes over 40 inputs", r)
	}
	if !(r.StepSecondsMedian > 0 && r.StepSecondsMin > 0 && r.StepSecondsMin <= r.StepSecondsMedian &&
		r.SyncedSecondsMedian > 0 && r.PredictSeconds > 0 && r.PredictSecondsPass == r.PredictSeconds/2) {
		t.Errorf("times %+v", r)
	}
	rep := Report{Device: "cpu", Rows: []Row{r}}
	if err := rep.Validate(); err != nil {
		t.Errorf("a measured row does not validate: %v", err)
	}
}

// The zero Train config is the seed's size; zero counts are the defaults.
func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Steps != DefaultSteps || c.Warmup != DefaultWarmup || c.Passes != DefaultPasses || c.Seconds != DefaultSeconds {
		t.Errorf("defaults %+v", c)
	}
	if err := c.validate(); err != nil {
		t.Error(err)
	}
	if c := (Config{Warmup: -5}).withDefaults(); c.Warmup != 0 {
		t.Errorf("negative warmup: %d, want none", c.Warmup)
	}
}

// A count out of bounds is refused before anything is built.
func TestMeasureRefuses(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Steps = 2 }, "bench: steps 2: want 3 to"},
		{func(c *Config) { c.Steps = MaxSteps + 1 }, "bench: steps 1000000001"},
		{func(c *Config) { c.Warmup = MaxWarmup + 1 }, "bench: warmup 10001: want at most 10000"},
		{func(c *Config) { c.Passes = 1 }, "bench: passes 1: need at least 2"},
		{func(c *Config) { c.Seconds = -1 }, "bench: seconds -1: need a value > 0"},
		{func(c *Config) { c.Train.Data.N = 3 }, "points"},
	} {
		c := tiny()
		tc.edit(&c)
		if _, err := Measure(context.Background(), c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", c, err, tc.want)
		}
	}
}

// A done context stops the timing before the first chunk.
func TestMeasureCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(ctx, tiny()); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
