package linalg

import "github.com/bbb-go/bbb/internal/parallel"

// Float is the element type of every kernel here.
type Float interface{ ~float32 | ~float64 }

// Gemm computes C = alpha * op(A) * op(B) + beta * C for row-major matrices,
// where op(X) is X or its transpose as transA/transB say; op(A) is m×k,
// op(B) is k×n and C is m×n.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if !splitRows {
		gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmRows(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmRows is Gemm as row blocks of C over the workers
// (parallel.SetWorkers, --threads), each a one-thread OpenBLAS call:
// OpenBLAS's own threads spin after a call and would take the core the
// graph's other kernels run on.
func gemmRows[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	parallel.ForChunk(m, minRows(n, k), func(lo, hi int) {
		aOff := lo * lda // op(A)'s row lo
		if transA {
			aOff = lo // a column of the stored A
		}
		gemm(transA, transB, hi-lo, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[lo*ldc:], ldc)
	})
}

// minRows is the fewest rows of C worth a worker: about a million
// multiply-adds (a few hundred microseconds), and at least 8 rows.
func minRows(n, k int) int { return max(8, (1<<20)/max(n*k, 1)) }

func gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		sgemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		dgemm(transA, transB, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// Backend names the GEMM implementation this binary was built with.
func Backend() string { return backend }

// CoreName is the CPU kernel set the GEMM uses, as OpenBLAS names it
// (openblas_get_corename: "Haswell", "SkylakeX", "Zen"); "" in the gonum
// build. Two hosts round float32 products alike when the names agree.
func CoreName() string { return coreName() }

// Config is the OpenBLAS library's own description (openblas_get_config:
// version and build options); "" in the gonum build.
func Config() string { return config() }

// SetThreads sets how many threads one GEMM may use, n >= 1, or every core
// for n == 0, and returns the count now in effect. Only the OpenBLAS build
// has such a setting (openblas_set_num_threads; the build starts at one
// thread). In the gonum build it changes nothing: gonum splits large
// products over GOMAXPROCS goroutines by itself. Set it before any GEMM
// runs; it panics on a negative n.
func SetThreads(n int) int {
	if n < 0 {
		panic("linalg: negative thread count")
	}
	return setThreads(n)
}

// Threads is how many threads one GEMM may use: OpenBLAS's thread count in
// the OpenBLAS build, GOMAXPROCS in the gonum build.
func Threads() int { return threads() }

// ThreadsSettable reports whether SetThreads has an effect in this build.
func ThreadsSettable() bool { return threadsSettable }

// ColSums sets out[j] = sum_i a[i*lda+j] for an m×n row-major matrix a.
func ColSums[T Float](m, n int, a []T, lda int, out []T) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		scolsums(m, n, a, lda, any(out).([]float32))
	case []float64:
		dcolsums(m, n, a, lda, any(out).([]float64))
	}
}
