package train

import (
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/parallel"
)

// epsAhead draws the next run's epsilon on another core while the graph
// runs the current one: with two or more workers (--threads) and enough
// weights to be worth a goroutine. The draws and their order are
// FillEps's, so a seed gives the same numbers either way. While a fill is
// in flight the eps source is ahead of what the run has used; settle puts
// it back (checkpoints save it, Restore overwrites it).
type epsAhead struct {
	next   []*tensor.Dense // the fill in flight, or filled, for the next run
	done   chan struct{}   // closed when that fill is finished; nil: none
	before rand.PCG        // the eps source before that fill
}

// fillEps puts the next run's epsilon into the graph's eps nodes.
func (t *Trainer) fillEps() error {
	a := &t.ahead
	if a.done == nil {
		if err := t.Net.FillEps(t.epsRNG); err != nil {
			return err
		}
	} else {
		<-a.done
		a.done = nil
		if err := t.Net.SetEps(a.next); err != nil {
			return err
		}
	}
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
	a.before = *t.epsSrc
	a.done = make(chan struct{})
	go func(set []*tensor.Dense, done chan struct{}) {
		graph.FillEpsInto(set, t.epsRNG)
		close(done)
	}(a.next, a.done)
	return nil
}

// aheadWorthIt: a second worker, and at least parallel.MinChunk epsilon
// values to draw.
func aheadWorthIt(workers, n int) bool {
	return workers >= 2 && n >= parallel.MinChunk
}

// settleEps waits for a fill in flight and drops it, putting the eps
// source back to where the runs so far have left it.
func (t *Trainer) settleEps() {
	a := &t.ahead
	if a.done == nil {
		return
	}
	<-a.done
	a.done = nil
	*t.epsSrc = a.before
}
