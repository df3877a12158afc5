//go:build cuda

package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// These run on the GPU machine (scripts/gpu-check.sh); a CPU machine can
// only compile them (go vet -tags cuda).

// TestTwentyMachines builds, runs and closes 20 graphs in one process, of
// shuffled sizes (bigger after smaller and the reverse), resident and
// stock-ops graphs in turn, and checks each loss against the float64 Go
// reference. With stock Gorgonia v0.9.18 a machine made after a Close
// failed (cuBLAS NotInitialized, or a module load in a destroyed context).
func TestTwentyMachines(t *testing.T) {
	sizes := []int{4, 512, 8, 256, 16, 128, 32, 64, 512, 4, 300, 20, 128, 8, 64, 256, 16, 512, 32, 4}
	for i, hidden := range sizes {
		var n *Network
		if i%2 == 0 {
			n, _ = residentPair(t, hidden, 64, tensor.Float32, uint64(i+1))
		} else {
			n = netLike(t, Config{Layers: 3, Hidden: hidden, LikelihoodSigma: 0.5, Dtype: tensor.Float32, StockOps: true}, 64, uint64(i))
		}
		if err := n.Differentiate(); err != nil {
			t.Fatal(err)
		}
		got := runLoss(t, n) // closes its machine
		want := referenceLoss(t, n, epsOf(t, n))
		t.Logf("machine %2d: hidden %3d resident %v: loss %.7g, reference %.7g", i, hidden, n.Store != nil, got, want)
		if !(math.Abs(got-want) <= 1e-4*math.Abs(want)) {
			t.Errorf("machine %d (hidden %d): loss %v, reference %v", i, hidden, got, want)
		}
	}
}

// TestResidentGPUParity: the resident graph on the GPU against the host
// graph (fused ops, on the CPU but for Gorgonia's own elementwise kernels)
// with the same parameters and epsilon: the loss and every gradient, at the
// seed's width and a wide one, 5 layers, float32; with the Normal prior and
// the paper's scale mixture (the bbb_klmix kernels).
func TestResidentGPUParity(t *testing.T) {
	for _, c := range []struct {
		hidden int
		prior  nodes.Prior
	}{{20, residentNormal}, {512, residentNormal}, {20, paperMixture}, {512, paperMixture}} {
		hidden := c.hidden
		res, host := residentPairPrior(t, 5, hidden, 256, tensor.Float32, 7, c.prior)
		t.Logf("hidden %d, prior %v", hidden, c.prior)
		for _, n := range []*Network{res, host} {
			if err := n.Differentiate(); err != nil {
				t.Fatal(err)
			}
		}
		lr, gr := lossAndGrads(t, res)
		lh, gh := lossAndGrads(t, host)
		t.Logf("hidden %d: loss GPU %.7g, CPU %.7g", hidden, lr, lh)
		if !(math.Abs(lr-lh) <= 1e-4*math.Abs(lh)) {
			t.Errorf("hidden %d, %v: loss GPU %v, CPU %v", hidden, c.prior, lr, lh)
		}
		worst := 0.0
		for i := range gh {
			scale := 0.0
			for _, v := range gh[i] {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range gh[i] {
				d := math.Abs(gr[i][j]-gh[i][j]) / (scale + 1e-30)
				worst = math.Max(worst, d)
				if d > 1e-3 {
					t.Errorf("hidden %d, %v: d loss / d %s[%d]: GPU %v, CPU %v", hidden, c.prior, host.Learnables()[i].Name(), j, gr[i][j], gh[i][j])
					break
				}
			}
		}
		t.Logf("hidden %d: largest gradient difference %.2g of the gradient's largest entry", hidden, worst)
	}
}

// TestNoiseGPUMatchesCPU: the CUDA epsilon kernel draws what the Go code
// draws (nodes.FillNoise, the host graph's source), element for element,
// in both dtypes and at a large step: every w_eps and b_eps of a 5-layer
// network of 512 units (about 790,000 numbers a draw, so thousands take the
// ziggurat's slow path).
func TestNoiseGPUMatchesCPU(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, step := range []uint64{1, 1 << 40} {
			res, _ := residentPairLayers(t, 5, 512, 64, dt, step)
			eps := res.Eps()
			vals := make([]G.Value, len(eps))
			for i, e := range eps {
				h, err := nodes.Host(e)
				if err != nil {
					t.Fatal(err)
				}
				G.Read(h, &vals[i])
			}
			vm := G.NewTapeMachine(res.Graph)
			if err := vm.RunAll(); err != nil {
				vm.Close()
				t.Fatal(err)
			}
			vm.Close()
			streams := res.EpsStreams()
			bad, total := 0, 0
			for i, v := range vals {
				got, err := ValueFloats(v)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]float64, len(got))
				nodes.FillNoise(want, res.Store.Seed, streams[i], step)
				for j := range got {
					w := want[j]
					if dt == tensor.Float32 {
						w = float64(float32(w))
					}
					total++
					if math.Abs(got[j]-w) > 1e-6*math.Max(1, math.Abs(w)) {
						if bad < 5 {
							t.Errorf("%v step %d: %s[%d]: GPU %v, Go %v", dt, step, eps[i].Name(), j, got[j], w)
						}
						bad++
					}
				}
			}
			t.Logf("%v step %d: %d of %d numbers differ", dt, step, bad, total)
		}
	}
}

// TestGatheredGPUParity: a gathered resident network on the GPU (the data
// set in device memory, bbb_gather_rows by the store's permutation, the KL
// weight a store scalar) against the host graph on the CPU holding each
// minibatch's rows: the loss and every gradient of four minibatches, at the
// seed's width and a wide one, float32, and float64 at the seed's width.
func TestGatheredGPUParity(t *testing.T) {
	checkGatheredBatches(t, tensor.Float32, 5, 20, 1000, 128, 1e-3)
	checkGatheredBatches(t, tensor.Float32, 5, 512, 1000, 128, 1e-3)
	checkGatheredBatches(t, tensor.Float64, 5, 20, 1000, 128, 1e-9)
}
