package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bbb-go/bbb/internal/parallel"
)

// naive is the textbook triple loop, the oracle for Gemm.
func naive(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += av * bv
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

// Small products, and products large enough that the OpenBLAS build
// splits C's rows over three workers (every transpose: the split offsets A
// by rows, or by columns when it is stored transposed).
func TestGemmMatchesNaive(t *testing.T) {
	defer SetThreads(1)
	defer parallel.SetWorkers(1)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		m, n, k int
		tA, tB  bool
		threads int
	}{
		{7, 5, 3, false, false, 1}, {7, 5, 3, true, false, 1}, {7, 5, 3, false, true, 1}, {1, 20, 16, true, false, 1}, {33, 1, 20, false, true, 1},
		{150, 300, 300, false, false, 3}, {150, 300, 300, true, false, 3}, {150, 300, 300, false, true, 3}, {151, 300, 300, true, true, 3},
	} {
		SetThreads(tc.threads)
		parallel.SetWorkers(tc.threads) // the pure-Go build's SetThreads sets none
		lda, ldb := tc.k, tc.n
		if tc.tA {
			lda = tc.m
		}
		if tc.tB {
			ldb = tc.k
		}
		a := make([]float64, tc.m*tc.k)
		b := make([]float64, tc.k*tc.n)
		c := make([]float64, tc.m*tc.n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		for i := range c {
			c[i] = rng.NormFloat64()
		}
		want := append([]float64(nil), c...)
		naive(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.5, a, lda, b, ldb, 2, want, tc.n)

		// Gemm, and its row-block form in every build.
		for _, f := range []string{"Gemm", "gemmRows"} {
			gemm64, gemm32 := Gemm[float64], Gemm[float32]
			if f == "gemmRows" {
				gemm64, gemm32 = gemmRows[float64], gemmRows[float32]
			}
			got64 := append([]float64(nil), c...)
			gemm64(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.5, a, lda, b, ldb, 2, got64, tc.n)
			a32, b32, got32 := to32(a), to32(b), to32(c)
			gemm32(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.5, a32, lda, b32, ldb, 2, got32, tc.n)
			for i := range want {
				if !(math.Abs(got64[i]-want[i]) <= 1e-12*(1+math.Abs(want[i]))) {
					t.Fatalf("%s %+v float64 [%d]: got %v want %v", f, tc, i, got64[i], want[i])
				}
				if !(math.Abs(float64(got32[i])-want[i]) <= 1e-5*(1+math.Abs(want[i]))) {
					t.Fatalf("%s %+v float32 [%d]: got %v want %v", f, tc, i, got32[i], want[i])
				}
			}
		}
	}
}

// A row block is worth a worker from about a million multiply-adds, and
// never under 8 rows.
func TestMinRows(t *testing.T) {
	for _, tc := range [][3]int{{300, 300, 11}, {1000, 1000, 8}, {10, 10, 10485}, {1, 1 << 20, 8}, {0, 5, 1 << 20}} {
		if got := minRows(tc[0], tc[1]); got != tc[2] {
			t.Errorf("minRows(%d, %d) = %d, want %d", tc[0], tc[1], got, tc[2])
		}
	}
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// ColSums overwrites out (bias gradients are column sums written into a
// reused buffer): out starts as garbage, for both dtypes, at several shapes.
func TestColSums(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} // 3×3 inside lda 4
	out := []float64{100, -7, 3}
	ColSums(3, 3, a, 4, out)
	out32 := []float32{100, -7, 3}
	ColSums(3, 3, to32(a), 4, out32)
	for j, want := range []float64{15, 18, 21} {
		if out[j] != want || float64(out32[j]) != want {
			t.Errorf("col %d: %v / %v, want %v", j, out[j], out32[j], want)
		}
	}
	for _, sh := range [][3]int{{1, 1, 1}, {5, 2, 3}, {17, 4, 4}, {40, 7, 9}} {
		m, n, lda := sh[0], sh[1], sh[2]
		a := make([]float64, m*lda)
		for i := range a {
			a[i] = float64(i%11) - 4.5
		}
		want := make([]float64, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				want[j] += a[i*lda+j]
			}
		}
		for rep := 0; rep < 2; rep++ { // twice into the same buffer
			out := make([]float64, n)
			out32 := make([]float32, n)
			for j := range out {
				out[j], out32[j] = 1e3, 1e3
			}
			ColSums(m, n, a, lda, out)
			ColSums(m, n, to32(a), lda, out32)
			for j := range want {
				if out[j] != want[j] || float64(out32[j]) != want[j] {
					t.Errorf("%d×%d lda %d col %d: %v / %v, want %v", m, n, lda, j, out[j], out32[j], want[j])
				}
			}
		}
	}
}
