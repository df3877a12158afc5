//go:build openblas

package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// In the OpenBLAS build Gorgonia's own ops (G.Mul and its gradients, the
// stock-op graph's dense layers) multiply through OpenBLAS too, not through
// gonum's pure-Go GEMM: G.Use registers openBLAS with Gorgonia and with
// its tensor package.
func init() { G.Use(openBLAS{}) }

// openBLAS is the BLAS Gorgonia uses in this build: gonum's routines, with
// the general matrix products sent to Gemm (OpenBLAS, split over
// parallel's workers as the project's own ops are). Products with an empty
// dimension or slices too short for their shape stay with gonum, which
// handles the first and panics with its own message on the second (a
// cgo call would read past the slice).
type openBLAS struct{ gonum.Implementation }

func (o openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !gemmFits(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		o.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	Gemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (o openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if !gemmFits(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		o.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	Gemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmFits reports whether a row-major product C (m×n) = op(A) (m×k) ·
// op(B) (k×n) has no empty dimension, valid transposes and leading
// dimensions, and slices long enough for what OpenBLAS will read and write.
func gemmFits(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) bool {
	if m <= 0 || n <= 0 || k <= 0 || !validTrans(tA) || !validTrans(tB) {
		return false
	}
	ar, ac := m, k // A as stored
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	return fits(ar, ac, la, lda) && fits(br, bc, lb, ldb) && fits(m, n, lc, ldc)
}

// fits reports whether a rows×cols row-major matrix of leading dimension
// ld lies within a slice of length l.
func fits(rows, cols, l, ld int) bool { return ld >= cols && l >= (rows-1)*ld+cols }

func validTrans(t blas.Transpose) bool {
	return t == blas.NoTrans || t == blas.Trans || t == blas.ConjTrans
}
