package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
)

func pruneNet(t *testing.T) *graph.Network {
	t.Helper()
	n, err := graph.New(graph.Config{Task: graph.Classification, Classes: 3, Inputs: 4, Layers: 3, Hidden: 5,
		Init: graph.Init{WMuStd: 0.5, WRhoMean: -3, WRhoStd: 1, Set: true}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Init(rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	return n
}

// Prune removes exactly the share asked, and exactly the lowest-SNR
// weights (checked against a sort of the SNRs here); removed weights are
// zero in every draw of the forward graph; biases are untouched.
func TestPrune(t *testing.T) {
	n := pruneNet(t)
	before, err := WeightSNR(n)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 4*5+5*5+5*3 {
		t.Fatalf("%d SNRs, want 60 weights", len(before))
	}
	// |mu|/softplus(rho), computed here, layer after layer.
	k := 0
	for l := range n.Layers {
		mu, _ := graph.Values(n.Learnables()[4*l])
		rho, _ := graph.Values(n.Learnables()[4*l+1])
		for j := range mu {
			if want := math.Abs(mu[j]) / math.Log1p(math.Exp(rho[j])); !(math.Abs(before[k]-want) <= 1e-6*want) {
				t.Fatalf("SNR of layer %d weight %d: %v, want %v", l, j, before[k], want)
			}
			k++
		}
	}
	biases, _ := graph.Values(n.Learnables()[2])
	removed, thr, err := Prune(n, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 24 {
		t.Errorf("removed %d of 60 at 0.4, want 24", removed)
	}
	sorted := slices.Sorted(slices.Values(before))
	if thr != sorted[23] {
		t.Errorf("threshold %v, want the 24th smallest SNR %v", thr, sorted[23])
	}
	after, _ := WeightSNR(n)
	var zero int
	for i, s := range after {
		switch {
		case before[i] <= thr && s != 0:
			t.Errorf("weight %d (SNR %v <= %v) kept", i, before[i], thr)
		case before[i] > thr && s != before[i]:
			t.Errorf("weight %d (SNR %v > %v) changed to %v", i, before[i], thr, s)
		}
		if s == 0 {
			zero++
		}
	}
	if zero != 24 {
		t.Errorf("%d weights at SNR 0, want 24", zero)
	}
	if b, _ := graph.Values(n.Learnables()[2]); !slices.Equal(b, biases) {
		t.Error("biases changed")
	}
	// The forward graph's sampled weights: zero where pruned.
	var w G.Value
	G.Read(n.Layers[0].W, &w)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := n.FillEps(rand.New(rand.NewPCG(5, 6))); err != nil {
		t.Fatal(err)
	}
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	ws, _ := graph.ValueFloats(w)
	for i, v := range ws {
		if (before[i] <= thr) != (v == 0) {
			t.Errorf("layer 0 weight %d: sampled %v, pruned %v", i, v, before[i] <= thr)
		}
	}
	for _, f := range []float64{0, 1, -0.1, math.NaN()} {
		if _, _, err := Prune(n, f); err == nil {
			t.Errorf("fraction %v: want an error", f)
		}
	}
}

// SampleWeights draws mu + sigma·eps: its mean and spread over many draws
// of one weight match that weight's posterior.
func TestSampleWeights(t *testing.T) {
	n := pruneNet(t)
	mu, _ := graph.Values(n.Learnables()[0])
	rho, _ := graph.Values(n.Learnables()[1])
	const draws = 4000
	var s, ss float64
	for d := uint64(0); d < draws; d++ {
		w, err := SampleWeights(n, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != 60 {
			t.Fatalf("%d weights, want 60", len(w))
		}
		s += w[3]
		ss += w[3] * w[3]
	}
	mean, sd := s/draws, math.Sqrt(ss/draws-(s/draws)*(s/draws))
	sigma := math.Log1p(math.Exp(rho[3]))
	if math.Abs(mean-mu[3]) > 4*sigma/math.Sqrt(draws) || math.Abs(sd/sigma-1) > 0.1 {
		t.Errorf("weight 3: mean %v sd %v over %d draws, want mu %v sigma %v", mean, sd, draws, mu[3], sigma)
	}
}

// SampleWeights' draw is mu + sigma·eps with eps from the PCG stream
// (seed, streamClassify-1), in weight order.
func TestSampleWeightsStream(t *testing.T) {
	n := pruneNet(t)
	w, err := SampleWeights(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 0x636c617373000000-1))
	k := 0
	for l := range n.Layers {
		mu, _ := graph.Values(n.Learnables()[4*l])
		rho, _ := graph.Values(n.Learnables()[4*l+1])
		for j := range mu {
			if want := mu[j] + math.Log1p(math.Exp(rho[j]))*r.NormFloat64(); !(math.Abs(w[k]-want) <= 1e-12) {
				t.Fatalf("weight %d: %v, want %v", k, w[k], want)
			}
			k++
		}
	}
}
