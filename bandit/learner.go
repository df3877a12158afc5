package bandit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// learner is one agent's network and its training: a graph of Batch rows
// (the BBB network, or its deterministic twin for epsilon-greedy agents)
// with its gradients and Adam, compiled once; every update refills its
// input tensors in place. Actions are picked on the host (actor).
type learner struct {
	agent Agent
	cfg   Config
	data  *data.Mushrooms
	rng   *rand.Rand // the agent's own: weight draws, exploration, minibatches

	net    *graph.Network // the BBB training graph (Agent.variational)
	vm     G.VM
	params []G.Value
	grads  []G.Value
	adam   *train.Adam // the means (every parameter of a twin)
	rhoOpt optimizer   // the BBB network's rhos (nil for a twin)
	// the learnables that adam and rhoOpt step (indices into params and
	// grads: the gradients' values are set by each run of the graph)
	meanIdx, rhoIdx []int
	pBuf, gBuf      []G.Value
	x, y            []float32 // the training graph's input tensors
	actor           *actor
	inputs          int // columns of a row: context and the two actions
	buf             buffer
	updates         int // Adam steps taken
	seen            int // interactions so far
	// fillEps draws the host BBB network's epsilons for an update (from
	// rng; the resident network draws its own)
	fillEps func() error
}

// buffer holds the latest interactions, oldest overwritten first.
type buffer struct {
	mushroom []int32
	action   []uint8
	reward   []float32
	n, next  int
}

func (b *buffer) push(m int32, a uint8, r float32) {
	if b.n < len(b.mushroom) {
		b.n++
	}
	b.mushroom[b.next], b.action[b.next], b.reward[b.next] = m, a, r
	b.next = (b.next + 1) % len(b.mushroom)
}

func newLearner(c Config, d *data.Mushrooms, a Agent, index int) (*learner, error) {
	gc := c.graph(d.Width)
	if !a.variational() {
		gc.Likelihood, gc.LikelihoodSigma = nil, 1 // the twin's loss is the squared error, whatever the BBB network's likelihood
	} else {
		gc.Resident = c.Resident
	}
	l := &learner{agent: a, cfg: c, data: d, inputs: d.Width + numActions,
		rng: rand.New(rand.NewPCG(c.Seed, streamAgent+16*uint64(index)))}
	l.buf = buffer{mushroom: make([]int32, c.Buffer), action: make([]uint8, c.Buffer), reward: make([]float32, c.Buffer)}
	net, err := graph.New(gc, c.Batch)
	if err != nil {
		return nil, err
	}
	// Every agent starts from the same weights (one init stream per seed).
	if err := net.Init(rand.New(rand.NewPCG(c.Seed, streamInit))); err != nil {
		return nil, err
	}
	var g *G.ExprGraph
	var params, grads, xy G.Nodes
	var tw *twin
	if a.variational() {
		if err := net.Differentiate(); err != nil {
			return nil, err
		}
		l.net, g, params, grads, xy = net, net.Graph, net.Learnables(), net.Grads, G.Nodes{net.X, net.Y}
		if net.Store != nil {
			grads = nil // (Adam runs in the graph: resident.go)
		}
	} else {
		if tw, err = newTwin(gc, c.Batch, net); err != nil {
			return nil, err
		}
		g, params, grads, xy = tw.g, tw.params, tw.grads, G.Nodes{tw.x, tw.y}
	}
	l.grads = make([]G.Value, len(grads))
	for i, gr := range grads {
		G.Read(gr, &l.grads[i])
	}
	for _, p := range params {
		l.params = append(l.params, p.Value())
	}
	// The actor reads each layer's parameters, and the rhos take their own
	// optimiser: both found by the learnables' names, not positions.
	views, rhos, err := layerViews(net, tw)
	if err != nil {
		return nil, err
	}
	l.actor = newActor(views, d.Width)
	if l.adam, err = train.NewAdam(c.LR); err != nil {
		return nil, err
	}
	for i, p := range params {
		if rhos[p] {
			l.rhoIdx = append(l.rhoIdx, i)
		} else {
			l.meanIdx = append(l.meanIdx, i)
		}
	}
	switch {
	case net.Store != nil:
		if err := l.residentAdam(index); err != nil {
			return nil, err
		}
	case a.variational():
		if l.rhoOpt, err = newRhoOptimizer(c); err != nil {
			return nil, err
		}
		l.fillEps = func() error { return l.net.FillEps(l.rng) }
	}
	if l.x, err = floats(xy[0]); err != nil {
		return nil, err
	}
	if l.y, err = floats(xy[1]); err != nil {
		return nil, err
	}
	l.vm = G.NewTapeMachine(g)
	return l, nil
}

// residentAdam puts Adam in a resident network's graph: the means (and a
// learned likelihood scale) at LR, the rhos at RhoLR, and the epsilon
// draws of agent index's own Philox stream.
func (l *learner) residentAdam(index int) error {
	c := l.cfg.WithDefaults()
	l.net.Store.Seed = train.PhiloxSeed(c.Seed, streamAgent+16*uint64(index)+1)
	if err := l.net.AddAdam(nodes.AdamConfig{LR: c.LR}); err != nil {
		return err
	}
	params := l.net.Params() // (Learnables' order: l.rhoIdx indexes both)
	for _, i := range l.rhoIdx {
		if err := l.net.Store.ScaleRate(params[i], c.RhoLR/c.LR); err != nil {
			return err
		}
	}
	return nil
}

// layerViews are the actor's views of each layer's parameters, found by
// name: the BBB network's means and rhos, or its twin's weights (tw not
// nil); and the set of the BBB network's rho nodes (empty for a twin).
func layerViews(net *graph.Network, tw *twin) ([]layerView, map[*G.Node]bool, error) {
	views := make([]layerView, 0, len(net.Layers))
	rhos := map[*G.Node]bool{}
	for i := range net.Layers {
		lp, err := net.LayerParams(i)
		if err != nil {
			return nil, nil, err
		}
		v := layerView{in: lp.WMu.Shape()[0], out: lp.WMu.Shape()[1]}
		if tw != nil {
			v.wMu, v.bMu = f32(tw.layers[i].w.Value()), f32(tw.layers[i].b.Value())
		} else {
			v.wMu, v.wRho, v.bMu, v.bRho = f32(lp.WMu.Value()), f32(lp.WRho.Value()), f32(lp.BMu.Value()), f32(lp.BRho.Value())
			rhos[lp.WRho], rhos[lp.BRho] = true, true
		}
		views = append(views, v)
	}
	return views, rhos, nil
}

func f32(v G.Value) []float32 { return v.(*tensor.Dense).Float32s() }

func floats(n *G.Node) ([]float32, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("bandit: node %s does not hold a float32 tensor", n.Name())
	}
	return d.Float32s(), nil
}

// setRow writes mushroom m's context and action a into row (zeroed first).
func (l *learner) setRow(row []float32, m int32, a uint8) {
	clear(row)
	for _, j := range l.data.Hot[m] {
		row[j] = 1
	}
	row[l.data.Width+int(a)] = 1
}

// choose returns whether the agent eats mushroom m: Thompson sampling
// draws one set of weights and takes the action of higher predicted
// reward; epsilon-greedy explores with probability Epsilon and otherwise
// takes the action the mean network predicts to pay more (ties: pass).
// finite is false when a predicted reward is NaN or infinite: the
// network has diverged.
func (l *learner) choose(m int32) (eats, finite bool) {
	if !l.agent.Thompson && l.agent.Epsilon > 0 && l.rng.Float64() < l.agent.Epsilon {
		return l.rng.IntN(numActions) == eat, true
	}
	var rng *rand.Rand
	if l.agent.Thompson {
		rng = l.rng
	}
	out := l.actor.predict(l.data.Hot[m], rng)
	finite = !math.IsNaN(float64(out[eat]-out[actionPass])) && !math.IsInf(float64(out[eat]-out[actionPass]), 0)
	return out[eat] > out[actionPass], finite
}

// learn stores the interaction and takes Config.Updates minibatch steps on
// the buffer: rows drawn uniformly with replacement, the KL weighted by
// Batch/t for t interactions seen (the minibatch's share of the ELBO of
// all the data, Blundell et al. eq. 8, the buffer a sample of it), or by
// Batch/n for the n stored (Config.KLBuffer).
//
// A cancelled ctx stops it between two updates with errStopped: a step of
// many updates (--updates in the hundreds) would otherwise outlast the
// second a stop is given, and the regret of the steps done be lost.
func (l *learner) learn(ctx context.Context, m int32, eats bool, reward float64) error {
	a := uint8(actionPass)
	if eats {
		a = eat
	}
	l.buf.push(m, a, float32(reward))
	l.seen++
	if l.agent.variational() {
		n := l.seen
		if l.cfg.KLBuffer {
			n = l.buf.n
		}
		if err := l.net.SetKLWeight(float64(l.cfg.Batch) / float64(n)); err != nil {
			return err
		}
	}
	for u := range l.cfg.Updates {
		if ctx.Err() != nil {
			return errStopped
		}
		for r := range l.cfg.Batch {
			k := l.rng.IntN(l.buf.n)
			l.setRow(l.x[r*l.inputs:(r+1)*l.inputs], l.buf.mushroom[k], l.buf.action[k])
			l.y[r] = l.buf.reward[k]
		}
		switch {
		case l.net != nil && l.net.Store != nil:
			l.net.ReloadInputs()
			if u == l.cfg.Updates-1 {
				l.net.Store.PullAfterRun() // (the actor reads the host parameters)
			}
			if err := l.residentStep(); err != nil {
				return err
			}
			continue
		case l.agent.variational():
			if err := l.fillEps(); err != nil {
				return err
			}
		}
		if err := l.step(); err != nil {
			return err
		}
	}
	return nil
}

func (l *learner) step() error {
	defer l.vm.Reset()
	if err := l.vm.RunAll(); err != nil {
		return fmt.Errorf("bandit: %s: update %d: %w", l.agent.Name, l.updates+1, err)
	}
	l.updates++
	if err := l.adam.Step(l.pick(l.meanIdx)); err != nil {
		return err
	}
	if l.rhoOpt != nil {
		return l.rhoOpt.Step(l.pick(l.rhoIdx))
	}
	return nil
}

// errStopped is a step that a cancelled context cut short: not done.
var errStopped = errors.New("bandit: step stopped")

// residentStep runs one update of a resident network: its epsilons are
// the draws of step updates+1, as Adam's t.
func (l *learner) residentStep() error {
	defer l.net.Store.RunDone()
	defer l.vm.Reset()
	if err := l.net.SetStep(uint64(l.updates + 1)); err != nil {
		return err
	}
	if err := l.vm.RunAll(); err != nil {
		return fmt.Errorf("bandit: %s: update %d: %w", l.agent.Name, l.updates+1, err)
	}
	l.updates++
	return nil
}

// pick returns the params and grads at idx (in buffers reused by the next
// pick).
func (l *learner) pick(idx []int) (params, grads []G.Value) {
	l.pBuf, l.gBuf = l.pBuf[:0], l.gBuf[:0]
	for _, i := range idx {
		l.pBuf, l.gBuf = append(l.pBuf, l.params[i]), append(l.gBuf, l.grads[i])
	}
	return l.pBuf, l.gBuf
}

func (l *learner) close() { l.vm.Close() }
