package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps is |got - want| in units of float32's spacing at want (0 when got
// is want rounded to float32).
func ulps(got float32, want float64) float64 {
	w := float32(want)
	if got == w {
		return 0
	}
	spacing := float64(math.Nextafter32(w, float32(math.Inf(1))) - w)
	return math.Abs(float64(got)-want) / spacing
}

var paperMixture = Mixture{
	C1: math.Log(0.5) - math.Log(1) - halfLog2Pi, C2: math.Log(0.5) - (-6) - halfLog2Pi,
	IV1: 1, IV2: math.Exp(12),
}

// sweep is n+1 float32 values evenly over [lo, hi], plus random ones.
func sweep(lo, hi float64, n int) []float32 {
	x := make([]float32, 0, n+1+n/4)
	for i := 0; i <= n; i++ {
		x = append(x, float32(lo+(hi-lo)*float64(i)/float64(n)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n/4; i++ {
		x = append(x, float32(lo+(hi-lo)*r.Float64()))
	}
	return x
}

// Every kernel against its float64 formula over its whole working range,
// in the build under test (Go loops, or the C kernels with -tags openblas):
// at most tol ulp of max(|want|, floor), or an absolute error under 1e-37
// (results near 0, where the C kernels flush subnormals). The floor is the
// size of the terms a log-density sums: near log p = 0 the result is a
// difference of such float32 terms (the mixture's narrow component: up to
// |log(1-pi) - log s2| + w²/2s2² ≈ 8 where it matters).
func TestKernelsMatchReference(t *testing.T) {
	check := func(name string, x []float32, got []float32, ref func(i int) float64, tol float64, floor ...float64) {
		t.Helper()
		worst, at := 0.0, -1
		for i := range x {
			want := ref(i)
			u := ulps(got[i], want)
			if len(floor) > 0 && math.Abs(want) < floor[0] {
				u = math.Abs(float64(got[i])-want) / float64(math.Nextafter32(float32(floor[0]), 2)-float32(floor[0]))
			}
			if math.Abs(float64(got[i])-want) < 1e-37 {
				u = 0
			}
			if u > worst || math.IsNaN(u) {
				worst, at = u, i
			}
		}
		if !(worst <= tol) {
			t.Errorf("%s (%s): %.2f ulp at x = %v: got %v, want %v", name, Backend, worst, x[at], got[at], ref(at))
		}
	}
	x := sweep(-90, 90, 1<<18)
	out := make([]float32, len(x))
	Softplus(out, x)
	check("Softplus", x, out, func(i int) float64 { return SoftplusAt(float64(x[i])) }, 3)
	g := make([]float32, len(x))
	for i := range g {
		g[i] = 1
	}
	SigmoidMul(out, x, g)
	check("SigmoidMul", x, out, func(i int) float64 { return SigmoidAt(float64(x[i])) }, 3)

	w := sweep(-2, 2, 1<<18)
	w = append(w, sweep(-0.05, 0.05, 1<<16)...) // where the narrow component takes over
	out = make([]float32, len(w))
	g = make([]float32, len(w))
	for i := range g {
		g[i] = 1
	}
	MixtureLogProb(paperMixture, out, w)
	check("MixtureLogProb", w, out, func(i int) float64 { return paperMixture.LogProbAt(float64(w[i])) }, 4, 8)
	MixtureDz(paperMixture, out, w, g)
	// The responsibilities are a sigmoid of a2 - a1, a difference of O(10)
	// float32 terms where the components cross: 64 ulp (8e-6 relative).
	check("MixtureDz", w, out, func(i int) float64 { return paperMixture.DLogProbAt(float64(w[i])) }, 64)

	z, mu, s := sweep(-3, 3, 1<<16), sweep(-1, 1, 1<<16), sweep(1e-6, 3, 1<<16)
	out = make([]float32, len(z))
	NormalLogProb(out, z, mu, s)
	check("NormalLogProb", z, out, func(i int) float64 {
		return NormalLogProbAt(float64(z[i]), float64(mu[i]), float64(s[i]))
	}, 4, 1)
}

// The exact values the graph relies on: softplus of a pruned rho (-200) is
// 0, so a pruned weight is exactly 0; large rho gives rho; NaN propagates
// (divergence is reported); the gradient factor g is applied.
func TestKernelEdges(t *testing.T) {
	x := make([]float32, 80) // over the C kernels' minimum length
	for i := range x {
		x[i] = -200
	}
	x[1], x[2], x[3] = 200, 0, float32(math.NaN())
	out := make([]float32, len(x))
	Softplus(out, x)
	if out[0] != 0 || out[1] != 200 || math.Abs(float64(out[2])-math.Ln2) > 1e-7 || out[3] == out[3] {
		t.Errorf("Softplus(-200, 200, 0, NaN) = %v", out[:4])
	}
	g := make([]float32, len(x))
	for i := range g {
		g[i] = 3
	}
	SigmoidMul(out, x, g)
	if out[0] != 0 || out[1] != 3 || out[2] != 1.5 || out[3] == out[3] {
		t.Errorf("3·sigmoid(-200, 200, 0, NaN) = %v", out[:4])
	}
	MixtureDz(paperMixture, out, x, g)
	if out[2] != 0 || out[0] != out[0] || out[3] == out[3] {
		t.Errorf("mixture derivative at -200, 0, NaN: %v, %v, %v", out[0], out[2], out[3])
	}
}

func BenchmarkKernels(b *testing.B) {
	const n = 313600 // the first layer's weights of the 400-unit MNIST model
	x, g, out := sweep(-0.3, 0.3, n)[:n], make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = 1
	}
	b.Run("Softplus", func(b *testing.B) {
		for range b.N {
			Softplus(out, x)
		}
	})
	b.Run("SigmoidMul", func(b *testing.B) {
		for range b.N {
			SigmoidMul(out, x, g)
		}
	})
	b.Run("MixtureLogProb", func(b *testing.B) {
		for range b.N {
			MixtureLogProb(paperMixture, out, x)
		}
	})
	b.Run("MixtureDz", func(b *testing.B) {
		for range b.N {
			MixtureDz(paperMixture, out, x, g)
		}
	})
	b.Run("NormalLogProb", func(b *testing.B) {
		for range b.N {
			NormalLogProb(out, x, g, g)
		}
	})
}
