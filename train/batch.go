package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// KLWeighting is how minibatch i of an epoch's M weights the KL (see
// graph/klweight.go: the weights sum to 1 over the epoch).
type KLWeighting int

const (
	// Uniform weights every minibatch 1/M.
	Uniform KLWeighting = iota
	// Blundell weights minibatch i = 1..M by 2^(M-i)/(2^M-1) (Blundell et
	// al. 2015, §3.4): the KL counts most in the epoch's first batches.
	Blundell
)

// String is the flag spelling: "uniform" or "blundell".
func (w KLWeighting) String() string {
	switch w {
	case Uniform:
		return "uniform"
	case Blundell:
		return "blundell"
	}
	return fmt.Sprintf("KLWeighting(%d)", int(w))
}

// ParseKLWeighting reads "uniform" or "blundell".
func ParseKLWeighting(s string) (KLWeighting, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "blundell":
		return Blundell, nil
	}
	return 0, fmt.Errorf("train: KL weighting %q: want uniform or blundell", s)
}

// Weight is the KL weight of minibatch i (0-based) of m. Blundell's is
// computed as 2^-(i+1)/(1-2^-m), which is finite for any m.
func (w KLWeighting) Weight(i, m int) float64 {
	if w == Blundell {
		return math.Exp2(-float64(i+1)) / -math.Expm1(-float64(m)*math.Ln2)
	}
	return 1 / float64(m)
}

// Batch configures minibatch training. The zero value is the seed's full
// batch (one step per epoch, KL weight 1/NBatch).
type Batch struct {
	// Size is the rows per step (0: all training points). Each epoch
	// reshuffles the training set from the seed and takes M = N/Size
	// steps; the N mod Size points left over sit out that epoch.
	Size      int
	Weighting KLWeighting
}

// streamShuffle is the minibatch shuffles' PCG stream. It is an explicit
// value, far from streamPredict + s (streams.go).
const streamShuffle uint64 = 0x73687566666c65 // "shuffle"

// multi is a Trainer's state for minibatches and several draws per step.
type multi struct {
	data    data.Split
	batch   Batch
	draws   int
	rng     *rand.Rand
	x, y    []float64
	acc     []*tensor.Dense // gradient sums over draws
	accVals []G.Value
}

func (c Config) multiStep() bool { return c.Batch.Size > 0 || c.MCSamples > 1 }

func (c Config) validateMulti() error {
	if c.Batch.Size < 0 {
		return fmt.Errorf("train: batch size %d: need a value >= 0 (0: full batch)", c.Batch.Size)
	}
	if c.Batch.Weighting != Uniform && c.Batch.Weighting != Blundell {
		return fmt.Errorf("train: KL weighting %v: want Uniform or Blundell", c.Batch.Weighting)
	}
	if c.MCSamples < 0 {
		return fmt.Errorf("train: mc samples %d: need a value >= 1", c.MCSamples)
	}
	return nil
}

// newMulti sets t up for minibatches and draws; it returns the rows of the
// training graph.
func newMulti(c Config, train data.Split) (*multi, int, error) {
	n := train.Len()
	if c.Batch.Size > n {
		return nil, 0, fmt.Errorf("train: batch size %d: over the %d training points", c.Batch.Size, n)
	}
	m := &multi{data: train, batch: c.Batch, draws: max(1, c.MCSamples), rng: rand.New(rand.NewPCG(c.Seed, streamShuffle))}
	rows := n
	if c.Batch.Size > 0 {
		rows = c.Batch.Size
		m.x, m.y = make([]float64, rows*width(train)), make([]float64, rows*outWidth(train))
	}
	return m, rows, nil
}

// replayShuffles draws the shuffles of the first epochs, as a run that
// took them did: a resumed run then takes the minibatches of an
// uninterrupted one (the shuffle state is a function of the epoch, so the
// checkpoint format need not hold it). Nothing for m nil; with full
// batches the shuffle source is unused and its state does not matter.
func (m *multi) replayShuffles(epochs int) {
	if m == nil {
		return
	}
	for range epochs {
		m.rng.Perm(m.data.Len())
	}
}

// stepMulti is Step with minibatches and/or several draws: one epoch of M
// steps, each averaging the loss and gradient over the draws before one
// Adam update. It returns the sum of the steps' losses (the epoch's
// negative ELBO estimate: the weights sum to 1).
func (t *Trainer) stepMulti() (float64, error) {
	m := t.multi
	steps, size := 1, m.data.Len()
	var perm []int
	if m.batch.Size > 0 {
		size = m.batch.Size
		steps = m.data.Len() / size
		perm = m.rng.Perm(m.data.Len())
	}
	var total float64
	for i := 0; i < steps; i++ {
		if t.ctx != nil {
			// An MNIST epoch is 390 steps and seconds long: stop between
			// steps, leaving the epoch undone (its count unchanged).
			if err := t.ctx.Err(); err != nil {
				return total, err
			}
		}
		if perm != nil {
			gather(m.data, perm[i*size:(i+1)*size], m.x, m.y)
			if err := graph.SetValues(t.Net.X, m.x); err != nil {
				return 0, err
			}
			if err := graph.SetValues(t.Net.Y, m.y); err != nil {
				return 0, err
			}
			if err := t.Net.SetKLWeight(m.batch.Weighting.Weight(i, steps)); err != nil {
				return 0, err
			}
		}
		loss, err := t.draws(m.draws)
		if err != nil {
			return 0, fmt.Errorf("train: epoch %d, step %d: %w", t.epoch+1, i+1, err)
		}
		total += loss
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			break
		}
		if err := t.adam.Step(t.params, m.accVals); err != nil {
			return total, err
		}
		t.restoreHeld()
	}
	t.epoch++
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return total, fmt.Errorf("%w at epoch %d: training loss is %v", ErrDiverged, t.epoch, total)
	}
	return total, nil
}

// draws runs the graph s times, each on fresh epsilon, and leaves the mean
// gradient in multi.accVals; it returns the mean loss.
func (t *Trainer) draws(s int) (float64, error) {
	m := t.multi
	if m.acc == nil {
		// Shapes and dtype from the learnable each gradient belongs to.
		for _, p := range t.params {
			d := p.(*tensor.Dense)
			a := tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(d.Shape().Clone()...))
			m.acc = append(m.acc, a)
			m.accVals = append(m.accVals, a)
		}
	}
	var sum float64
	for k := 0; k < s; k++ {
		if err := t.fillEps(); err != nil {
			return 0, err
		}
		if err := t.vm.RunAll(); err != nil {
			t.vm.Reset()
			return 0, err
		}
		loss, err := graph.Scalar(t.loss)
		if err != nil {
			t.vm.Reset()
			return 0, err
		}
		sum += loss
		for i, g := range t.grads {
			if err := accumulate(m.acc[i], g, k == 0); err != nil {
				t.vm.Reset()
				return 0, err
			}
		}
		t.vm.Reset()
	}
	if s > 1 {
		for _, a := range m.acc {
			scale(a, 1/float64(s))
		}
	}
	return sum / float64(s), nil
}

// accumulate sets (first) or adds g into a.
func accumulate(a *tensor.Dense, g G.Value, first bool) error {
	switch dst := a.Data().(type) {
	case []float32:
		src, ok := g.Data().([]float32)
		if !ok || len(src) != len(dst) {
			return fmt.Errorf("train: gradient %T of %v for %v", g.Data(), g.Shape(), a.Shape())
		}
		if first {
			copy(dst, src)
			return nil
		}
		for i, v := range src {
			dst[i] += v
		}
	case []float64:
		src, ok := g.Data().([]float64)
		if !ok || len(src) != len(dst) {
			return fmt.Errorf("train: gradient %T of %v for %v", g.Data(), g.Shape(), a.Shape())
		}
		if first {
			copy(dst, src)
			return nil
		}
		for i, v := range src {
			dst[i] += v
		}
	}
	return nil
}

func scale(a *tensor.Dense, f float64) {
	switch d := a.Data().(type) {
	case []float32:
		for i := range d {
			d[i] *= float32(f)
		}
	case []float64:
		for i := range d {
			d[i] *= f
		}
	}
}

// width is the inputs per row; outWidth the targets per row.
func width(s data.Split) int    { return max(1, s.Inputs) }
func outWidth(s data.Split) int { return len(s.Y) / max(1, s.Len()) }

// gather copies the rows idx of s into x and y (row-major, len(idx) rows).
func gather(s data.Split, idx []int, x, y []float64) {
	in, out := width(s), outWidth(s)
	for r, j := range idx {
		copy(x[r*in:(r+1)*in], s.X[j*in:(j+1)*in])
		copy(y[r*out:(r+1)*out], s.Y[j*out:(j+1)*out])
	}
}
