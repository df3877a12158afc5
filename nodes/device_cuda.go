//go:build cuda

package nodes

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"gorgonia.org/cu"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/gorgonia/cuda"
	"gorgonia.org/tensor"
)

// In the CUDA build the resident ops implement Gorgonia's CUDADoer: the VM
// runs them on GPU 0 and keeps their inputs and outputs in GPU memory. Each
// launches its kernel from nodes/kernels/bbb.cu (module "bbb", loaded into
// every machine by internal/cudalib) into the machine's batched context,
// without a synchronise: the context's stream orders the kernels, cuBLAS and
// the copies.
const onDevice = true

// deviceStore holds a ParamStore's GPU buffers: per parameter its value and
// Adam's moments, in the context of the machine (engine) that first ran it.
type deviceStore struct {
	reload     bool // every tensor changed on the host
	reloadData bool // the Data tensors changed on the host
	eng        *cuda.Engine
	bufs       []paramBufs
	log        cu.DevicePtr // the loss log (record.go): LossLogLen elements
}

type paramBufs struct {
	p, m, v cu.DevicePtr
	acc     cu.DevicePtr // the gradient sum over draws (SetDraw), made on first use
	bytes   int64
	stale   bool // the host tensor changed (Reload): upload before use
	mstale  bool // the host moments changed (SetMoments): upload before use
}

// devCall is one op's view of the machine: its engine and batched context.
type devCall struct {
	op  string
	eng *cuda.Engine
	ctx *cu.BatchedContext
}

func device(op string, extern G.External, dev G.Device) (devCall, error) {
	m, ok := extern.(G.CUDAMachine)
	if !ok {
		return devCall{}, fmt.Errorf("nodes: %s: %T is not a CUDA machine", op, extern)
	}
	engs := m.Engines()
	if int(dev) < 0 || int(dev) >= len(engs) {
		return devCall{}, fmt.Errorf("nodes: %s: no CUDA device %d", op, dev)
	}
	eng := &engs[int(dev)]
	nameKernels(eng)
	if err := applyTF32(op, eng); err != nil {
		return devCall{}, err
	}
	return devCall{op: op, eng: eng, ctx: eng.Context()}, nil
}

// kernelNames maps every kernel handle of the engines seen so far to its
// name, so that a failed launch names its kernel (the patched cu's
// FunctionName) instead of a handle.
var kernelNames = struct {
	sync.Mutex
	engines map[*cuda.Engine]bool
	names   map[cu.Function]string
}{engines: map[*cuda.Engine]bool{}, names: map[cu.Function]string{}}

func nameKernels(eng *cuda.Engine) {
	kernelNames.Lock()
	defer kernelNames.Unlock()
	if kernelNames.engines[eng] {
		return
	}
	kernelNames.engines[eng] = true
	for name, fn := range eng.Functions() {
		kernelNames.names[fn] = name
	}
}

func init() {
	cu.FunctionName = func(f cu.Function) string {
		kernelNames.Lock()
		defer kernelNames.Unlock()
		return kernelNames.names[f]
	}
}

// faultKernel (BBB_CUDA_FAULT, for tests of the error path) is a kernel
// whose launches are given an invalid block size: the launch fails with
// CUDA_ERROR_INVALID_VALUE, as a real launch error would.
var faultKernel = os.Getenv("BBB_CUDA_FAULT")

// launch queues kernel (its dtype variant) on a grid of gx blocks of
// bx × by threads. Every argument is 8 bytes: a device pointer, an int64
// as uint64 or a float64's bits.
func (c devCall) launch(kernel string, dt tensor.Dtype, gx, bx, by int, args ...uint64) error {
	return c.launch2(kernel, dt, gx, 1, bx, by, args...)
}

// launch2 is launch on a grid of gx × gy blocks.
func (c devCall) launch2(kernel string, dt tensor.Dtype, gx, gy, bx, by int, args ...uint64) error {
	name := kernel + "_f64"
	if dt == tensor.Float32 {
		name = kernel + "_f32"
	}
	fn, ok := c.eng.Functions()["bbb."+name]
	if !ok {
		return fmt.Errorf("nodes: %s: CUDA kernel %s is not loaded (the binary must import internal/cudalib)", c.op, name)
	}
	slots := append([]uint64(nil), args...)
	params := make([]unsafe.Pointer, len(slots))
	for i := range slots {
		params[i] = unsafe.Pointer(&slots[i])
	}
	if name == faultKernel {
		bx, by = 2048, 1 // over every GPU's 1024 threads per block
	}
	c.ctx.LaunchKernel(fn, gx, gy, 1, bx, by, 1, 0, cu.NoStream, params) // copies the arguments
	return nil
}

// elementwise launches a grid-stride kernel over n elements.
func (c devCall) elementwise(kernel string, dt tensor.Dtype, n int, args ...uint64) error {
	if n == 0 {
		return nil
	}
	return c.launch(kernel, dt, min((n+255)/256, 4096), 256, 1, args...)
}

// reduceBlocks is the grid of a two-pass sum over n elements.
func reduceBlocks(n int) int { return max(1, min((n+255)/256, maxPartials)) }

const maxPartials = 1024

// scratch is one buffer per engine for the partial sums of the
// reductions, grown on demand. Ops of one machine run in stream order, so
// they share it.
var scratch = struct {
	sync.Mutex
	m map[*cuda.Engine]scratchBuf
}{m: map[*cuda.Engine]scratchBuf{}}

type scratchBuf struct {
	p     cu.DevicePtr
	bytes int64
}

// partials returns the engine's scratch buffer, at least bytes long. A
// smaller one is left to the context (it is freed with the machine): work
// queued before may still read it.
func (c devCall) partials(bytes int64) (cu.DevicePtr, error) {
	scratch.Lock()
	defer scratch.Unlock()
	if b, ok := scratch.m[c.eng]; ok && b.bytes >= bytes {
		return b.p, nil
	}
	bytes = max(bytes, maxPartials*8)
	p, err := c.alloc(bytes)
	if err != nil {
		return 0, err
	}
	scratch.m[c.eng] = scratchBuf{p, bytes}
	return p, nil
}

// alloc allocates device memory in the engine's context, outside the
// machine's arena (which Reset recycles every run): buffers that live as
// long as the machine. The context frees them when the machine is closed.
func (c devCall) alloc(bytes int64) (cu.DevicePtr, error) {
	runtime.LockOSThread() // SetCurrentContext holds for this OS thread only
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(c.eng.Context().CUDAContext()); err != nil {
		return 0, fmt.Errorf("nodes: %s: CUDA context: %w", c.op, err)
	}
	p, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, fmt.Errorf("nodes: %s: cuMemAlloc %d bytes: %w", c.op, bytes, err)
	}
	if err := cu.MemsetD8(p, 0, bytes); err != nil {
		return 0, fmt.Errorf("nodes: %s: cuMemsetD8: %w", c.op, err)
	}
	return p, nil
}

// upload copies a host tensor into device memory now (a synchronous copy
// on the context's stream, after the work already queued there).
func (c devCall) upload(dst cu.DevicePtr, host *tensor.Dense) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(c.eng.Context().CUDAContext()); err != nil {
		return fmt.Errorf("nodes: %s: CUDA context: %w", c.op, err)
	}
	if err := cu.MemcpyHtoD(dst, hostPtr(host), int64(host.MemSize())); err != nil {
		return fmt.Errorf("nodes: %s: cuMemcpyHtoD: %w", c.op, err)
	}
	return nil
}

// useEngine makes c's engine the store's. On the first run, or with a new
// machine, whose context holds nothing yet, the moments start from the
// host's (zero but after SetMoments or ReadBack), the parameters from the
// host, and the loss log empty. s.mu is held.
func (s *ParamStore) useEngine(c devCall) {
	if s.dev.eng == c.eng {
		return
	}
	s.dev.eng = c.eng
	s.dev.bufs = make([]paramBufs, len(s.params))
	s.dev.log = 0
	s.losses.last = 0
}

// download copies device memory into a host tensor now (a synchronous
// copy on the context's stream, after the work already queued there).
func (c devCall) download(host *tensor.Dense, src cu.DevicePtr) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(c.eng.Context().CUDAContext()); err != nil {
		return fmt.Errorf("nodes: %s: CUDA context: %w", c.op, err)
	}
	if err := cu.MemcpyDtoH(hostPtr(host), src, int64(host.MemSize())); err != nil {
		return fmt.Errorf("nodes: %s: cuMemcpyDtoH: %w", c.op, err)
	}
	return nil
}

// buffers returns parameter i's device buffers in c's context, allocating
// and uploading them on first use (or after Reload).
func (s *ParamStore) buffers(c devCall, i int) (*paramBufs, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.useEngine(c)
	if s.dev.reload || s.dev.reloadData {
		for j := range s.dev.bufs {
			if s.dev.reload || s.params[j].data {
				s.dev.bufs[j].stale = true
			}
		}
		s.dev.reload, s.dev.reloadData = false, false
	}
	b := &s.dev.bufs[i]
	host := s.params[i].host
	if s.params[i].dirty { // SetPermutation: this tensor alone changed
		b.stale, s.params[i].dirty = true, false
	}
	if b.p == 0 {
		// All or none: a half-made set would leave b.p set and the
		// moments at address 0. A data tensor (x, y: the whole data set
		// of a gathered network) has no moments: Adam never updates it.
		bytes := int64(host.MemSize())
		var ptrs [3]cu.DevicePtr
		bufs := ptrs[:]
		if s.params[i].data {
			bufs = ptrs[:1]
		}
		for k := range bufs {
			var err error
			if bufs[k], err = c.alloc(bytes); err != nil {
				return nil, err
			}
		}
		b.p, b.m, b.v, b.bytes, b.stale, b.mstale = ptrs[0], ptrs[1], ptrs[2], bytes, true, true
	}
	if b.mstale {
		if err := s.uploadMoments(c, i); err != nil {
			return nil, err
		}
		b.mstale = false
	}
	if b.stale {
		if err := c.upload(b.p, host); err != nil {
			return nil, err
		}
		b.stale = false
	}
	return b, nil
}

// hostPtr is the address of a host tensor's first element.
func hostPtr(t *tensor.Dense) unsafe.Pointer {
	switch d := t.Data().(type) {
	case []float32:
		return unsafe.Pointer(&d[0])
	case []float64:
		return unsafe.Pointer(&d[0])
	}
	panic(fmt.Sprintf("nodes: host tensor of %v", t.Dtype()))
}

func devPtr(v G.Value) uint64 { return uint64(v.Uintptr()) }
func i64(n int) uint64        { return uint64(int64(n)) }
func f64(x float64) uint64    { return math.Float64bits(x) }

func needPrealloc(op string, prealloc G.Value) error {
	if prealloc == nil {
		return fmt.Errorf("nodes: %s: the VM gave no preallocated GPU output", op)
	}
	return nil
}

func (op *paramOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, _ ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	b, err := op.store.buffers(c, op.idx)
	if err != nil {
		return nil, err
	}
	// A kernel, not cuMemcpy: the driver can make cuMemcpy synchronous
	// (with managed memory, BBB_CUDA_ARENA=managed), stalling the host.
	n := op.store.params[op.idx].host.Size()
	return prealloc, c.elementwise("bbb_copy", op.store.dtype, n, devPtr(prealloc), uint64(b.p), i64(n))
}

func (op *recordOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	log, err := op.store.lossBuffer(c)
	if err != nil {
		return nil, err
	}
	_, slot, err := op.store.recordSlot()
	if err != nil {
		return nil, err
	}
	size := uint64(op.store.dtype.Size())
	if err := c.elementwise("bbb_copy", op.store.dtype, 1, uint64(log)+uint64(slot)*size, devPtr(in[0]), i64(1)); err != nil {
		return nil, err
	}
	return prealloc, c.elementwise("bbb_copy", op.store.dtype, 1, devPtr(prealloc), devPtr(in[0]), i64(1))
}

// lossBuffer is the device loss log in c's context, allocated on first use.
func (s *ParamStore) lossBuffer(c devCall) (cu.DevicePtr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.useEngine(c)
	if s.dev.log == 0 {
		p, err := c.alloc(int64(LossLogLen * s.dtype.Size()))
		if err != nil {
			return 0, err
		}
		s.dev.log = p
	}
	return s.dev.log, nil
}

// readLosses reads steps from..to of the loss log: the device's when a GPU
// run wrote it (one device-to-host copy of those slots, at most two
// segments, after the work queued before it), else the host's.
func (s *ParamStore) readLosses(from, to uint64) ([]float64, error) {
	s.mu.Lock()
	log, eng := s.dev.log, s.dev.eng
	s.mu.Unlock()
	if log == 0 {
		return s.hostLosses(from, to), nil
	}
	c := devCall{op: "Losses", eng: eng, ctx: eng.Context()}
	size := s.dtype.Size()
	out := make([]float64, 0, to-from+1)
	for _, seg := range logSegments(from, to) {
		host := tensor.New(tensor.Of(s.dtype), tensor.WithShape(seg[1]-seg[0]))
		if err := c.download(host, log+cu.DevicePtr(uintptr(seg[0])*size)); err != nil {
			return nil, err
		}
		switch d := host.Data().(type) {
		case []float32:
			for _, v := range d {
				out = append(out, float64(v))
			}
		case []float64:
			out = append(out, d...)
		}
	}
	return out, nil
}

func (op *constOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, _ ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	return prealloc, c.elementwise("bbb_fill", op.store.dtype, 1, devPtr(prealloc), i64(1), f64(op.v))
}

func (op *noiseOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, _ ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	step, _ := op.store.snapshot()
	n := op.shape.TotalSize()
	if err := c.elementwise("bbb_normal", op.store.dtype, n, devPtr(prealloc), i64(n), op.store.Seed, op.stream, step); err != nil {
		return nil, err
	}
	return prealloc, c.hold(op.held, devPtr(prealloc), op.store.dtype)
}

func (op *adamOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	b, err := op.store.buffers(c, op.idx)
	if err != nil {
		return nil, err
	}
	u := op.store.update()
	step, rbc2, err := op.store.adamScalars(u.t, op.store.params[op.idx].rateOf(u.lr))
	if err != nil {
		return nil, err
	}
	host := op.store.params[op.idx].host
	a := op.store.Adam
	n := host.Size()
	g := devPtr(in[0])
	if u.draws > 1 {
		// The mean over draws (SetDraw), in the store's sum buffer.
		if g, err = op.store.drawMeanCUDA(c, op.idx, g, u); err != nil || g == 0 {
			return prealloc, err
		}
	}
	if err := c.elementwise("bbb_adam", host.Dtype(), n, uint64(b.p), g, uint64(b.m), uint64(b.v), i64(n),
		f64(a.Beta1), f64(a.Beta2), f64(step), f64(rbc2), f64(a.Eps)); err != nil {
		return nil, err
	}
	if err := c.hold(op.store.params[op.idx].held, uint64(b.p), host.Dtype()); err != nil {
		return nil, err
	}
	if u.pull {
		c.ctx.MemcpyDtoH(hostPtr(host), b.p, b.bytes) // after the update, in stream order
	}
	return prealloc, nil
}

func (op *sampleOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	return launchElementwise(op.name, "bbb_sample", extern, dev, prealloc, in, 3)
}

func (op *sampleDrhoOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	return launchElementwise(op.name, "bbb_sample_drho", extern, dev, prealloc, in, 3)
}

func (op *residentReLUGradOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	return launchElementwise(op.name, "bbb_relu_grad", extern, dev, prealloc, in, 2)
}

// launchElementwise runs kernel(out, in..., n) over same-size inputs.
func launchElementwise(name, kernel string, extern G.External, dev G.Device, prealloc G.Value, in []G.Value, arity int) (G.Value, error) {
	c, err := device(name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(name, prealloc); err != nil {
		return nil, err
	}
	if len(in) != arity {
		return nil, fmt.Errorf("nodes: %s: want %d inputs, got %d", name, arity, len(in))
	}
	n := prealloc.Shape().TotalSize()
	args := []uint64{devPtr(prealloc)}
	for _, v := range in {
		if v.Shape().TotalSize() != n {
			return nil, fmt.Errorf("%w: %s: input %v, output %v", ErrShape, name, v.Shape(), prealloc.Shape())
		}
		args = append(args, devPtr(v))
	}
	args = append(args, i64(n))
	return prealloc, c.elementwise(kernel, prealloc.Dtype(), n, args...)
}

func (op *klTermOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	n := in[0].Shape().TotalSize()
	kernel, params := op.prior.klKernels()
	return prealloc, c.sum(prealloc, n, 1, 0, kernel+"_partial", in[0].Dtype(),
		append([]uint64{devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), i64(n)}, f64s(params)...)...)
}

// f64s is f64 of each of xs.
func f64s(xs []float64) []uint64 {
	out := make([]uint64, len(xs))
	for i, x := range xs {
		out[i] = f64(x)
	}
	return out
}

// sum writes scale·Σ + offset into the scalar out: kernel writes one
// partial sum per block (its arguments after the partials' pointer are
// args), then one block adds them.
func (c devCall) sum(out G.Value, n int, scale, offset float64, kernel string, dt tensor.Dtype, args ...uint64) error {
	part, err := c.partials(maxPartials * 8)
	if err != nil {
		return err
	}
	nb := reduceBlocks(n)
	if err := c.launch(kernel, dt, nb, 256, 1, append([]uint64{uint64(part)}, args...)...); err != nil {
		return err
	}
	return c.launch("bbb_finish_sum", dt, 1, 256, 1, devPtr(out), uint64(part), i64(nb), f64(scale), f64(offset))
}

func (op *klGradOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	prefix, params := op.prior.klKernels()
	kernel := prefix + "_dmu"
	if op.rho {
		kernel = prefix + "_drho"
	}
	n := prealloc.Shape().TotalSize()
	return prealloc, c.elementwise(kernel, prealloc.Dtype(), n,
		append([]uint64{devPtr(prealloc), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), devPtr(in[3]), i64(n)}, f64s(params)...)...)
}

func (op *biasActOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	s := in[0].Shape()
	relu := 0
	if op.relu {
		relu = 1
	}
	return prealloc, c.elementwise("bbb_bias_act", prealloc.Dtype(), s.TotalSize(), devPtr(prealloc), devPtr(in[0]), devPtr(in[1]), i64(s[0]), i64(s[1]), i64(relu))
}

func (op *residentColSumOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	s := in[0].Shape()
	rows, cols := s[0], s[1]
	// Pass 1: blocks of 32 columns × chunks of rows (enough blocks to fill
	// the GPU at any width); pass 2 adds the chunks of each column.
	chunk := max(256, (rows+63)/64)
	chunks := (rows + chunk - 1) / chunk
	part, err := c.partials(int64(chunks*cols) * 8)
	if err != nil {
		return nil, err
	}
	if err := c.launch2("bbb_colsum_partial", prealloc.Dtype(), (cols+31)/32, chunks, 32, 8, uint64(part), devPtr(in[0]), i64(rows), i64(cols), i64(chunk)); err != nil {
		return nil, err
	}
	return prealloc, c.elementwise("bbb_colsum_finish", prealloc.Dtype(), cols, devPtr(prealloc), uint64(part), i64(cols), i64(chunks))
}

func (op residentLogLikOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	n := in[0].Shape().TotalSize()
	return prealloc, c.sum(prealloc, n, -0.5/(op.sigma*op.sigma), -float64(n)*(math.Log(op.sigma)+halfLog2Pi),
		"bbb_sqdiff_partial", in[0].Dtype(), devPtr(in[0]), devPtr(in[1]), i64(n))
}

func (op residentLogLikGradOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	n := prealloc.Shape().TotalSize()
	return prealloc, c.elementwise("bbb_loglik_dpred", prealloc.Dtype(), n, devPtr(prealloc), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), i64(n),
		f64(1/(op.sigma*op.sigma)))
}
