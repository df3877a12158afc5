package bandit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bbb-go/bbb/data"
)

// Result is a run's cumulative regrets.
type Result struct {
	Agents []Agent
	// Steps are the steps at which the regret was recorded: every
	// Config.Every steps and the last step done.
	Steps []int
	// Regret[a][k] is agent a's cumulative regret after Steps[k].
	Regret [][]float64
	// Done is Config.Steps, or when stopped the last multiple of
	// Config.Every that every agent completed.
	Done int
	// Per agent, over the Done steps: poisonous mushrooms eaten, edible
	// ones passed, and the agent's wall time.
	PoisonEaten, EdiblePassed []int
	Seconds                   []float64
	// MeanSigma is, per agent, the mean sigma = log(1 + e^rho) of the BBB
	// network's weights and biases after its last step (0 for a twin, and
	// for a network that diverged).
	MeanSigma []float64
	// NoiseSigma is, per agent, the learned likelihood scale after its
	// last step (Config.Likelihood graph.LikLearned; 0 otherwise).
	NoiseSigma []float64
	// Diverged, if not nil, is the agent whose network diverged and the
	// step: the run stopped there for every agent (Run's error).
	Diverged *DivergedError
}

// A DivergedError is an agent whose network predicted a reward that is
// not finite (NaN or infinite) at a step: its weights have diverged, and
// the run stops, keeping the regret of the steps before it.
type DivergedError struct {
	Agent string  `json:"agent"`
	Step  int     `json:"step"`
	Seed  *uint64 `json:"seed,omitempty"` // the seed's run, of several (Seeds)
}

func (e *DivergedError) Error() string {
	of := ""
	if e.Seed != nil {
		of = fmt.Sprintf(" of seed %d", *e.Seed)
	}
	lower := "--lr" // (a twin: its rhos are the BBB network's alone)
	if e.Agent == "bbb" || strings.HasPrefix(e.Agent, "bbb-") {
		lower = "--lr or --rho-lr"
	}
	return fmt.Sprintf("bandit: agent %s diverged at step %d%s: its predicted reward is not finite (lower %s)", e.Agent, e.Step, of, lower)
}

// Final is agent a's cumulative regret after Done steps (0 before any).
func (r *Result) Final(a int) float64 {
	if len(r.Regret[a]) == 0 {
		return 0
	}
	return r.Regret[a][len(r.Regret[a])-1]
}

// trace is one agent's record, written by its goroutine only.
type trace struct {
	regret       []float64 // cumulative, after each multiple of Every
	poison, pass []int     // the same, of the counts
	final        float64   // cumulative, after done steps
	finalPoison  int       // the counts after done steps
	finalPass    int
	done         int
	seconds      float64
	sigma        float64 // the learner's meanSigma at the end
	noise        float64 // and its noiseSigma
	err          error
}

// Run plays c.Steps rounds of the mushroom bandit (drawn from c.Seed) with
// every agent of c, each in its own goroutine. When ctx is cancelled, or an
// agent's network diverges (a *DivergedError), the agents stop within a
// step and Run returns the regret of the steps every agent completed, with
// ctx's error or the divergence.
func Run(parent context.Context, d *data.Mushrooms, c Config) (*Result, error) {
	ctx, stop := context.WithCancelCause(parent)
	defer stop(nil)
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	learners := make([]*learner, len(c.Agents))
	for i, a := range c.Agents {
		var err error
		if learners[i], err = newLearner(c, d, a, i); err != nil {
			for _, l := range learners[:i] {
				l.close()
			}
			return nil, err
		}
	}
	traces := make([]trace, len(c.Agents))
	progress := newProgress(len(c.Agents), 10*c.Every, c.Progress)
	var wg sync.WaitGroup
	for i, l := range learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.close()
			var onStep func(int, bool, float64)
			if c.Progress != nil {
				onStep = func(step int, _ bool, _ float64) { progress.done(i, step+1) }
			}
			traces[i] = play(ctx, l, NewEnv(c.Seed, d.Len()), c.Steps, c.Every, onStep)
			if de := (*DivergedError)(nil); errors.As(traces[i].err, &de) {
				stop(de) // (every agent stops; the first cause stays)
				traces[i].err = nil
			}
		}()
	}
	wg.Wait()
	res := &Result{Agents: c.Agents, Done: c.Steps}
	for _, t := range traces {
		if t.err != nil {
			return nil, t.err
		}
		res.Done = min(res.Done, t.done)
	}
	if res.Done < c.Steps {
		res.Done -= res.Done % c.Every // a step all agents have recorded
	}
	for k := c.Every; k <= res.Done; k += c.Every {
		res.Steps = append(res.Steps, k)
	}
	if res.Done > 0 && res.Done%c.Every != 0 {
		res.Steps = append(res.Steps, res.Done)
	}
	for _, t := range traces {
		k := res.Done / c.Every
		r := slices.Clone(t.regret[:k])
		p, e := 0, 0
		if k > 0 {
			p, e = t.poison[k-1], t.pass[k-1]
		}
		if res.Done%c.Every != 0 { // (only when complete)
			r = append(r, t.final)
			p, e = t.finalPoison, t.finalPass
		}
		res.Regret = append(res.Regret, r)
		res.PoisonEaten = append(res.PoisonEaten, p)
		res.EdiblePassed = append(res.EdiblePassed, e)
		res.Seconds = append(res.Seconds, t.seconds)
		res.MeanSigma = append(res.MeanSigma, t.sigma)
		res.NoiseSigma = append(res.NoiseSigma, t.noise)
	}
	if res.Done < c.Steps {
		err := cancelled(ctx)
		errors.As(err, &res.Diverged)
		return res, err
	}
	return res, nil
}

func cancelled(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return errors.New("bandit: stopped early")
}

// play runs one agent through steps rounds of env, stopping early on ctx.
// onStep, if not nil, sees every step's action and cumulative regret.
func play(ctx context.Context, l *learner, env *Env, steps, every int, onStep func(i int, eats bool, cum float64)) trace {
	t0 := time.Now()
	n := min(steps/every, 1<<12) // (append grows it: a huge --steps allocates as it goes)
	t := trace{regret: make([]float64, 0, n), poison: make([]int, 0, n), pass: make([]int, 0, n)}
	var cum float64
	var poison, pass int
	for i := range steps {
		if ctx.Err() != nil {
			break
		}
		r := env.Next()
		edible := l.data.Edible[r.Mushroom]
		eats, finite := l.choose(r.Mushroom)
		if !finite {
			t.err = &DivergedError{Agent: l.agent.Name, Step: i + 1}
			break
		}
		cum += Regret(edible, eats, r.Lucky)
		if eats && !edible {
			poison++
		}
		if !eats && edible {
			pass++
		}
		if onStep != nil {
			onStep(i, eats, cum)
		}
		if err := l.learn(ctx, r.Mushroom, eats, Reward(edible, eats, r.Lucky)); errors.Is(err, errStopped) {
			break // (step i+1 is not done: its updates were cut short)
		} else if err != nil {
			t.err = fmt.Errorf("bandit: step %d: %w", i+1, err)
			return t
		}
		t.done, t.final, t.finalPoison, t.finalPass = i+1, cum, poison, pass
		if t.done%every == 0 {
			t.regret, t.poison, t.pass = append(t.regret, cum), append(t.poison, poison), append(t.pass, pass)
		}
	}
	t.seconds = time.Since(t0).Seconds()
	if s := l.meanSigma(); !math.IsNaN(s) && !math.IsInf(s, 0) {
		t.sigma = s
	}
	if s := l.noiseSigma(); !math.IsNaN(s) && !math.IsInf(s, 0) {
		t.noise = s
	}
	return t
}

// progress reports the steps every agent has done, each multiple of
// period once: the agents run at their own speeds (the BBB agent's step
// costs more), so one agent's count would overstate what a stop keeps.
type progress struct {
	mu       sync.Mutex
	steps    []int
	period   int
	reported int
	report   func(done int)
}

func newProgress(agents, period int, report func(int)) *progress {
	return &progress{steps: make([]int, agents), period: period, report: report}
}

// done records that agent a has done n steps, and reports the steps all
// agents have done when that passes a multiple of the period.
func (p *progress) done(a, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps[a] = n
	all := slices.Min(p.steps)
	if m := all - all%p.period; m > p.reported {
		p.reported = m
		p.report(m)
	}
}
