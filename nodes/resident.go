package nodes

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/linalg"
)

// ParamStore keeps a network's variational parameters, Adam's moments and
// the epsilon generator's state where the graph runs. In the CUDA build they
// live in GPU memory for the life of the machine: a training step reads the
// parameters there, draws epsilon there (Philox, see NormalAt), applies
// the Adam update there and writes the loss into the store's log (Record),
// so the host sends one step counter per step and reads the losses of many
// steps at once (Losses). On the CPU the same ops run the same formulas on host
// memory, which is how the CPU tests check them.
//
// The host tensors (Host) are the parameters' values before the first run
// and after a run made with PullAfterRun set.
type ParamStore struct {
	Seed  uint64 // keys the epsilon streams
	Adam  AdamConfig
	dtype tensor.Dtype

	mu     sync.Mutex
	step   uint64 // Adam's t and the epsilon counter of the next run
	pull   bool
	params []*residentParam
	losses lossLog      // written by Record nodes (record.go)
	sched  stepSchedule // per-step settings (resident_batch.go)
	dev    deviceStore  // GPU buffers (CUDA build only)
}

// AdamConfig is Adam's settings; zero fields mean PyTorch's defaults
// (lr 0.001, β1 0.9, β2 0.999, ε 1e-8).
type AdamConfig struct{ LR, Beta1, Beta2, Eps float64 }

// WithDefaults returns c with its zero fields set to PyTorch's defaults.
func (c AdamConfig) WithDefaults() AdamConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	return c
}

type residentParam struct {
	name  string
	data  bool // an input (x, y): never updated by Adam
	host  *tensor.Dense
	m, v  any     // []float32 or []float64: Adam's moments on the host (moments.go)
	acc   any     // the gradient sum over draws on the host (SetDraw)
	dirty bool    // the host tensor changed alone (SetPermutation): upload it
	held  *held   // elements each update leaves fixed (hold.go)
	rate  float64 // Adam's rate times this (ScaleRate; 0 means 1)
}

// rateOf is parameter p's Adam rate when the store's is lr.
func (p *residentParam) rateOf(lr float64) float64 {
	if p.rate == 0 {
		return lr
	}
	return lr * p.rate
}

// NewParamStore returns an empty store for tensors of dtype dt.
func NewParamStore(dt tensor.Dtype, seed uint64, adam AdamConfig) (*ParamStore, error) {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("%w: ParamStore: %v", ErrDtype, dt)
	}
	a := adam.WithDefaults()
	if !(a.LR > 0) || math.IsInf(a.LR, 0) || !(a.Beta1 >= 0 && a.Beta1 < 1) || !(a.Beta2 >= 0 && a.Beta2 < 1) || !(a.Eps > 0) {
		return nil, fmt.Errorf("nodes: ParamStore: Adam %+v: need lr > 0, 0 <= betas < 1, eps > 0", a)
	}
	return &ParamStore{Seed: seed, Adam: a, dtype: dt}, nil
}

// SetStep sets the step of the next run: Adam's t (from 1) and the counter
// of every epsilon stream.
func (s *ParamStore) SetStep(t uint64) {
	s.mu.Lock()
	s.step = t
	s.mu.Unlock()
}

// Step is the step of the next run.
func (s *ParamStore) Step() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.step
}

// PullAfterRun makes the next run copy the updated parameters back into
// the host tensors (on the GPU, one device-to-host copy per parameter).
func (s *ParamStore) PullAfterRun() {
	s.mu.Lock()
	s.pull = true
	s.mu.Unlock()
}

// PullPending reports whether the run under way (or the next) copies the
// parameters back into the host tensors: PullAfterRun, until RunDone.
func (s *ParamStore) PullPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pull
}

// Host returns the host tensor of parameter i (in Param order).
func (s *ParamStore) Host(i int) *tensor.Dense { return s.params[i].host }

// Len is the number of parameters.
func (s *ParamStore) Len() int { return len(s.params) }

// Reload makes the next run start again from the host tensors: Adam's
// moments are kept, the device copies are refreshed. Call it after
// changing the host tensors of the parameters. Between pulls the host
// parameters are older than the device's: Reload then rolls training back
// to them (ReloadData refreshes only the inputs).
func (s *ParamStore) Reload() {
	s.mu.Lock()
	s.dev.reload = true
	s.mu.Unlock()
}

// ReloadData refreshes only the device copies of Data tensors (inputs).
func (s *ParamStore) ReloadData() {
	s.mu.Lock()
	s.dev.reloadData = true
	s.mu.Unlock()
}

// Param returns a node that holds parameter host (a dense tensor that the
// store keeps) at every run. step is the graph's step input (a 1-element
// vector); it orders the node after the step is set and carries nothing else.
func (s *ParamStore) Param(step *G.Node, name string, host *tensor.Dense) (*G.Node, error) {
	if host == nil || host.Dtype() != s.dtype {
		return nil, fmt.Errorf("%w: ParamStore.Param %s: want a %v tensor", ErrDtype, name, s.dtype)
	}
	s.params = append(s.params, &residentParam{name: name, host: host})
	op := &paramOp{residentBase: residentBase{opBase{"param " + name}, host.Shape().Dims()}, store: s, idx: len(s.params) - 1}
	n, err := G.ApplyOp(op, step)
	if err != nil {
		return nil, fmt.Errorf("nodes: Param %s: %w", name, err)
	}
	G.WithName(name)(n)
	return n, nil
}

// Const returns a scalar node of value v computed where the graph runs: a
// constant that a GPU op reads without a host-to-device copy in the middle
// of a run (such a copy waits for all the GPU work queued before it).
func (s *ParamStore) Const(step *G.Node, v float64) (*G.Node, error) {
	op := &constOp{residentBase: residentBase{opBase{fmt.Sprintf("%g", v)}, 0}, store: s, v: v}
	n, err := G.ApplyOp(op, step)
	if err != nil {
		return nil, fmt.Errorf("nodes: Const %g: %w", v, err)
	}
	return n, nil
}

// constOp writes its value.
type constOp struct {
	residentBase
	store *ParamStore
	v     float64
}

func (op *constOp) Arity() int                                     { return 1 }
func (op *constOp) Type() hm.Type                                  { return hm.NewFnType(vectorType(), elem) }
func (op *constOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *constOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "const %v %p", op.v, op.store) }
func (op *constOp) Hashcode() uint32                               { return hashOf(op) }
func (op *constOp) DiffWRT(int) []bool                             { return []bool{false} }
func (op *constOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}
func (op *constOp) Do(...G.Value) (G.Value, error) {
	if op.store.dtype == tensor.Float32 {
		return G.NewF32(float32(op.v)), nil
	}
	return G.NewF64(op.v), nil
}

// Data is Param for an input the graph reads but never updates (x, y):
// ReloadData refreshes it alone.
func (s *ParamStore) Data(step *G.Node, name string, host *tensor.Dense) (*G.Node, error) {
	n, err := s.Param(step, name, host)
	if err != nil {
		return nil, err
	}
	s.params[len(s.params)-1].data = true
	return n, nil
}

// Noise returns a node of the given shape filled at every run with standard
// normal numbers: NormalAt(store seed, stream, step, i) for element i. Each
// epsilon tensor needs its own stream.
func (s *ParamStore) Noise(step *G.Node, name string, stream uint64, shape ...int) (*G.Node, error) {
	op := &noiseOp{residentBase: residentBase{opBase{fmt.Sprintf("noise %s (stream %d)", name, stream)}, len(shape)}, store: s, stream: stream, shape: tensor.Shape(shape).Clone()}
	n, err := G.ApplyOp(op, step)
	if err != nil {
		return nil, fmt.Errorf("nodes: Noise %s: %w", name, err)
	}
	G.WithName(name)(n)
	return n, nil
}

// AdamUpdate returns a node that, when run, applies one Adam step to the
// stored parameter of param (a Param node of this store) with gradient
// grad. Its scalar value is unused: the node is there for its effect, which
// the machine runs after every use of the gradient, and which reads no
// register of the parameter (the Param node copies the stored value at the
// start of the run).
func (s *ParamStore) AdamUpdate(param, grad *G.Node) (*G.Node, error) {
	po, ok := param.Op().(*paramOp)
	if !ok || po.store != s || s.params[po.idx].data {
		return nil, fmt.Errorf("nodes: AdamUpdate: %v is not a Param node of this store", param)
	}
	i := po.idx
	p := s.params[i]
	if !grad.Shape().Eq(p.host.Shape()) {
		return nil, fmt.Errorf("%w: AdamUpdate %s: gradient %v, parameter %v", ErrShape, p.name, grad.Shape(), p.host.Shape())
	}
	op := &adamOp{residentBase: residentBase{opBase{"adam " + p.name}, grad.Shape().Dims()}, store: s, idx: i}
	n, err := G.ApplyOp(op, grad)
	if err != nil {
		return nil, fmt.Errorf("nodes: AdamUpdate %s: %w", p.name, err)
	}
	return n, nil
}

// ScaleRate makes Adam update param (a Param node of this store) at f
// times the store's rate (Adam.LR, or SetUpdate's): a parameter group of
// its own rate, as PyTorch's optimiser param groups (the bandit's rhos).
func (s *ParamStore) ScaleRate(param *G.Node, f float64) error {
	i, err := s.paramIndex("ScaleRate", param)
	if err != nil {
		return err
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return fmt.Errorf("nodes: ScaleRate %s: factor %v: need a finite value > 0", s.params[i].name, f)
	}
	s.params[i].rate = f
	return nil
}

// snapshot is the step of the run under way and whether it pulls.
func (s *ParamStore) snapshot() (step uint64, pull bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.step, s.pull
}

// RunDone ends a run: a PullAfterRun has been served. The caller of
// RunAll calls it after every run.
func (s *ParamStore) RunDone() {
	s.mu.Lock()
	s.pull = false
	s.mu.Unlock()
}

// residentBase: ops whose output is a register on the GPU in the CUDA build
// (ReturnsPtr and CallsExtern make the VM preallocate it there).
type residentBase struct {
	opBase
	dims int
}

func (o residentBase) ReturnsPtr() bool  { return onDevice }
func (o residentBase) CallsExtern() bool { return onDevice }

// paramOp copies the stored parameter into its output.
type paramOp struct {
	residentBase
	store *ParamStore
	idx   int
	buf   buffer
}

func (op *paramOp) Arity() int { return 1 }
func (op *paramOp) Type() hm.Type {
	return hm.NewFnType(vectorType(), G.TensorType{Dims: op.dims, Of: elem})
}
func (op *paramOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.store.params[op.idx].host.Shape().Clone(), nil
}
func (op *paramOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s %p %d", op.name, op.store, op.idx) }
func (op *paramOp) Hashcode() uint32      { return hashOf(op) }
func (op *paramOp) DiffWRT(int) []bool    { return []bool{false} }
func (op *paramOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil // the step input carries no gradient
}
func (op *paramOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}
func (op *paramOp) UsePreallocDo(prealloc G.Value, _ ...G.Value) (G.Value, error) {
	host := op.store.params[op.idx].host
	out, err := op.buf.out(prealloc, host.Dtype(), host.Shape()...)
	if err != nil {
		return nil, err
	}
	if err := tensor.Copy(out, host); err != nil {
		return nil, fmt.Errorf("nodes: %s: %w", op.name, err)
	}
	return out, nil
}

// noiseOp fills its output with the stream's normals at the current step.
type noiseOp struct {
	residentBase
	store  *ParamStore
	stream uint64
	shape  tensor.Shape
	buf    buffer
	held   *held // elements each draw leaves fixed (hold.go)
}

func (op *noiseOp) Arity() int { return 1 }
func (op *noiseOp) Type() hm.Type {
	return hm.NewFnType(vectorType(), G.TensorType{Dims: op.dims, Of: elem})
}
func (op *noiseOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *noiseOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "%s %p", op.name, op.store) }
func (op *noiseOp) Hashcode() uint32                               { return hashOf(op) }
func (op *noiseOp) DiffWRT(int) []bool                             { return []bool{false} }
func (op *noiseOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}
func (op *noiseOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }
func (op *noiseOp) UsePreallocDo(prealloc G.Value, _ ...G.Value) (G.Value, error) {
	out, err := op.buf.out(prealloc, op.store.dtype, op.shape...)
	if err != nil {
		return nil, err
	}
	step, _ := op.store.snapshot()
	FillNoise(out.Data(), op.store.Seed, op.stream, step)
	op.held.apply(out.Data())
	return out, nil
}

// FillNoise writes what a Noise node of this stream holds at step into dst
// (float32 or float64): the host's view of a GPU draw, for tests and tools.
func FillNoise(dst any, seed, stream, step uint64) {
	FillNoiseAt(dst, seed, stream, step, 0)
}

// FillNoiseAt is FillNoise for the elements off, off+1, ... of the draw:
// dst[i] = NormalAt(seed, stream, step, off+i). Parts of one draw can be
// filled apart (in parallel) and give the numbers of one fill.
func FillNoiseAt(dst any, seed, stream, step, off uint64) {
	switch d := dst.(type) {
	case []float32:
		fillNormals(d, seed, stream, step, off)
	case []float64:
		fillNormals(d, seed, stream, step, off)
	}
}

// adamOp applies one Adam step to a stored parameter.
type adamOp struct {
	residentBase
	store *ParamStore
	idx   int
}

func (op *adamOp) Arity() int { return 1 }
func (op *adamOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: elem}, elem)
}
func (op *adamOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *adamOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "%s %p %d", op.name, op.store, op.idx) }
func (op *adamOp) Hashcode() uint32                               { return hashOf(op) }
func (op *adamOp) DiffWRT(int) []bool                             { return []bool{false} }
func (op *adamOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}

// adamScalars returns the step size lr/(1-β1^t) and 1/sqrt(1-β2^t).
func (s *ParamStore) adamScalars(t uint64, lr float64) (step, rbc2 float64, err error) {
	if t < 1 {
		return 0, 0, fmt.Errorf("nodes: Adam step %d: SetStep(t) with t >= 1 before each training run", t)
	}
	a := s.Adam
	bc1 := 1 - math.Pow(a.Beta1, float64(t))
	bc2 := 1 - math.Pow(a.Beta2, float64(t))
	return lr / bc1, 1 / math.Sqrt(bc2), nil
}

func (op *adamOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("nodes: %s: want 1 input, got %d", op.name, len(in))
	}
	p := op.store.params[op.idx]
	u := op.store.update()
	step, rbc2, err := op.store.adamScalars(u.t, p.rateOf(u.lr))
	if err != nil {
		return nil, err
	}
	a := op.store.Adam
	switch w := p.host.Data().(type) {
	case []float32:
		g, ok := in[0].Data().([]float32)
		if !ok || len(g) != len(w) {
			return nil, fmt.Errorf("nodes: %s: gradient %T of %v", op.name, in[0].Data(), in[0].Shape())
		}
		if g = drawMean(p, g, u); g == nil {
			return G.NewF32(0), nil
		}
		if p.m == nil {
			p.m, p.v = make([]float32, len(w)), make([]float32, len(w))
		}
		adamUpdate(w, g, p.m.([]float32), p.v.([]float32), a, step, rbc2)
		p.held.apply(w)
		return G.NewF32(0), nil
	case []float64:
		g, ok := in[0].Data().([]float64)
		if !ok || len(g) != len(w) {
			return nil, fmt.Errorf("nodes: %s: gradient %T of %v", op.name, in[0].Data(), in[0].Shape())
		}
		if g = drawMean(p, g, u); g == nil {
			return G.NewF64(0), nil
		}
		if p.m == nil {
			p.m, p.v = make([]float64, len(w)), make([]float64, len(w))
		}
		adamUpdate(w, g, p.m.([]float64), p.v.([]float64), a, step, rbc2)
		p.held.apply(w)
		return G.NewF64(0), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrDtype, op.name)
}

// drawMean is the gradient Adam applies at this run: g itself with one
// draw per step; else g is added to the parameter's sum, and at the last
// draw the sum times 1/draws comes back (nil before: no update).
func drawMean[T linalg.Float](p *residentParam, g []T, u update) []T {
	if u.draws == 1 {
		return g
	}
	if p.acc == nil {
		p.acc = make([]T, len(g))
	}
	acc := p.acc.([]T)
	accumulateGrad(acc, g, u.draw == 0)
	if u.accumulates() {
		return nil
	}
	scaleGrad(acc, 1/float64(u.draws))
	return acc
}

// adamUpdate is PyTorch's Adam rule, the formula of the bbb_adam kernel.
func adamUpdate[T linalg.Float](w, g, m, v []T, a AdamConfig, step, rbc2 float64) {
	b1, b2 := T(a.Beta1), T(a.Beta2)
	st, rb, eps := T(step), T(rbc2), T(a.Eps)
	for j, gj := range g {
		m[j] = b1*m[j] + (1-b1)*gj
		v[j] = b2*v[j] + (1-b2)*gj*gj
		w[j] -= st * m[j] / (T(math.Sqrt(float64(v[j])))*rb + eps)
	}
}

// hashOf hashes an op by its WriteHash.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
