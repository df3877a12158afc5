package nodes_test

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// The resident ops (Param, Noise, Sample, KLTerm, BiasAct,
// GaussianLogLikResident, AdamUpdate, Const; and the batched predictive
// ops) checked from this package, through whole graphs built by package
// graph: each resident graph must compute what the host graph of the fused
// ops computes (whose gradients graph's finite-difference test and PyTorch
// goldens guard), and its Adam must take PyTorch's Adam step. graph and
// train test the same from their side; these make nodes' own tests cover
// the resident code (the mutation-testing gate runs them alone).

const noiseSeed = 77

// hostAndResident returns a host (fused-ops) network and a resident one
// with the same data and parameters, and the prior N(0.1, 0.8²).
func hostAndResident(t *testing.T, dt tensor.Dtype, rows int) (host, res *graph.Network) {
	return hostAndResidentPrior(t, dt, rows, nodes.Normal{Mu: 0.1, Sigma: 0.8})
}

func hostAndResidentPrior(t *testing.T, dt tensor.Dtype, rows int, prior nodes.Prior) (host, res *graph.Network) {
	t.Helper()
	cfg := graph.Config{Layers: 3, Hidden: 6, LikelihoodSigma: 0.5, NBatch: 2, Dtype: dt,
		Prior: prior,
		Init:  graph.Init{WMuStd: 0.7, WRhoMean: -1, WRhoStd: 0.3, BMu: 0.1, BRho: -0.5, Set: true}}
	var err error
	if host, err = graph.New(cfg, rows); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	x, y := make([]float64, rows), make([]float64, rows)
	for i := range x {
		x[i], y[i] = -3+6*r.Float64(), r.NormFloat64()
	}
	if err := host.Init(r); err != nil {
		t.Fatal(err)
	}
	cfg.Resident = true
	if res, err = graph.New(cfg, rows); err != nil {
		t.Fatal(err)
	}
	if err := res.CopyParams(host); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*graph.Network{host, res} {
		if err := graph.SetValues(n.X, x); err != nil {
			t.Fatal(err)
		}
		if err := graph.SetValues(n.Y, y); err != nil {
			t.Fatal(err)
		}
	}
	res.Reload()
	res.Store.Seed = noiseSeed
	return host, res
}

// fillHostEps sets the host network's epsilon to the resident draw at step.
func fillHostEps(t *testing.T, host *graph.Network, step uint64) {
	t.Helper()
	for i, l := range host.Layers {
		for k, e := range []*G.Node{l.WEps, l.BEps} {
			v := make([]float64, e.Shape().TotalSize())
			nodes.FillNoise(v, noiseSeed, uint64(2*i+k), step)
			if err := graph.SetValues(e, v); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// machine runs n, reading the loss and every gradient through host copies.
type machine struct {
	vm    G.VM
	loss  G.Value
	grads []G.Value
}

func newMachine(t *testing.T, n *graph.Network) *machine {
	t.Helper()
	m := &machine{grads: make([]G.Value, len(n.Grads))}
	read := func(x *G.Node, v *G.Value) {
		h, err := nodes.Host(x)
		if err != nil {
			t.Fatal(err)
		}
		G.Read(h, v)
	}
	read(n.Loss, &m.loss)
	for i, g := range n.Grads {
		read(g, &m.grads[i])
	}
	m.vm = G.NewTapeMachine(n.Graph)
	t.Cleanup(func() { m.vm.Close() })
	return m
}

func (m *machine) run(t *testing.T) (float64, [][]float64) {
	t.Helper()
	if err := m.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	defer m.vm.Reset()
	l, err := graph.Scalar(m.loss)
	if err != nil {
		t.Fatal(err)
	}
	gs := make([][]float64, len(m.grads))
	for i, g := range m.grads {
		if gs[i], err = graph.ValueFloats(g); err != nil {
			t.Fatal(err)
		}
	}
	return l, gs
}

// Three training steps of the resident graph (epsilon drawn inside, Adam
// inside) against the host graph fed the same epsilon and updated by Adam
// written out here: the same loss and gradients at every step, and the
// same parameters after the last. With the Normal prior and with a scale
// mixture whose two components both carry weight at these weights.
func TestResidentGraphTrainsLikeHost(t *testing.T) {
	priors := []nodes.Prior{nodes.Normal{Mu: 0.1, Sigma: 0.8}, nodes.ScaleMixture{Pi: 0.3, Sigma1: 1, Sigma2: 0.2}}
	for _, c := range []struct {
		dt    tensor.Dtype
		prior nodes.Prior
	}{{tensor.Float64, priors[0]}, {tensor.Float32, priors[0]}, {tensor.Float64, priors[1]}, {tensor.Float32, priors[1]}} {
		dt := c.dt
		t.Run(dt.String()+"/"+c.prior.String(), func(t *testing.T) {
			host, res := hostAndResidentPrior(t, dt, 17, c.prior)
			for _, n := range []*graph.Network{host, res} {
				if err := n.Differentiate(); err != nil {
					t.Fatal(err)
				}
			}
			const lr = 0.05
			if err := res.AddAdam(nodes.AdamConfig{LR: lr}); err != nil {
				t.Fatal(err)
			}
			hm, rm := newMachine(t, host), newMachine(t, res)
			tol := 1e-10
			if dt == tensor.Float32 {
				tol = 1e-4
			}
			ps := host.Learnables()
			m, v := make([][]float64, len(ps)), make([][]float64, len(ps))
			const steps = 3
			for step := uint64(1); step <= steps; step++ {
				fillHostEps(t, host, step)
				lh, gh := hm.run(t)
				if err := res.SetStep(step); err != nil {
					t.Fatal(err)
				}
				if step == steps {
					res.Store.PullAfterRun()
				}
				lres, gres := rm.run(t)
				res.Store.RunDone()
				if !(math.Abs(lres-lh) <= tol*math.Abs(lh)) {
					t.Fatalf("step %d: loss resident %v, host %v", step, lres, lh)
				}
				for i := range gh {
					scale := 0.0
					for _, g := range gh[i] {
						scale = math.Max(scale, math.Abs(g))
					}
					for j := range gh[i] {
						if d := math.Abs(gres[i][j] - gh[i][j]); !(d <= tol*scale+1e-12) {
							t.Fatalf("step %d: d loss/d %s[%d]: resident %v, host %v", step, ps[i].Name(), j, gres[i][j], gh[i][j])
						}
					}
				}
				// PyTorch's Adam (β 0.9/0.999, ε 1e-8) on the host parameters.
				bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
				for i, p := range ps {
					w, _ := graph.Values(p)
					if m[i] == nil {
						m[i], v[i] = make([]float64, len(w)), make([]float64, len(w))
					}
					for j, g := range gh[i] {
						m[i][j] = 0.9*m[i][j] + 0.1*g
						v[i][j] = 0.999*v[i][j] + 0.001*g*g
						w[j] -= lr * (m[i][j] / bc1) / (math.Sqrt(v[i][j]/bc2) + 1e-8)
					}
					if err := graph.SetValues(p, w); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i, p := range ps {
				want, _ := graph.Values(p)
				got, err := graph.Values(res.Learnables()[i])
				if err != nil {
					t.Fatal(err)
				}
				for j := range want {
					if d := math.Abs(got[j] - want[j]); !(d <= 10*tol*(1+math.Abs(want[j]))) {
						t.Fatalf("after %d steps %s[%d]: resident %v, host %v", steps, p.Name(), j, got[j], want[j])
					}
				}
			}
		})
	}
}

// The K passes of a predictive network (SampleBatch, BatchedMatMul,
// BiasActBatch, resident epsilon) are K forward passes of the host graph,
// each with its slice of the epsilon draw.
func TestPredictiveIsKForwardPasses(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		const rows, k, step = 9, 3, 4
		host, _ := hostAndResident(t, dt, rows)
		p, err := graph.NewPredictive(host.Config, rows, k)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.CopyParams(host); err != nil {
			t.Fatal(err)
		}
		xv, _ := graph.Values(host.X)
		if err := graph.SetValues(p.X, xv); err != nil {
			t.Fatal(err)
		}
		p.Reload()
		p.Store.Seed = noiseSeed
		if err := p.SetStep(step); err != nil {
			t.Fatal(err)
		}
		h, err := nodes.Host(p.Output)
		if err != nil {
			t.Fatal(err)
		}
		var out G.Value
		G.Read(h, &out)
		vm := G.NewTapeMachine(p.Graph)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Close()
		got, _ := graph.ValueFloats(out)
		if len(got) != k*rows {
			t.Fatalf("%d outputs, want %d", len(got), k*rows)
		}
		f, err := graph.NewForward(host.Config, rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.CopyParams(host); err != nil {
			t.Fatal(err)
		}
		if err := graph.SetValues(f.X, xv); err != nil {
			t.Fatal(err)
		}
		fh, _ := nodes.Host(f.Output)
		var fo G.Value
		G.Read(fh, &fo)
		fvm := G.NewTapeMachine(f.Graph)
		tol := 1e-10
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		for j := 0; j < k; j++ {
			for i, l := range f.Layers {
				for s, e := range []*G.Node{l.WEps, l.BEps} {
					size := e.Shape().TotalSize()
					all := make([]float64, k*size)
					nodes.FillNoise(all, noiseSeed, uint64(2*i+s), step)
					if err := graph.SetValues(e, all[j*size:(j+1)*size]); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := fvm.RunAll(); err != nil {
				t.Fatal(err)
			}
			want, _ := graph.ValueFloats(fo)
			fvm.Reset()
			for r := range want {
				if d := math.Abs(got[j*rows+r] - want[r]); !(d <= tol*(1+math.Abs(want[r]))) {
					t.Fatalf("%v pass %d row %d: predictive %v, forward %v", dt, j, r, got[j*rows+r], want[r])
				}
			}
		}
		fvm.Close()
	}
}
