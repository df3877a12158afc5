//go:build openblas

package linalg

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
*/
import "C"

import (
	"runtime"

	"github.com/bbb-go/bbb/internal/parallel"
	"sync"
	"unsafe"
)

const (
	backend         = "openblas"
	threadsSettable = true
	splitRows       = true // Gemm splits C's rows over parallel's workers
)

func init() {
	// OpenBLAS itself runs one thread per call, always: SetThreads sets
	// the workers that Gemm, the elementwise kernels and Adam split their
	// work over (one until it is called: the benchmark compares with
	// single-threaded PyTorch, and more would fight the
	// predictive-sampling workers for cores).
	C.openblas_set_num_threads(1)
}

// coreName is the kernel set OpenBLAS picked for this CPU at start-up (or
// the one OPENBLAS_CORETYPE forced): it decides how float32 GEMMs round.
func coreName() string { return C.GoString(C.openblas_get_corename()) }

// config is OpenBLAS's build description: its version and build options.
func config() string { return C.GoString(C.openblas_get_config()) }

func setThreads(n int) int {
	if n == 0 {
		n = runtime.NumCPU() // the cores this process may run on
	}
	return parallel.SetWorkers(n)
}

func threads() int { return parallel.Workers() }

func ctrans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, ctrans(tA), ctrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

func dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	C.cblas_dgemm(C.CblasRowMajor, ctrans(tA), ctrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.double(alpha), (*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.double(beta), (*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

// The column sums are aᵀ·1, one GEMV; ones is grown as needed.
var (
	ones32 []float32
	ones64 []float64
	onesMu sync.Mutex
)

func scolsums(m, n int, a []float32, lda int, out []float32) {
	onesMu.Lock()
	if len(ones32) < m {
		ones32 = make([]float32, m)
		for i := range ones32 {
			ones32[i] = 1
		}
	}
	ones := ones32
	onesMu.Unlock()
	C.cblas_sgemv(C.CblasRowMajor, C.CblasTrans, C.blasint(m), C.blasint(n), 1,
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.float)(unsafe.Pointer(&ones[0])), 1,
		0, (*C.float)(unsafe.Pointer(&out[0])), 1)
}

func dcolsums(m, n int, a []float64, lda int, out []float64) {
	onesMu.Lock()
	if len(ones64) < m {
		ones64 = make([]float64, m)
		for i := range ones64 {
			ones64[i] = 1
		}
	}
	ones := ones64
	onesMu.Unlock()
	C.cblas_dgemv(C.CblasRowMajor, C.CblasTrans, C.blasint(m), C.blasint(n), 1,
		(*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.double)(unsafe.Pointer(&ones[0])), 1,
		0, (*C.double)(unsafe.Pointer(&out[0])), 1)
}
