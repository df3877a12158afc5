//go:build cuda

package graph

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	_ "github.com/bbb-go/bbb/internal/cudalib" // Gorgonia's CUDA kernels
)

// In the CUDA build, TestParityGolden runs the stock-ops graph (the one
// bbb-cuda trains) on the GPU against the CPU's golden file.
func parityVariants() []parityVariant {
	return []parityVariant{{"gpu-stock-float32", tensor.Float32, true}}
}

// In the CUDA build the TapeMachine runs every op with a CUDA kernel on the
// GPU: the stock-ops graph (Mul by cuBLAS, elementwise kernels) runs there,
// while the fused ops have no CUDA kernel and run on the CPU. For the same
// parameters and epsilon, the loss and every gradient must agree within
// float32 tolerance. This test runs on the GPU machine (scripts/gpu-check.sh);
// a CPU machine can only compile it (go vet -tags cuda).
func TestGPUMatchesCPU(t *testing.T) {
	for _, hidden := range []int{20, 512} {
		cfg := Config{Layers: 5, Hidden: hidden, Dtype: tensor.Float32, LikelihoodSigma: 0.5}
		gpuCfg, cpuCfg := cfg, cfg
		gpuCfg.StockOps = true
		gpu := parityNet(t, gpuCfg)
		cpu := parityNet(t, cpuCfg)
		for i, p := range cpu.Learnables() {
			v, _ := Values(p)
			if err := SetValues(gpu.Learnables()[i], v); err != nil {
				t.Fatal(err)
			}
		}
		lg, gg := lossAndGrads(t, gpu)
		lc, gc := lossAndGrads(t, cpu)
		t.Logf("hidden %d: loss GPU %.6g, CPU %.6g", hidden, lg, lc)
		if !(math.Abs(lg-lc) <= 1e-4*math.Abs(lc)) {
			t.Errorf("hidden %d: loss GPU %v, CPU %v", hidden, lg, lc)
		}
		for i := range gc {
			scale := 0.0
			for _, v := range gc[i] {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range gc[i] {
				if d := math.Abs(gg[i][j] - gc[i][j]); d > 1e-3*scale+1e-5 {
					t.Errorf("hidden %d: d loss / d %s[%d]: GPU %v, CPU %v", hidden, cpu.Learnables()[i].Name(), j, gg[i][j], gc[i][j])
					break
				}
			}
		}
	}
}

func parityNet(t *testing.T, cfg Config) *Network {
	t.Helper()
	n := netLike(t, cfg, 256, 9)
	if err := n.Differentiate(); err != nil {
		t.Fatal(err)
	}
	return n
}
