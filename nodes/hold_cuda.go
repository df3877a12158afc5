//go:build cuda

package nodes

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"gorgonia.org/cu"
	"gorgonia.org/gorgonia/cuda"
	"gorgonia.org/tensor"
)

// heldIdx holds each held set's indices in GPU memory, per engine (the
// context frees them with the machine).
var heldIdx = struct {
	sync.Mutex
	m map[heldKey]cu.DevicePtr
}{m: map[heldKey]cu.DevicePtr{}}

type heldKey struct {
	h   *held
	eng *cuda.Engine
}

// hold sets the held elements of the device tensor at dst (n elements of
// dt) to the held value: bbb_hold, queued after the write it follows.
func (c devCall) hold(h *held, dst uint64, dt tensor.Dtype) error {
	if h == nil || len(h.idx) == 0 {
		return nil // never held, or the hold ended
	}
	p, err := c.heldIndices(h)
	if err != nil {
		return err
	}
	return c.elementwise("bbb_hold", dt, len(h.idx), dst, uint64(p), i64(len(h.idx)), f64(h.v))
}

// heldIndices returns h's indices in c's context, uploaded on first use.
func (c devCall) heldIndices(h *held) (cu.DevicePtr, error) {
	heldIdx.Lock()
	defer heldIdx.Unlock()
	key := heldKey{h, c.eng}
	if p, ok := heldIdx.m[key]; ok {
		return p, nil
	}
	bytes := int64(8 * len(h.idx))
	p, err := c.alloc(bytes)
	if err != nil {
		return 0, err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(c.eng.Context().CUDAContext()); err != nil {
		return 0, fmt.Errorf("nodes: %s: CUDA context: %w", c.op, err)
	}
	if err := cu.MemcpyHtoD(p, unsafe.Pointer(&h.idx[0]), bytes); err != nil {
		return 0, fmt.Errorf("nodes: %s: cuMemcpyHtoD of the held indices: %w", c.op, err)
	}
	heldIdx.m[key] = p
	return p, nil
}
