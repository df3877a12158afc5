package train

import (
	"fmt"
	"math"

	"github.com/bbb-go/bbb/graph"
)

// A resident trainer takes minibatches, several draws per step and a
// learning-rate schedule as the host trainer does (batch.go, lrschedule.go),
// with every per-step setting passed to the device without a copy: the data
// set stays in device memory (graph.NewGathered) and each step gathers its
// rows by the host's permutation of the epoch (the same shuffle source,
// uploaded once per epoch); the KL weight is a store scalar; Adam's t and
// rate are kernel arguments; the draws' gradients are summed in the store
// and Adam applies their mean at the last draw.
//
// Its counters are the host trainer's: run r of the whole training (epoch
// e from 0, minibatch i of M, draw k of S) is r = (e·M + i)·S + k + 1, the
// epsilon counter (Philox draw r, the store's step, the loss log's slot)
// and the trainer's epsDraws; Adam's t is e·M + i + 1.

// newTrainGraph is the training graph of rows rows: a resident one holds
// the whole data set of dataRows rows (NewGathered: with minibatches, rows
// < dataRows, it gathers each run's; with the full batch it is New's).
func newTrainGraph(c Config, rows, dataRows int) (*graph.Network, error) {
	if c.Graph.Resident {
		return graph.NewGathered(c.Graph, dataRows, rows)
	}
	return graph.New(c.Graph, rows)
}

// rate is the learning rate of the epoch under way.
func (t *Trainer) rate() float64 {
	return t.Config.LRSchedule.Rate(t.Config.LearningRate, t.epoch)
}

// residentEpoch is stepMulti on a resident network: the epoch's runs back
// to back, then one read of their losses from the store's log. It returns
// the epoch's loss as stepMulti does (the sum over minibatches of the mean
// over draws). A NaN is seen when the log is read: the epoch's later steps
// have run.
func (t *Trainer) residentEpoch() (float64, error) {
	m, net := t.multi, t.Net
	steps := 1
	if m.batch.Size > 0 {
		steps = m.data.Len() / m.batch.Size
		if err := net.SetPermutation(m.rng.Perm(m.data.Len())); err != nil {
			return 0, err
		}
	}
	lr := t.rate()
	next := t.epoch + 1
	pull := next%t.Config.ReportEvery == 0 || next >= t.Config.Epochs
	var losses []float64
	read := t.epsDraws // the newest run read from the log
	for i := range steps {
		if t.ctx != nil {
			if err := t.ctx.Err(); err != nil {
				return 0, err // the epoch undone (its count unchanged), as stepMulti
			}
		}
		if m.batch.Size > 0 {
			if err := net.SetBatch(i); err != nil {
				return 0, err
			}
			if err := net.SetKLWeight(m.batch.Weighting.Weight(i, steps)); err != nil {
				return 0, err
			}
		}
		for k := range m.draws {
			if err := net.SetStep(t.epsDraws + 1); err != nil {
				return 0, err
			}
			if err := net.SetUpdate(uint64(t.epoch*steps+i+1), lr, k, m.draws); err != nil {
				return 0, err
			}
			if pull && i == steps-1 && k == m.draws-1 {
				net.Store.PullAfterRun()
			}
			err := t.vm.RunAll()
			net.Store.RunDone()
			t.vm.Reset()
			if err != nil {
				return 0, fmt.Errorf("train: epoch %d, step %d: %w", next, i+1, err)
			}
			t.epsDraws++
			if t.epsDraws-read == LossFlush || (i == steps-1 && k == m.draws-1) {
				// The log holds LossLogLen runs: read it every LossFlush.
				l, err := net.Store.Losses(read+1, t.epsDraws)
				if err != nil {
					return 0, err
				}
				losses, read = append(losses, l...), t.epsDraws
				t.logReads++
			}
		}
	}
	t.epoch++
	var total float64
	for i := range steps {
		var sum float64
		for _, l := range losses[i*m.draws : (i+1)*m.draws] {
			sum += l
		}
		total += sum / float64(m.draws)
		if math.IsNaN(total) || math.IsInf(total, 0) {
			return total, fmt.Errorf("%w at epoch %d: training loss is %v", ErrDiverged, t.epoch, total)
		}
	}
	return total, nil
}
