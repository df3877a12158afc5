package linalg

import "testing"

// The seed's hidden-layer products: 16000 rows, width 20.
func benchGemm[T Float](b *testing.B, tA, tB bool, m, n, k int) {
	a := make([]T, m*k)
	x := make([]T, k*n)
	c := make([]T, m*n)
	for i := range a {
		a[i] = T(i%7) - 3
	}
	for i := range x {
		x[i] = T(i%5) - 2
	}
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Gemm(tA, tB, m, n, k, 1, a, lda, x, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

func BenchmarkForward32(b *testing.B)   { benchGemm[float32](b, false, false, 16000, 20, 20) }
func BenchmarkGradX32(b *testing.B)     { benchGemm[float32](b, false, true, 16000, 20, 20) }
func BenchmarkGradW32(b *testing.B)     { benchGemm[float32](b, true, false, 20, 20, 16000) }
func BenchmarkForward64(b *testing.B)   { benchGemm[float64](b, false, false, 16000, 20, 20) }
func BenchmarkGradX64(b *testing.B)     { benchGemm[float64](b, false, true, 16000, 20, 20) }
func BenchmarkGradW64(b *testing.B)     { benchGemm[float64](b, true, false, 20, 20, 16000) }
func BenchmarkForward1024(b *testing.B) { benchGemm[float32](b, false, false, 16000, 1024, 1024) }

func BenchmarkColSums32(b *testing.B) {
	a := make([]float32, 16000*20)
	out := make([]float32, 20)
	for i := 0; i < b.N; i++ {
		ColSums(16000, 20, a, 20, out)
	}
}

func BenchmarkColSumsByGemm32(b *testing.B) {
	a := make([]float32, 16000*20)
	ones := make([]float32, 16000)
	out := make([]float32, 20)
	for i := 0; i < b.N; i++ {
		Gemm(true, false, 20, 1, 16000, 1, a, 20, ones, 1, 0, out, 1)
	}
}
