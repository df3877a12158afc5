//go:build cuda

package graph

import (
	"math"
	"slices"
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
// the paper's scale mixture (the bbb_klmix kernels), the closed-form KL
// (bbb_klclosed) and local reparameterisation (bbb_square, bbb_softplus_sq,
// bbb_local_out..., the pre-activations' eps from the Philox kernel).
func TestResidentGPUParity(t *testing.T) {
	for _, c := range []struct {
		hidden int
		prior  nodes.Prior
		kl     KLEstimate
		est    Estimator
	}{
		{20, residentNormal, KLSample, Reparam}, {512, residentNormal, KLSample, Reparam},
		{20, paperMixture, KLSample, Reparam}, {512, paperMixture, KLSample, Reparam},
		{20, residentNormal, KLClosed, Reparam}, {512, residentNormal, KLClosed, Reparam},
		{20, residentNormal, KLClosed, LocalReparam}, {512, residentNormal, KLClosed, LocalReparam},
	} {
		hidden := c.hidden
		res, host := residentPairConfig(t, Config{Layers: 5, Hidden: hidden, LikelihoodSigma: 0.5, Dtype: tensor.Float32,
			Prior: c.prior, KL: c.kl, Estimator: c.est}, 256, 7)
		t.Logf("hidden %d, prior %v, kl %v, estimator %v", hidden, c.prior, c.kl, c.est)
		for _, n := range []*Network{res, host} {
			if err := n.Differentiate(); err != nil {
				t.Fatal(err)
			}
		}
		lr, gr := lossAndGrads(t, res)
		lh, gh := lossAndGrads(t, host)
		t.Logf("hidden %d: loss GPU %.7g, CPU %.7g", hidden, lr, lh)
		if !(math.Abs(lr-lh) <= 1e-4*math.Abs(lh)) {
			t.Errorf("hidden %d, %v, kl %v, %v: loss GPU %v, CPU %v", hidden, c.prior, c.kl, c.est, lr, lh)
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
					t.Errorf("hidden %d, %v, kl %v, %v: d loss / d %s[%d]: GPU %v, CPU %v", hidden, c.prior, c.kl, c.est, host.Learnables()[i].Name(), j, gr[i][j], gh[i][j])
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

// TestResidentLikelihoodsGPUParity: with the learned (noise_rho a Param on
// the device), heteroscedastic and categorical likelihoods (the bbb_lik_*
// kernels), the resident graph on the GPU against the host graph with the
// same parameters and epsilon: the loss and every gradient, noise_rho's
// included, 5 layers at the seed's width and a wide one, float32.
func TestResidentLikelihoodsGPUParity(t *testing.T) {
	for _, lc := range residentLikConfigs {
		for _, hidden := range []int{20, 512} {
			cfg := lc.cfg
			cfg.Layers, cfg.Hidden = 5, hidden
			res, host := likPair(t, cfg, tensor.Float32, 256, 7)
			lr, gr := lossAndGrads(t, res)
			lh, gh := lossAndGrads(t, host)
			t.Logf("%s hidden %d: loss GPU %.7g, CPU %.7g", lc.name, hidden, lr, lh)
			if !(math.Abs(lr-lh) <= 1e-4*math.Abs(lh)) {
				t.Errorf("%s hidden %d: loss GPU %v, CPU %v", lc.name, hidden, lr, lh)
			}
			compareGrads(t, lc.name, host.Learnables(), gr, gh, 1e-3)
		}
	}
}

// TestResidentGPUStateAndHold: the store's training state on the GPU.
// Adam's moments set on the host (SetMoments, as a resumed run does) are
// uploaded and read back unchanged (ReadBack, Moments: a checkpoint), one
// update on the GPU continues from them (m, v and the parameter after it
// against PyTorch's rule from the same moments and the GPU's own
// gradient), and the held elements of w_mu0, w_rho0 and w_eps0 (Hold, the
// bbb_hold kernel after the update and after the draw) are exactly their
// values, in both dtypes.
func TestResidentGPUStateAndHold(t *testing.T) {
	const heldRho = -80
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		res, _ := residentPair(t, 20, 64, dt, 3)
		if err := res.Differentiate(); err != nil {
			t.Fatal(err)
		}
		if err := res.AddAdam(nodes.AdamConfig{LR: 0.01}); err != nil {
			t.Fatal(err)
		}
		st, l0 := res.Store, res.Layers[0]
		idx := []int{0, 3, 7}
		for _, h := range []struct {
			n *G.Node
			v float64
		}{{l0.WMu, 0}, {l0.WRho, heldRho}, {l0.WEps, 0}} {
			if err := st.Hold(h.n, idx, h.v); err != nil {
				t.Fatal(err)
			}
		}
		lp, err := res.LayerParams(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, hv := range []struct {
			n *G.Node
			v float64
		}{{lp.WMu, 0}, {lp.WRho, heldRho}} {
			vals, _ := Values(hv.n)
			for _, j := range idx {
				vals[j] = hv.v
			}
			if err := SetValues(hv.n, vals); err != nil {
				t.Fatal(err)
			}
		}
		res.Reload()
		params := res.Params()
		m0, v0 := make([][]float64, len(params)), make([][]float64, len(params))
		before := make([][]float64, len(params))
		for i, p := range params {
			n := p.Shape().TotalSize()
			m0[i], v0[i] = make([]float64, n), make([]float64, n)
			for j := range n {
				m0[i][j], v0[i][j] = 0.01*math.Sin(float64(i+j)), 1e-4*(1+math.Cos(float64(i*j)))
			}
			if err := st.SetMoments(p, denseLike(dt, m0[i]), denseLike(dt, v0[i])); err != nil {
				t.Fatal(err)
			}
			before[i], _ = Values(res.Learnables()[i])
		}
		grads := make([]G.Value, len(res.Grads))
		for i, g := range res.Grads {
			h, err := nodes.Host(g)
			if err != nil {
				t.Fatal(err)
			}
			G.Read(h, &grads[i])
		}
		var eps G.Value
		he, err := nodes.Host(l0.WEps)
		if err != nil {
			t.Fatal(err)
		}
		G.Read(he, &eps)
		vm := G.NewTapeMachine(res.Graph)
		err = vm.RunAll()
		st.RunDone()
		if err == nil {
			err = st.ReadBack()
		}
		vm.Close()
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := ValueFloats(eps)
		a := st.Adam
		step, b1, b2 := 3.0, a.Beta1, a.Beta2
		lrT, rbc2 := a.LR/(1-math.Pow(b1, step)), 1/math.Sqrt(1-math.Pow(b2, step))
		tol := 1e-9
		if dt == tensor.Float32 {
			tol = 1e-4
		}
		for i, p := range params {
			g, _ := ValueFloats(grads[i])
			md, vd, err := st.Moments(p)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := ValueFloats(md)
			v, _ := ValueFloats(vd)
			w, _ := Values(res.Learnables()[i])
			for j := range g {
				wm := b1*m0[i][j] + (1-b1)*g[j]
				wv := b2*v0[i][j] + (1-b2)*g[j]*g[j]
				ww := before[i][j] - lrT*wm/(math.Sqrt(wv)*rbc2+a.Eps)
				heldHere := i < 2 && slices.Contains(idx, j)
				if heldHere {
					ww = []float64{0, heldRho}[i]
				}
				if heldHere && w[j] != ww {
					t.Fatalf("%v %s[%d]: held at %v, GPU %v", dt, p.Name(), j, ww, w[j])
				}
				for _, c := range [][3]float64{{m[j], wm, 0}, {v[j], wv, 1}, {w[j], ww, 2}} {
					if !(math.Abs(c[0]-c[1]) <= tol*(1e-3+math.Abs(c[1]))) {
						t.Fatalf("%v %s[%d] %s: GPU %v, from the set moments %v", dt, p.Name(), j, []string{"m", "v", "value"}[int(c[2])], c[0], c[1])
					}
				}
			}
		}
		for _, j := range idx {
			if ev[j] != 0 {
				t.Errorf("%v: held w_eps0[%d] = %v on the GPU, want 0", dt, j, ev[j])
			}
		}
		t.Logf("%v: moments set, updated and read back; %d elements held", dt, len(idx))
	}
}

func denseLike(dt tensor.Dtype, v []float64) *tensor.Dense {
	d := tensor.New(tensor.Of(dt), tensor.WithShape(len(v)))
	for i, x := range v {
		if dt == tensor.Float32 {
			d.Set(i, float32(x))
		} else {
			d.Set(i, x)
		}
	}
	return d
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
