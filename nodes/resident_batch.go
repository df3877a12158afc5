package nodes

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
)

// The per-step settings of a resident run that minibatches, several draws
// per step and a learning-rate schedule change between runs. The host sets
// them before a run (SetUpdate, SetDraw, SetBatch, SetScalar); the ops read
// them when the run launches its kernels and pass them as kernel
// arguments, so a step copies nothing to the device and waits for nothing.
// Only the permutation (SetPermutation) is uploaded, once per epoch.
//
// The counters of a run (a trainer's epoch e from 0, minibatch i of M, draw
// k of S, all from 0) are
//
//	step (SetStep: the epsilon counter, the loss log's slot) = (e·M + i)·S + k + 1
//	Adam's t (SetUpdate)                                  = e·M + i + 1
//
// the host trainer's: its run r draws epsilon r, and its Adam counts updates.
// With M = S = 1 both are the epoch, as before.
type stepSchedule struct {
	lr          float64 // Adam's rate (0: Adam.LR)
	adamT       uint64  // Adam's t (0: the step)
	draw, draws int     // the run is draw draw of draws (0 of 1: no averaging)
	batchStart  int     // the first permutation entry the Gather nodes take
	perm        int     // 1 + the permutation's index in params (0: none yet)
	scalars     []float64
	scalarNames map[string]int
}

// SetUpdate sets Adam's t (from 1) and learning rate for the next runs. t 0
// means the step (SetStep); lr 0 means Adam.LR.
func (s *ParamStore) SetUpdate(t uint64, lr float64) error {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return fmt.Errorf("nodes: SetUpdate: learning rate %v: need a finite value >= 0 (0: Adam.LR)", lr)
	}
	s.mu.Lock()
	s.sched.adamT, s.sched.lr = t, lr
	s.mu.Unlock()
	return nil
}

// SetDraw makes the next run draw k (from 0) of draws averaged into one
// Adam update: the Adam nodes add the gradient of draws 0..draws-2 into a
// sum, and at the last apply Adam to the sum times 1/draws (the host
// trainer's mean, summed in the same order). draws 1 is a plain update.
func (s *ParamStore) SetDraw(k, draws int) error {
	if draws < 1 || k < 0 || k >= draws {
		return fmt.Errorf("nodes: SetDraw(%d, %d): need 0 <= k < draws", k, draws)
	}
	s.mu.Lock()
	s.sched.draw, s.sched.draws = k, draws
	s.mu.Unlock()
	return nil
}

// update is what an Adam node needs of the run under way.
type update struct {
	t           uint64
	lr          float64
	draw, draws int
	pull        bool
}

func (s *ParamStore) update() update {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := update{t: s.step, lr: s.Adam.LR, draw: s.sched.draw, draws: max(1, s.sched.draws), pull: s.pull}
	if s.sched.adamT > 0 {
		u.t = s.sched.adamT
	}
	if s.sched.lr > 0 {
		u.lr = s.sched.lr
	}
	return u
}

// accumulates: the run adds its gradient to the sum and updates nothing.
func (u update) accumulates() bool { return u.draw < u.draws-1 }

// Scalar returns a scalar node holding, at every run, the value last set
// by SetScalar(name, ...) (at first v): a per-step setting (the KL weight
// of a minibatch) that the graph reads without a host-to-device copy.
func (s *ParamStore) Scalar(step *G.Node, name string, v float64) (*G.Node, error) {
	if _, ok := s.sched.scalarNames[name]; ok {
		return nil, fmt.Errorf("nodes: Scalar %s: the store has one already", name)
	}
	if s.sched.scalarNames == nil {
		s.sched.scalarNames = map[string]int{}
	}
	s.sched.scalarNames[name] = len(s.sched.scalars)
	s.sched.scalars = append(s.sched.scalars, v)
	op := &scalarOp{residentBase: residentBase{opBase{"scalar " + name}, 0}, store: s, idx: len(s.sched.scalars) - 1}
	n, err := G.ApplyOp(op, step)
	if err != nil {
		return nil, fmt.Errorf("nodes: Scalar %s: %w", name, err)
	}
	G.WithName(name)(n)
	return n, nil
}

// SetScalar sets the value of the Scalar node name for the next runs.
func (s *ParamStore) SetScalar(name string, v float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.sched.scalarNames[name]
	if !ok {
		return fmt.Errorf("nodes: SetScalar: the store has no scalar %s", name)
	}
	s.sched.scalars[i] = v
	return nil
}

func (s *ParamStore) scalar(i int) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sched.scalars[i]
}

// scalarOp writes the store's current value of one scalar.
type scalarOp struct {
	residentBase
	store *ParamStore
	idx   int
}

func (op *scalarOp) Arity() int                                     { return 1 }
func (op *scalarOp) Type() hm.Type                                  { return hm.NewFnType(vectorType(), elem) }
func (op *scalarOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *scalarOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "%s %p %d", op.name, op.store, op.idx) }
func (op *scalarOp) Hashcode() uint32                               { return hashOf(op) }
func (op *scalarOp) DiffWRT(int) []bool                             { return []bool{false} }
func (op *scalarOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}
func (op *scalarOp) Do(...G.Value) (G.Value, error) {
	v := op.store.scalar(op.idx)
	if op.store.dtype == tensor.Float32 {
		return G.NewF32(float32(v)), nil
	}
	return G.NewF64(v), nil
}

// maxGatherRows is the most rows a Gather takes from: the permutation is
// held in the store's dtype, whose float32 holds every integer to 2^24.
const maxGatherRows = 1 << 24

// Gather returns a node of rows rows of data (a matrix the store keeps,
// never updated, as Data does): row r is row perm[start+r] of data, with
// perm the store's permutation (SetPermutation; at first 0, 1, 2, ...) and
// start the batch's first entry (SetBatch). The data set stays where the
// graph runs; a step reads only its minibatch. Every Gather of a store
// shares the permutation, so data must have the rows of the first.
func (s *ParamStore) Gather(step *G.Node, name string, data *tensor.Dense, rows int) (*G.Node, error) {
	if data == nil || data.Dtype() != s.dtype || data.Dims() != 2 {
		return nil, fmt.Errorf("%w: ParamStore.Gather %s: want a %v matrix", ErrDtype, name, s.dtype)
	}
	n, cols := data.Shape()[0], data.Shape()[1]
	if rows < 1 || rows > n || n > maxGatherRows {
		return nil, fmt.Errorf("%w: ParamStore.Gather %s: %d rows of %d (at most %d)", ErrShape, name, rows, n, maxGatherRows)
	}
	if s.sched.perm == 0 {
		// The first Gather: the permutation starts as the identity.
		id := tensor.New(tensor.Of(s.dtype), tensor.WithShape(n))
		setIdentity(id)
		s.params = append(s.params, &residentParam{name: permName, data: true, host: id})
		s.sched.perm = len(s.params)
	}
	perm := s.params[s.sched.perm-1].host
	if perm.Size() != n {
		return nil, fmt.Errorf("%w: ParamStore.Gather %s: %d rows, the permutation %d", ErrShape, name, n, perm.Size())
	}
	s.params = append(s.params, &residentParam{name: name, data: true, host: data})
	op := &gatherOp{residentBase: residentBase{opBase{"gather " + name}, 2}, store: s, idx: len(s.params) - 1, rows: rows, cols: cols}
	node, err := G.ApplyOp(op, step)
	if err != nil {
		return nil, fmt.Errorf("nodes: Gather %s: %w", name, err)
	}
	G.WithName(name)(node)
	return node, nil
}

const permName = "permutation"

func setIdentity(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(i)
		}
	case []float64:
		for i := range d {
			d[i] = float64(i)
		}
	}
}

// SetPermutation sets the order in which the Gather nodes take rows: a
// permutation of 0..n-1 (n the gathered data's rows). On the GPU the next
// run uploads it (once; the data stays).
func (s *ParamStore) SetPermutation(perm []int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sched.perm == 0 {
		return fmt.Errorf("nodes: SetPermutation: the store has no Gather node")
	}
	p := s.params[s.sched.perm-1]
	if len(perm) != p.host.Size() {
		return fmt.Errorf("%w: SetPermutation: %d entries for %d rows", ErrShape, len(perm), p.host.Size())
	}
	seen := make([]bool, len(perm))
	for _, j := range perm {
		if j < 0 || j >= len(perm) || seen[j] {
			return fmt.Errorf("nodes: SetPermutation: %v is not a permutation of 0..%d", perm, len(perm)-1)
		}
		seen[j] = true
	}
	switch d := p.host.Data().(type) {
	case []float32:
		for i, j := range perm {
			d[i] = float32(j)
		}
	case []float64:
		for i, j := range perm {
			d[i] = float64(j)
		}
	}
	p.dirty = true
	return nil
}

// Permutation returns the order the Gather nodes take rows in (the
// identity until SetPermutation), nil in a store without a Gather.
func (s *ParamStore) Permutation() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sched.perm == 0 {
		return nil
	}
	vals := s.params[s.sched.perm-1].host
	out := make([]int, vals.Size())
	for i := range out {
		switch d := vals.Data().(type) {
		case []float32:
			out[i] = int(d[i])
		case []float64:
			out[i] = int(d[i])
		}
	}
	return out
}

// SetBatch makes the next runs' Gather nodes take the permutation's
// entries start, start+1, ... (minibatch i of size b: start i·b).
func (s *ParamStore) SetBatch(start int) error {
	if start < 0 {
		return fmt.Errorf("nodes: SetBatch(%d): need a start >= 0", start)
	}
	s.mu.Lock()
	s.sched.batchStart = start
	s.mu.Unlock()
	return nil
}

// gatherOp copies the batch's rows of a stored data matrix.
type gatherOp struct {
	residentBase
	store      *ParamStore
	idx        int // the data's index in store.params
	rows, cols int
	buf        buffer
}

func (op *gatherOp) Arity() int { return 1 }
func (op *gatherOp) Type() hm.Type {
	return hm.NewFnType(vectorType(), G.TensorType{Dims: 2, Of: elem})
}
func (op *gatherOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows, op.cols}, nil
}
func (op *gatherOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s %p %d", op.name, op.store, op.idx) }
func (op *gatherOp) Hashcode() uint32      { return hashOf(op) }
func (op *gatherOp) DiffWRT(int) []bool    { return []bool{false} }
func (op *gatherOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil // data, not a parameter
}
func (op *gatherOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// start is the batch's first permutation entry, checked against the rows.
func (op *gatherOp) start() (int, error) {
	op.store.mu.Lock()
	start, n := op.store.sched.batchStart, op.store.params[op.idx].host.Shape()[0]
	op.store.mu.Unlock()
	if start+op.rows > n {
		return 0, fmt.Errorf("nodes: %s: batch of %d rows from entry %d: over the %d rows", op.name, op.rows, start, n)
	}
	return start, nil
}

func (op *gatherOp) UsePreallocDo(prealloc G.Value, _ ...G.Value) (G.Value, error) {
	out, err := op.buf.out(prealloc, op.store.dtype, op.rows, op.cols)
	if err != nil {
		return nil, err
	}
	start, err := op.start()
	if err != nil {
		return nil, err
	}
	src := op.store.params[op.idx].host
	perm := op.store.params[op.store.sched.perm-1].host
	switch o := out.Data().(type) {
	case []float32:
		gatherRows(o, src.Data().([]float32), perm.Data().([]float32)[start:start+op.rows], op.cols)
	case []float64:
		gatherRows(o, src.Data().([]float64), perm.Data().([]float64)[start:start+op.rows], op.cols)
	}
	return out, nil
}

// gatherRows is out[r, :] = src[idx[r], :], the bbb_gather_rows kernel.
func gatherRows[T linalg.Float](out, src, idx []T, cols int) {
	for r, j := range idx {
		row := int(j) * cols
		copy(out[r*cols:(r+1)*cols], src[row:row+cols])
	}
}

// accumulateGrad sets (first) or adds g into acc: the host trainer's sum
// over draws (train/batch.go accumulate), the bbb_accumulate kernel.
func accumulateGrad[T linalg.Float](acc, g []T, first bool) {
	if first {
		copy(acc, g)
		return
	}
	for i, v := range g {
		acc[i] += v
	}
}

// scaleGrad is acc *= T(f), the host trainer's mean, the bbb_scale kernel.
func scaleGrad[T linalg.Float](acc []T, f float64) {
	for i := range acc {
		acc[i] *= T(f)
	}
}
