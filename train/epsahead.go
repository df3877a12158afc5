package train

import (
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/parallel"
)

// The training epsilon is counter-based (nodes.NormalAt): run d (from 1)
// uses draw d of the key philoxSeed(seed, streamEps), which is what a
// resident network's Noise nodes draw at step d. So the eps state is the
// count of draws used (Trainer.epsDraws), and a draw does not depend on
// which goroutine made it or when.

// epsAhead draws the next run's epsilon on another core while the graph
// runs the current one: with two or more workers (--threads) and enough
// weights to be worth a goroutine.
type epsAhead struct {
	next []*tensor.Dense // the fill in flight, or filled, for the next run
	done chan struct{}   // closed when that fill is finished; nil: none
	draw uint64          // the draw it holds
}

// fillEps puts the next run's epsilon (draw epsDraws+1) into the graph's
// eps nodes.
func (t *Trainer) fillEps() error {
	a := &t.ahead
	want := t.epsDraws + 1
	ready := false
	if a.done != nil {
		<-a.done
		a.done = nil
		ready = a.draw == want // else Restore moved the counter
	}
	if ready {
		if err := t.Net.SetEps(a.next); err != nil {
			return err
		}
	} else if err := t.Net.FillEpsAt(t.epsSeed, want); err != nil {
		return err
	}
	t.epsDraws = want
	t.zeroHeldEps()
	n := 0
	for _, e := range t.Net.Eps() {
		n += e.Shape().TotalSize()
	}
	if !aheadWorthIt(parallel.Workers(), n) {
		return nil
	}
	if a.next == nil {
		var err error
		if a.next, err = t.Net.EpsLike(); err != nil {
			return err
		}
	}
	a.draw = want + 1
	a.done = make(chan struct{})
	go func(set []*tensor.Dense, streams []uint64, seed, draw uint64, done chan struct{}) {
		graph.FillEpsSetAt(set, streams, seed, draw)
		close(done)
	}(a.next, t.Net.EpsStreams(), t.epsSeed, a.draw, a.done)
	return nil
}

// aheadWorthIt: a second worker, and at least parallel.MinChunk epsilon
// values to draw.
func aheadWorthIt(workers, n int) bool {
	return workers >= 2 && n >= parallel.MinChunk
}

// settleEps waits for a fill in flight and drops it.
func (t *Trainer) settleEps() {
	a := &t.ahead
	if a.done == nil {
		return
	}
	<-a.done
	a.done = nil
}
