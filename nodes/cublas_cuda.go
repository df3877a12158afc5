//go:build cuda

package nodes

/*
#cgo LDFLAGS: -lcublas
#include <cublas_v2.h>

// Row-major out[b] = a[b]·w[b] (a: rows × k, w: k × m) is column-major
// out[b]ᵀ = w[b]ᵀ·a[b]ᵀ. Addresses are device pointers, passed as integers.
static cublasStatus_t gemm_batched_f32(cublasHandle_t h, int m, int rows, int k, unsigned long long w, long long sw,
		unsigned long long a, long long sa, unsigned long long out, long long so, int batch) {
	float one = 1, zero = 0;
	return cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, rows, k, &one, (const float *)w, m, sw,
		(const float *)a, k, sa, &zero, (float *)out, m, so, batch);
}

static cublasStatus_t gemm_batched_f64(cublasHandle_t h, int m, int rows, int k, unsigned long long w, long long sw,
		unsigned long long a, long long sa, unsigned long long out, long long so, int batch) {
	double one = 1, zero = 0;
	return cublasDgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, rows, k, &one, (const double *)w, m, sw,
		(const double *)a, k, sa, &zero, (double *)out, m, so, batch);
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"

	"gorgonia.org/cu"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/gorgonia/cuda"
	"gorgonia.org/tensor"
)

// Gorgonia's cuBLAS binding (gorgonia.org/cu/blas) has no strided-batched
// GEMM, which the batched predictive passes need: one call multiplies K
// activation matrices by K weight samples. This file calls it directly,
// with a cuBLAS handle of its own per machine (engine), made in that
// machine's context and left on its legacy default stream, so the call is
// ordered with the machine's kernels and copies.

var handles = struct {
	sync.Mutex
	m map[*cuda.Engine]C.cublasHandle_t
}{m: map[*cuda.Engine]C.cublasHandle_t{}}

// withContext runs f on this OS thread with the engine's context current.
func (c devCall) withContext(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(c.eng.Context().CUDAContext()); err != nil {
		return fmt.Errorf("nodes: %s: CUDA context: %w", c.op, err)
	}
	return f()
}

func (c devCall) cublas() (C.cublasHandle_t, error) {
	handles.Lock()
	defer handles.Unlock()
	if h, ok := handles.m[c.eng]; ok {
		return h, nil
	}
	var h C.cublasHandle_t
	err := c.withContext(func() error {
		if s := C.cublasCreate(&h); s != C.CUBLAS_STATUS_SUCCESS {
			return fmt.Errorf("nodes: %s: cublasCreate: status %d", c.op, int(s))
		}
		if tf32On() {
			if s := C.cublasSetMathMode(h, C.CUBLAS_TF32_TENSOR_OP_MATH); s != C.CUBLAS_STATUS_SUCCESS {
				return fmt.Errorf("nodes: %s: cublasSetMathMode (TF32): status %d", c.op, int(s))
			}
		}
		return nil
	})
	if err != nil {
		return h, err
	}
	handles.m[c.eng] = h
	return h, nil
}

func (op *batchedMatMulOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	h, err := c.cublas()
	if err != nil {
		return nil, err
	}
	k, rows, nin, nout, shared := op.dims(in[0].Shape(), in[1].Shape())
	strideA := C.longlong(rows * nin)
	if shared {
		strideA = 0
	}
	a, w, out := C.ulonglong(in[0].Uintptr()), C.ulonglong(in[1].Uintptr()), C.ulonglong(prealloc.Uintptr())
	f32 := prealloc.Dtype() == tensor.Float32
	// Kernels queued before this call must be on the stream first (as
	// Gorgonia's own MatMul does); a failure among them is reported here.
	c.ctx.DoWork()
	if err := c.ctx.Errors(); err != nil {
		return nil, fmt.Errorf("nodes: %s: CUDA work queued before it failed: %w", op.name, err)
	}
	err = c.withContext(func() error {
		var s C.cublasStatus_t
		if f32 {
			s = C.gemm_batched_f32(h, C.int(nout), C.int(rows), C.int(nin), w, C.longlong(nin*nout), a, strideA, out, C.longlong(rows*nout), C.int(k))
		} else {
			s = C.gemm_batched_f64(h, C.int(nout), C.int(rows), C.int(nin), w, C.longlong(nin*nout), a, strideA, out, C.longlong(rows*nout), C.int(k))
		}
		if s != C.CUBLAS_STATUS_SUCCESS {
			return fmt.Errorf("nodes: %s: cublasGemmStridedBatched: status %d", op.name, int(s))
		}
		return nil
	})
	return prealloc, err
}

func (op *sampleBatchOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	n, m := prealloc.Shape().TotalSize(), in[0].Shape().TotalSize()
	return prealloc, c.elementwise("bbb_sample_batch", prealloc.Dtype(), n, devPtr(prealloc), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), i64(n), i64(m))
}

func (op *biasActBatchOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	s := prealloc.Shape()
	relu := 0
	if op.relu {
		relu = 1
	}
	return prealloc, c.elementwise("bbb_bias_act_batch", prealloc.Dtype(), s.TotalSize(), devPtr(prealloc), devPtr(in[0]), devPtr(in[1]),
		i64(s.TotalSize()), i64(s[1]), i64(s[2]), i64(relu))
}
