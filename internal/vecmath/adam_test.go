package vecmath

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Adam's kernel gives the Go loop's numbers bit for bit, for float32 at
// every length (under and over the C kernel's cut-off, odd tails) and for
// gradients of every scale, zeros and a NaN included: the OpenBLAS build's
// training is the one it was before the kernel.
func TestAdamMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, minC - 1, minC, minC + 1, 255, 4099} {
		w := make([]float32, n)
		m := make([]float32, n)
		v := make([]float32, n)
		g := make([]float32, n)
		for i := range g {
			w[i] = float32(rng.NormFloat64())
			m[i] = float32(rng.NormFloat64() * 1e-2)
			v[i] = float32(rng.ExpFloat64() * 1e-4)
			g[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(13)-8)))
			switch i % 97 {
			case 3:
				g[i] = 0
			case 5:
				v[i], m[i] = 0, 0
			case 11:
				g[i] = float32(math.NaN())
			}
		}
		wg, mg, vg := slices.Clone(w), slices.Clone(m), slices.Clone(v)
		for step := 1; step <= 3; step++ { // (three updates: the moments feed back)
			bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
			b1, b2, lr, rbc2, eps := float32(0.9), float32(0.999), float32(1e-3/bc1), float32(1/math.Sqrt(bc2)), float32(1e-8)
			Adam(w, m, v, g, b1, b2, lr, rbc2, eps)
			adamGo(wg, mg, vg, g, b1, b2, lr, rbc2, eps)
		}
		for i := range g {
			if math.Float32bits(w[i]) != math.Float32bits(wg[i]) || math.Float32bits(m[i]) != math.Float32bits(mg[i]) || math.Float32bits(v[i]) != math.Float32bits(vg[i]) {
				t.Fatalf("n %d, element %d (g %v): kernel w %v m %v v %v, Go %v %v %v", n, i, g[i], w[i], m[i], v[i], wg[i], mg[i], vg[i])
			}
		}
	}
	// float64 is the Go loop: one step from zero moments, by hand.
	w, m, v, g := []float64{1}, []float64{0}, []float64{0}, []float64{2}
	Adam(w, m, v, g, 0.9, 0.999, 0.1, 1, 1e-8)
	b1, b2, gg := 0.9, 0.999, 2.0
	mm, vv := (1-b1)*gg, (1-b2)*gg*gg
	if want := 1 - 0.1*mm/(math.Sqrt(vv)+1e-8); w[0] != want || m[0] != mm || v[0] != vv {
		t.Errorf("float64: w %v m %v v %v, want %v %v %v", w[0], m[0], v[0], want, mm, vv)
	}
}

// BenchmarkAdam is one update of 44,000 float32 parameters (the bandit's
// BBB network: its means and rhos), the kernel against the Go loop.
func BenchmarkAdam(b *testing.B) {
	const n = 44000
	w, m, v, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%7) * 1e-3
	}
	b.Run("kernel", func(b *testing.B) {
		for range b.N {
			Adam(w, m, v, g, 0.9, 0.999, 1e-3, 1, 1e-8)
		}
	})
	b.Run("go", func(b *testing.B) {
		for range b.N {
			adamGo(w, m, v, g, 0.9, 0.999, 1e-3, 1, 1e-8)
		}
	})
}
