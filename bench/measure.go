package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/train"
)

// Chunk is how many training steps Measure times together, one loss read
// per chunk, as `bbb train` runs them.
const Chunk = 10

// The bounds of Config's step counts: the timed steps end at Seconds, so
// their bound only keeps Warmup + Steps from overflowing; the untimed
// warmup is not ended by Seconds, and a few steps suffice.
const (
	MaxSteps  = 1_000_000_000
	MaxWarmup = 10_000
)

// The defaults of Config's zero fields: `bbb bench`'s.
const (
	DefaultSteps   = 30
	DefaultWarmup  = 3
	DefaultPasses  = 50
	DefaultSeconds = 2.0
)

// Config is what Measure times. The zero value times the seed's run
// (train.Config's defaults) as `bbb bench` does by default.
type Config struct {
	// Train is the run to time: the model (Graph: its Layers and Hidden
	// are the row's size), the data (Data.N points), the seed, and
	// Workers, the goroutines of the predictive passes. Measure sets its
	// Epochs and ReportEvery.
	Train train.Config
	// Steps is the most training steps timed, from 3 to MaxSteps
	// (0: DefaultSteps); Seconds ends the timing sooner.
	Steps int
	// Warmup is the untimed steps first, up to MaxWarmup (0:
	// DefaultWarmup; negative: none). The first steps allocate the op
	// buffers and, on the GPU, load the kernels.
	Warmup int
	// Passes is the predictive passes timed over the validation inputs,
	// at least 2 (0: DefaultPasses).
	Passes int
	// Seconds stops the timing of steps once this many seconds have
	// passed and at least 3 chunks are timed (0: DefaultSeconds).
	Seconds float64
}

// withDefaults fills the zero fields; a negative Warmup becomes 0.
func (c Config) withDefaults() Config {
	if c.Steps == 0 {
		c.Steps = DefaultSteps
	}
	switch {
	case c.Warmup == 0:
		c.Warmup = DefaultWarmup
	case c.Warmup < 0:
		c.Warmup = 0
	}
	if c.Passes == 0 {
		c.Passes = DefaultPasses
	}
	if c.Seconds == 0 {
		c.Seconds = DefaultSeconds
	}
	return c
}

// validate reports the first count out of its bounds (after withDefaults).
func (c Config) validate() error {
	switch {
	case c.Steps < 3 || c.Steps > MaxSteps:
		return fmt.Errorf("bench: steps %d: want 3 to %d", c.Steps, MaxSteps)
	case c.Warmup > MaxWarmup:
		return fmt.Errorf("bench: warmup %d: want at most %d", c.Warmup, MaxWarmup)
	case c.Passes < 2:
		return fmt.Errorf("bench: passes %d: need at least 2", c.Passes)
	case !(c.Seconds > 0):
		return fmt.Errorf("bench: seconds %v: need a value > 0", c.Seconds)
	}
	return nil
}

// Measure builds the run c.Train describes and times it at its one size:
// Warmup untimed steps, then up to Steps steps in chunks of Chunk (fewer
// when Steps is small) until Seconds have passed, then 3 steps alone, then
// Passes predictive passes over the validation inputs. The row's step time
// is the median over the chunks. It stops between chunks when ctx is done.
func Measure(ctx context.Context, c Config) (Row, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return Row{}, err
	}
	steps, warmup, passes, minSeconds := c.Steps, c.Warmup, c.Passes, c.Seconds
	cfg := c.Train
	cfg.Epochs = warmup + steps + 3 // then 3 steps timed alone
	cfg.ReportEvery = cfg.Epochs
	size := cfg.WithDefaults() // the row's size and the sampler's workers
	set, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		return Row{}, err
	}
	tr, err := train.NewTrainer(cfg, set)
	if err != nil {
		return Row{}, err
	}
	defer tr.Close()
	if warmup > 0 {
		if _, err := tr.Steps(warmup); err != nil {
			return Row{}, err
		}
	}
	// Timed in chunks of Chunk steps, one loss read per chunk, as
	// `bbb train` runs them (a resident network's host queues a step while
	// the GPU runs the one before; scripts/torch_bench.py times PyTorch
	// the same way).
	var times []float64
	chunk := max(1, min(Chunk, steps/3))
	start := time.Now()
	for done := 0; done+chunk <= steps; done += chunk {
		if err := ctx.Err(); err != nil {
			return Row{}, err
		}
		t0 := time.Now()
		if _, err := tr.Steps(chunk); err != nil {
			return Row{}, err
		}
		times = append(times, time.Since(t0).Seconds()/float64(chunk))
		if len(times) >= 3 && time.Since(start).Seconds() > minSeconds {
			break
		}
	}
	// A few steps alone, each loss read at once.
	var synced []float64
	for i := 0; i < 3 && tr.Epoch() < cfg.Epochs; i++ {
		t0 := time.Now()
		if _, err := tr.Step(); err != nil {
			return Row{}, err
		}
		synced = append(synced, time.Since(t0).Seconds())
	}
	slices.Sort(synced)
	slices.Sort(times)
	points, hidden, layers := size.Data.N, size.Graph.Hidden, size.Graph.Layers
	row := Row{
		Points: points, Hidden: hidden, Layers: layers, MaddsPerEpoch: MAdds(points, hidden, layers),
		Steps: len(times) * chunk, StepSecondsMedian: Median(times), StepSecondsMin: times[0],
		PredictPasses: passes, PredictInputs: set.Val.Len(),
	}
	if len(synced) > 0 {
		row.SyncedSecondsMedian = Median(synced)
	}
	// Timed: the second call. The first builds what the sampler keeps (on
	// the GPU a machine: a CUDA context and its kernels), as PyTorch's
	// timing starts with its model and context already there.
	sampler := train.NewSampler(tr.Net, size.Workers)
	sampler.Ctx = ctx
	defer sampler.Close()
	if _, err := sampler.Bands(set.Val.X, passes, cfg.Seed); err != nil {
		return Row{}, err
	}
	t0 := time.Now()
	if _, err := sampler.Bands(set.Val.X, passes, cfg.Seed); err != nil {
		return Row{}, err
	}
	row.PredictSeconds = time.Since(t0).Seconds()
	row.PredictSecondsPass = row.PredictSeconds / float64(passes)
	return row, nil
}
