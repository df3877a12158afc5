package nodes

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

const benchN = 1 << 16

func BenchmarkNormalPCG(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := make([]float32, benchN)
	b.SetBytes(benchN)
	for b.Loop() {
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
	}
}

func BenchmarkNormalAt(b *testing.B) {
	d := make([]float32, benchN)
	b.SetBytes(benchN)
	for b.Loop() {
		FillNoise(d, 1, 2, 3)
	}
}

// Interleaved A/B in one loop, 8192 normals each way per iteration: ns
// per normal of each, the median and the fastest iteration (a loaded
// machine slows both alike).
func BenchmarkNormalsAB(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := make([]float32, 8192)
	var tp, tq []float64
	step := uint64(0)
	for b.Loop() {
		t0 := time.Now()
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		t1 := time.Now()
		step++
		FillNoise(d, 1, 2, step)
		t2 := time.Now()
		tp = append(tp, float64(t1.Sub(t0).Nanoseconds())/float64(len(d)))
		tq = append(tq, float64(t2.Sub(t1).Nanoseconds())/float64(len(d)))
	}
	slices.Sort(tp)
	slices.Sort(tq)
	b.ReportMetric(tp[len(tp)/2], "pcg-med-ns")
	b.ReportMetric(tq[len(tq)/2], "philox-med-ns")
	b.ReportMetric(tp[0], "pcg-min-ns")
	b.ReportMetric(tq[0], "philox-min-ns")
}
