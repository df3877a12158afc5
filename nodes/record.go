package nodes

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LossLogLen is how many steps the store's loss log holds: a reader must
// call Losses at least every LossLogLen steps.
const LossLogLen = 4096

// lossLog is the host side of the loss log: the ring itself on the CPU,
// and on both the newest step written.
type lossLog struct {
	ring []float64 // step t at (t-1) % LossLogLen (the CPU's Do)
	last uint64    // the newest step recorded; 0: none
}

// Record returns a scalar node that, at every run, writes loss (a scalar
// node) into the store's loss log under the run's step (SetStep), where
// the graph runs. Losses reads the log.
//
// Why: on the GPU, reading a value back waits for all the work queued
// before it. A trainer that reads the loss after every step leaves the GPU
// idle while the host starts the next one; with Record it reads the log
// every so many steps, and the host queues step t+1 while the GPU still
// runs step t.
func (s *ParamStore) Record(loss *G.Node) (*G.Node, error) {
	if loss == nil || !loss.IsScalar() {
		return nil, fmt.Errorf("%w: ParamStore.Record: want a scalar loss node", ErrShape)
	}
	if loss.Dtype() != s.dtype {
		return nil, fmt.Errorf("%w: ParamStore.Record: loss is %v, the store %v", ErrDtype, loss.Dtype(), s.dtype)
	}
	op := &recordOp{residentBase: residentBase{opBase{"record " + loss.Name()}, 0}, store: s}
	n, err := G.ApplyOp(op, loss)
	if err != nil {
		return nil, fmt.Errorf("nodes: Record: %w", err)
	}
	return n, nil
}

// recordSlot is where step t goes in the log, and records t as written.
func (s *ParamStore) recordSlot() (step uint64, slot int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.step < 1 {
		return 0, 0, fmt.Errorf("nodes: Record: step %d: SetStep(t) with t >= 1 before each run", s.step)
	}
	s.losses.last = s.step
	return s.step, int((s.step - 1) % LossLogLen), nil
}

// Losses returns the losses recorded at steps from..to (1-based, both
// included): the newest LossLogLen steps at most, none after the newest
// recorded. On the GPU it is one device-to-host copy, which waits for the
// runs queued before it.
func (s *ParamStore) Losses(from, to uint64) ([]float64, error) {
	s.mu.Lock()
	last := s.losses.last
	s.mu.Unlock()
	if from < 1 || to < from {
		return nil, fmt.Errorf("nodes: Losses(%d, %d): want 1 <= from <= to", from, to)
	}
	if to > last {
		return nil, fmt.Errorf("nodes: Losses(%d, %d): the newest step recorded is %d", from, to, last)
	}
	if last-from >= LossLogLen {
		return nil, fmt.Errorf("nodes: Losses(%d, %d): the log holds the newest %d steps (to %d)", from, to, LossLogLen, last)
	}
	return s.readLosses(from, to)
}

// hostLosses reads steps from..to from the CPU's ring.
func (s *ParamStore) hostLosses(from, to uint64) []float64 {
	ring := s.hostLossRing()
	var out []float64
	for _, seg := range logSegments(from, to) { // as the GPU's log is read
		out = append(out, ring[seg[0]:seg[1]]...)
	}
	return out
}

// logSegments splits the slots of steps from..to (at most LossLogLen of
// them) into at most two runs of consecutive slots, [start, end) each.
func logSegments(from, to uint64) [][2]int {
	a, b := int((from-1)%LossLogLen), int((to-1)%LossLogLen)
	if a <= b { // no wrap: LossLogLen steps at most end at the slot before their first
		return [][2]int{{a, b + 1}}
	}
	return [][2]int{{a, LossLogLen}, {0, b + 1}}
}

// hostLossRing is the CPU's ring, made on first use.
func (s *ParamStore) hostLossRing() []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.losses.ring == nil {
		s.losses.ring = make([]float64, LossLogLen)
		for i := range s.losses.ring {
			s.losses.ring[i] = math.NaN() // never read: Losses stops at the newest step
		}
	}
	return s.losses.ring
}

// recordOp writes its input into the loss log and returns it.
type recordOp struct {
	residentBase
	store *ParamStore
}

func (op *recordOp) Arity() int                                     { return 1 }
func (op *recordOp) Type() hm.Type                                  { return hm.NewFnType(elem, elem) }
func (op *recordOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *recordOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "%s %p", op.name, op.store) }
func (op *recordOp) Hashcode() uint32                               { return hashOf(op) }
func (op *recordOp) DiffWRT(int) []bool                             { return []bool{false} }
func (op *recordOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}

func (op *recordOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("nodes: %s: want 1 input, got %d", op.name, len(in))
	}
	v, err := ScalarValue(in[0])
	if err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	ring := op.store.hostLossRing()
	_, slot, err := op.store.recordSlot()
	if err != nil {
		return nil, err
	}
	ring[slot] = v
	if op.store.dtype == tensor.Float32 {
		return G.NewF32(float32(v)), nil
	}
	return G.NewF64(v), nil
}
