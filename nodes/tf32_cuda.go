//go:build cuda

package nodes

import (
	"fmt"
	"sync"

	"gorgonia.org/gorgonia/cuda"
)

// tf32 is SetTF32's choice and the engines whose cuBLAS handle has it.
var tf32 = struct {
	sync.Mutex
	on      bool
	engines map[*cuda.Engine]bool
}{engines: map[*cuda.Engine]bool{}}

// SetTF32 makes the matrix products of the CUDA machines made after it use
// TF32 tensor-op GEMMs (NVIDIA Ampere and newer: float32 inputs rounded to
// 10 mantissa bits, products summed in float32): Gorgonia's own, on each
// engine's cuBLAS handle (set at the engine's first op of this package,
// which every resident graph runs before its first product), and the
// batched ones of the predictive graph. It has no effect on float64 GEMMs.
func SetTF32(on bool) {
	tf32.Lock()
	defer tf32.Unlock()
	tf32.on = on
}

// applyTF32 sets an engine's cuBLAS math mode once, when SetTF32 is on.
func applyTF32(op string, eng *cuda.Engine) error {
	tf32.Lock()
	defer tf32.Unlock()
	if !tf32.on || tf32.engines[eng] {
		return nil
	}
	if err := eng.BLASContext().SetTF32(true); err != nil {
		return fmt.Errorf("nodes: %s: cublasSetMathMode (TF32): %w", op, err)
	}
	tf32.engines[eng] = true
	return nil
}

// tf32On reports SetTF32's choice.
func tf32On() bool {
	tf32.Lock()
	defer tf32.Unlock()
	return tf32.on
}
