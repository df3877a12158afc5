//go:build !openblas

package linalg

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

const (
	backend         = "gonum"
	threadsSettable = false
	splitRows       = false // gonum splits large products itself
)

// gonum's GEMM is Go code: it has no CPU-specific kernel set to name, and
// no build options beyond the module's version (in the binary's build info).
func coreName() string { return "" }
func config() string   { return "" }

// gonum's GEMM runs large products on up to GOMAXPROCS goroutines; it has
// no setting of its own.
func setThreads(int) int { return threads() }

func threads() int { return runtime.GOMAXPROCS(0) }

var impl gonum.Implementation

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	impl.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	impl.Dgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// The column sums add whole rows into out with the vectorised axpy kernel.
func scolsums(m, n int, a []float32, lda int, out []float32) {
	clear(out[:n])
	for i := 0; i < m; i++ {
		impl.Saxpy(n, 1, a[i*lda:i*lda+n], 1, out, 1)
	}
}

func dcolsums(m, n int, a []float64, lda int, out []float64) {
	clear(out[:n])
	for i := 0; i < m; i++ {
		impl.Daxpy(n, 1, a[i*lda:i*lda+n], 1, out, 1)
	}
}
