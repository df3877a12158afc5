//go:build cuda

package nodes

import (
	G "gorgonia.org/gorgonia"
)

// The CUDA side of resident_batch.go: the per-step settings reach the
// kernels as arguments (no copy, no wait); the kernels are the block
// "minibatches, draws" at the end of nodes/kernels/bbb.cu.

func (op *scalarOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, _ ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	return prealloc, c.elementwise("bbb_fill", op.store.dtype, 1, devPtr(prealloc), i64(1), f64(op.store.scalar(op.idx)))
}

func (op *gatherOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, _ ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	start, err := op.start()
	if err != nil {
		return nil, err
	}
	data, err := op.store.buffers(c, op.idx)
	if err != nil {
		return nil, err
	}
	perm, err := op.store.buffers(c, op.store.sched.perm-1) // uploaded after SetPermutation
	if err != nil {
		return nil, err
	}
	n := op.rows * op.cols
	return prealloc, c.elementwise("bbb_gather_rows", op.store.dtype, n, devPtr(prealloc), uint64(data.p), uint64(perm.p),
		i64(start), i64(op.rows), i64(op.cols))
}

// drawMeanCUDA is drawMean on the device: g (a device gradient) is added
// to parameter i's sum; at the last draw the sum is scaled by 1/draws and
// its address returned, before it 0 (no update).
func (s *ParamStore) drawMeanCUDA(c devCall, i int, g uint64, u update) (uint64, error) {
	b, err := s.buffers(c, i)
	if err != nil {
		return 0, err
	}
	if b.acc == 0 {
		if b.acc, err = c.alloc(b.bytes); err != nil {
			return 0, err
		}
	}
	n := s.params[i].host.Size()
	first := int64(0)
	if u.draw == 0 {
		first = 1
	}
	if err := c.elementwise("bbb_accumulate", s.dtype, n, uint64(b.acc), g, i64(n), uint64(first)); err != nil {
		return 0, err
	}
	if u.accumulates() {
		return 0, nil
	}
	if err := c.elementwise("bbb_scale", s.dtype, n, uint64(b.acc), i64(n), f64(1/float64(u.draws))); err != nil {
		return 0, err
	}
	return uint64(b.acc), nil
}
