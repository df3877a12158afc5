package bandit

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// small is a quick configuration for the package's tests (the full-size
// 1000-step run is cmd/bbb's TestBandit1000Steps).
func small(steps int, seed uint64) Config {
	agents, _ := ParseAgents("bbb,greedy,eps5")
	return Config{Agents: agents, Steps: steps, Seed: seed, Every: 100, Hidden: 16, Batch: 16}
}

func TestSameSeedSameTrajectory(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed uint64) *Result {
		r, err := Run(context.Background(), d, small(250, seed))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, other := run(4), run(4), run(5)
	if !slices.Equal(a.Steps, []int{100, 200, 250}) || a.Done != 250 {
		t.Fatalf("steps %v, done %d; want [100 200 250], 250", a.Steps, a.Done)
	}
	same := true
	for i := range a.Agents {
		if !slices.Equal(a.Regret[i], b.Regret[i]) || a.PoisonEaten[i] != b.PoisonEaten[i] {
			t.Errorf("%s: seed 4 twice gave %v and %v", a.Agents[i].Name, a.Regret[i], b.Regret[i])
		}
		same = same && slices.Equal(a.Regret[i], other.Regret[i])
	}
	if same {
		t.Error("seeds 4 and 5 gave the same regrets")
	}
}

// The recorded regret is the running sum of the steps' regrets, read at
// the recorded steps.
func TestRegretArithmetic(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c := small(230, 9).WithDefaults()
	rounds := Rounds(c.Seed, c.Steps, d.Len())
	l, err := newLearner(c, d, c.Agents[2], 2) // eps5: both actions occur
	if err != nil {
		t.Fatal(err)
	}
	var cum float64
	var records []float64
	poison, pass, ate := 0, 0, 0
	tr := play(context.Background(), l, NewEnv(c.Seed, d.Len()), c.Steps, c.Every, func(i int, eats bool, got float64) {
		r := rounds[i]
		edible := d.Edible[r.Mushroom]
		cum += Regret(edible, eats, r.Lucky)
		if got != cum {
			t.Fatalf("step %d: cumulative regret %v, want %v", i+1, got, cum)
		}
		if eats && !edible {
			poison++
		}
		if !eats && edible {
			pass++
		}
		if eats {
			ate++
		}
		if (i+1)%c.Every == 0 {
			records = append(records, cum)
		}
	})
	l.close()
	if tr.final != cum || tr.finalPoison != poison || tr.finalPass != pass || tr.done != len(rounds) {
		t.Errorf("final %v, counts %d %d, done %d; want %v, %d %d %d", tr.final, tr.finalPoison, tr.finalPass, tr.done, cum, poison, pass, len(rounds))
	}
	if !slices.Equal(tr.regret, records) || len(records) != c.Steps/c.Every {
		t.Errorf("records %v, want %v", tr.regret, records)
	}
	if ate == 0 || ate == len(rounds) {
		t.Errorf("the agent ate %d of %d: want both actions", ate, len(rounds))
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stop")
	time.AfterFunc(1500*time.Millisecond, func() { cancel(stop) })
	t0 := time.Now()
	r, err := Run(ctx, d, small(200_000, 1))
	if !errors.Is(err, stop) {
		t.Fatalf("err %v, want the cancel cause", err)
	}
	if el := time.Since(t0); el > 6500*time.Millisecond {
		t.Errorf("stopped after %v", el)
	}
	if r.Done < 100 || r.Done >= 200_000 || r.Done%100 != 0 || r.Steps[len(r.Steps)-1] != r.Done {
		t.Errorf("done %d, steps %v", r.Done, r.Steps[max(0, len(r.Steps)-2):])
	}
}

func TestConfigValidate(t *testing.T) {
	ok := small(10, 1)
	if err := ok.WithDefaults().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"no agents":      {Steps: 10},
		"negative steps": func() Config { c := ok; c.Steps = -1; return c }(),
		"negative lr":    func() Config { c := ok; c.LR = -1; return c }(),
		"negative batch": func() Config { c := ok; c.Batch = -2; return c }(),
		"epsilon 1":      func() Config { c := ok; c.Agents = []Agent{{Name: "x", Epsilon: 1}}; return c }(),
		"thompson at the means": func() Config {
			c := ok
			c.Agents = []Agent{{Name: "x", Thompson: true, PosteriorMean: true}}
			return c
		}(),
		"thompson exploring":   func() Config { c := ok; c.Agents = []Agent{{Name: "x", Thompson: true, Epsilon: 0.1}}; return c }(),
		"resident with sgd":    func() Config { c := ok; c.Resident, c.RhoSGD = true, true; return c }(),
		"rho lr rounding to 0": func() Config { c := ok; c.RhoLR = 1e-320; return c }(),
	} {
		if err := c.WithDefaults().Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Config.Likelihood and Sigma are the BBB network's alone: a learned or
// heteroscedastic scale, or another fixed one, changes BBB's trajectory
// and leaves the twins' (which fit the squared error) as they were. Result.NoiseSigma is the
// learned scale, moved from its start (Sigma, 1), and 0 for the others.
func TestLikelihoodIsBBBs(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := Run(context.Background(), d, small(200, 3))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lik   graph.Likelihood
		sigma float64
	}{{graph.LikLearned{}, 0}, {graph.LikHetero{}, 0}, {nil, 1e5}} { // (σ 1e5: the twins' Adam would feel it through its epsilon)
		lik := tc.lik
		c := small(200, 3)
		c.Likelihood, c.Sigma = lik, tc.sigma
		r, err := Run(context.Background(), d, c)
		if err != nil {
			t.Fatalf("%v: %v", lik, err)
		}
		for i, a := range r.Agents {
			same := slices.Equal(r.Regret[i], fixed.Regret[i]) && r.PoisonEaten[i] == fixed.PoisonEaten[i] &&
				r.EdiblePassed[i] == fixed.EdiblePassed[i]
			if same == a.Thompson {
				t.Errorf("%v: %s regret %v, with the fixed scale %v", lik, a.Name, r.Regret[i], fixed.Regret[i])
			}
			learned := a.Thompson && lik == graph.LikLearned{}
			if s := r.NoiseSigma[i]; learned != (s > 0) || learned && math.Abs(s-1) < 1e-4 {
				t.Errorf("%v: %s learned likelihood sigma %v", lik, a.Name, s)
			}
		}
	}
}

// errAfter is a context cancelled from its n-th Err call on.
type errAfter struct {
	context.Context
	calls, n int
}

func (c *errAfter) Err() error {
	if c.calls++; c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// A stop between two updates of a step ends the run there: the step is
// not done (its regret not recorded) and no further update runs. A step of
// many updates (--updates 1000) used to run to its end, past the second a
// stop is given, and the interrupted run lost every step done.
func TestStopBetweenUpdates(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Agents: []Agent{{Name: "bbb", Thompson: true}}, Steps: 10, Every: 1, Hidden: 8, Batch: 4, Updates: 5, Seed: 1}.WithDefaults()
	l, err := newLearner(c, d, c.Agents[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	// Err calls: step 1 (1), its updates (2-6), step 2 (7), its updates (8-9), then cancelled.
	tr := play(&errAfter{Context: context.Background(), n: 10}, l, NewEnv(c.Seed, d.Len()), c.Steps, c.Every, nil)
	if tr.err != nil || tr.done != 1 || len(tr.regret) != 1 || l.updates != 7 {
		t.Errorf("err %v, %d steps done, %d recorded, %d updates; want none, 1, 1, 7", tr.err, tr.done, len(tr.regret), l.updates)
	}
}
