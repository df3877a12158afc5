package graph_test

import (
	"math"
	"testing"

	"github.com/bbb-go/bbb/graph"
)

// The heteroscedastic scale by hand: sigma = floor + softplus(raw + shift)
// with shift = softplus⁻¹(LikelihoodSigma) = ln(e^σ₀ − 1), so a raw
// output of 0 gives floor + σ₀, and a very negative one the floor.
func TestHeteroScaleByHand(t *testing.T) {
	for _, c := range []struct {
		name           string
		sigma0, floor  float64 // Config.LikelihoodSigma, Config.MinSigma
		raw, wantScale float64
		why            string
	}{
		{"start", 1, 0, 0, 1.001, "shift = ln(e − 1) = 0.5413249; softplus(0.5413249) = ln(1 + e − 1) = 1; + default floor 0.001"},
		{"start ln 2", math.Ln2, 0, 0, 0.001 + math.Ln2, "shift = ln(e^ln2 − 1) = ln 1 = 0; softplus(0) = ln 2"},
		{"own floor", 1, 0.25, 0, 1.25, "the floor is added, not a max: 0.25 + 1"},
		{"floor reached", 1, 0.25, -40, 0.25, "softplus(−40 + 0.54) = e^−39.46 ≈ 7e−18: the floor alone"},
		{"raw 1", math.Ln2, 0.5, 1, 0.5 + math.Log(1+math.E), "0.5 + ln(1 + e¹) = 0.5 + 1.3132617"},
	} {
		net, err := graph.New(graph.Config{Likelihood: graph.LikHetero{}, LikelihoodSigma: c.sigma0, MinSigma: c.floor}, 1)
		if err != nil {
			t.Fatal(err)
		}
		z, err := net.Noise()
		if err != nil {
			t.Fatal(err)
		}
		if z.Width() != 2 {
			t.Fatalf("%s: Noise.Width() = %d, want 2 (mean, raw scale)", c.name, z.Width())
		}
		// The row is (mean, raw scale); the mean must not matter.
		if got := z.Scale([]float32{123, float32(c.raw)}); math.Abs(got-c.wantScale) > 1e-12 {
			t.Errorf("%s: Scale(raw %v) = %.9g, want %.9g (%s)", c.name, c.raw, got, c.wantScale, c.why)
		}
	}
}
