//go:build cuda

package train

import _ "github.com/bbb-go/bbb/internal/cudalib" // the CUDA kernels, as bbb-cuda loads them

// On the GPU, float64 matrix products sum in another order than the CPU's:
// the resident and host trainers agree to rounding, not to the bit.
const residentTol = 1e-6
